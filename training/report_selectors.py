"""Read side of the trainer workspace: who supervises which cohort, the cohort report, one
participant's record and the aggregates unit leads may see.

Every function runs a fixed number of queries, whatever the size of the cohort.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision

from cms.selectors import course_outline
from training import scoring
from training.models import (
    Cohort,
    Enrollment,
    EnrollmentEvent,
    ModuleProgress,
    OrganisationUnit,
    Quiz,
    Sitting,
    WorkspaceJob,
)
from training.questions import QuizQuestion, quiz_questions

SUPERVISE_ALL_PERMISSION = "training.supervise_all_cohorts"
VIEW_COHORT_PERMISSION = "training.view_cohort"
CHANGE_COHORT_PERMISSION = "training.change_cohort"
UNIT_AGGREGATES_PERMISSION = "training.view_unit_aggregates"


class CellStatus(models.TextChoices):
    """A participant's state in one module, as the cohort report shows it."""

    NOT_STARTED = "not_started", _("nicht begonnen")
    IN_PROGRESS = "in_progress", _("in Bearbeitung")
    QUIZ_FAILED = "quiz_failed", _("Lernkontrolle nicht bestanden")
    ESSAY_PENDING = "essay_pending", _("Freitext wartet auf Bewertung")
    COMPLETE = "complete", _("abgeschlossen")


# Sorting a module column orders participants from "nothing yet" to "done".
STATUS_RANK = {status: rank for rank, status in enumerate(CellStatus.values)}
STATUS_SYMBOLS = {
    CellStatus.NOT_STARTED: "–",
    CellStatus.IN_PROGRESS: "…",
    CellStatus.QUIZ_FAILED: "✗",
    CellStatus.ESSAY_PENDING: "✎",
    CellStatus.COMPLETE: "✓",
}


@dataclass(frozen=True)
class Cell:
    """How a module state is shown: a symbol for the eye, a label for screen readers."""

    status: str
    symbol: str
    label: str


def status_cells() -> dict[str, Cell]:
    return {
        status: Cell(status=status, symbol=STATUS_SYMBOLS[status], label=str(label))
        for status, label in CellStatus.choices
    }


class CertificateState(models.TextChoices):
    UNAVAILABLE = "unavailable", "—"
    NONE = "none", _("noch keines")
    ISSUED = "issued", _("ausgestellt")
    REVOKED = "revoked", _("widerrufen")


# --- Who sees what --------------------------------------------------------------------------


def supervises_all_cohorts(user) -> bool:
    return bool(user.is_authenticated and user.has_perm(SUPERVISE_ALL_PERMISSION))


def cohorts_for(user):
    """Cohorts whose participants the user may see: all for course leads (and superusers),
    the cohorts they train for trainers, none for anybody else."""
    if not (user.is_authenticated and user.is_active and user.has_perm(VIEW_COHORT_PERMISSION)):
        return Cohort.objects.none()
    if supervises_all_cohorts(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(trainers=user)


def can_change_cohort(user, cohort: Cohort) -> bool:
    return (
        user.has_perm(CHANGE_COHORT_PERMISSION) and cohorts_for(user).filter(pk=cohort.pk).exists()
    )


def in_cohorts(cohort_ids) -> Q:
    """Sittings of participants enrolled in these cohorts: those linked to an enrollment of the
    cohorts, and unlinked ones of people enrolled there. ``cohort_ids`` may be a subquery; the
    people come from a subquery too, so no join multiplies the rows."""
    # Written as "one of the cohorts' people, and then linked to one of the cohorts or to no
    # enrollment" (a sitting's enrollment is always its own person's), so that PostgreSQL starts
    # from the people's attempts (index on user) instead of scanning every attempt for the OR.
    people = Enrollment.objects.filter(cohort__in=cohort_ids).values("user_id")
    return Q(user_id__in=people) & (
        Q(enrollment__cohort__in=cohort_ids) | Q(enrollment__isnull=True)
    )


def sittings_visible_to(user):
    """Sittings of participants in cohorts the user supervises (for trainer pages such as the
    essay-marking queue): a trainer never reaches another cohort's sittings."""
    return Sitting.objects.filter(in_cohorts(cohorts_for(user).values("pk")))


def sittings_of(enrollment: Enrollment, module_ids):
    """The enrollment's sittings: those linked to it, and the person's unlinked sittings in the
    course's modules."""
    return Sitting.objects.filter(
        Q(enrollment=enrollment)
        | Q(enrollment__isnull=True, user_id=enrollment.user_id, module_id__in=list(module_ids))
    )


def jobs_for(user, cohort: Cohort):
    return WorkspaceJob.objects.filter(created_by=user, cohort=cohort)


# --- Certificates (the only place the workspace looks at them) -----------------------------


def certificate_states(enrollment_ids) -> dict[int, str] | None:
    """Certificate state per enrollment id, or None when the certificates app has no model yet.

    training must not import certificates (dependencies point certificates -> training), so the
    model is looked up by name; one query for any number of enrollments.
    """
    try:
        certificate = apps.get_model("certificates", "Certificate")
        if not isinstance(enrollment_ids, models.QuerySet):
            enrollment_ids = list(enrollment_ids)
        rows = certificate.objects.filter(enrollment_id__in=enrollment_ids).values_list(
            "enrollment_id", "revoked_at"
        )
        return {
            enrollment_id: CertificateState.REVOKED if revoked_at else CertificateState.ISSUED
            for enrollment_id, revoked_at in rows
        }
    except (LookupError, FieldError):
        return None


# --- The cohort report ----------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleColumn:
    id: int
    title: str
    section_id: int
    number: int  # 1-based position in the course, for compact column headings


@dataclass(frozen=True)
class SectionColumn:
    id: int
    title: str
    modules: tuple[ModuleColumn, ...]


@dataclass
class ReportRow:
    enrollment_id: int
    user_id: int
    first_name: str
    last_name: str
    email: str
    unit_id: int | None
    unit: str
    enrolled_at: datetime
    completed_at: datetime | None
    unenrolled_at: datetime | None
    invitation_pending: bool
    statuses: dict[int, str] = field(default_factory=dict)
    section_percent: dict[int, int] = field(default_factory=dict)
    overall_percent: int = 0
    completed_modules: int = 0
    last_activity: datetime | None = None
    certificate: str = CertificateState.UNAVAILABLE
    # Filled for the columns on screen (see CohortReport.visible_*).
    cells: list = field(default_factory=list)
    section_cells: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name}".strip(", ")

    @property
    def certificate_label(self) -> str:
        return CertificateState(self.certificate).label


@dataclass
class CohortReport:
    cohort: Cohort
    sections: list[SectionColumn]
    visible_sections: list[SectionColumn]
    visible_modules: list[ModuleColumn]
    rows: list[ReportRow]
    participants: int  # before the status filter
    distribution: list[dict]
    certificates_available: bool


def course_columns(course) -> list[SectionColumn]:
    """Sections and their live modules in reading order (two queries)."""
    sections, number = [], 0
    for outline in course_outline(course):
        modules = []
        for module in outline.modules:
            number += 1
            modules.append(
                ModuleColumn(
                    id=module.pk, title=module.title, section_id=outline.section.pk, number=number
                )
            )
        sections.append(
            SectionColumn(
                id=outline.section.pk, title=outline.section.title, modules=tuple(modules)
            )
        )
    return sections


def _enrollment_rows(enrollments) -> list[ReportRow]:
    values = enrollments.order_by("user__last_name", "user__first_name", "pk").values_list(
        "pk",
        "user_id",
        "user__first_name",
        "user__last_name",
        "user__email",
        "organisation_unit_id",
        "organisation_unit__name",
        "enrolled_at",
        "completed_at",
        "unenrolled_at",
        "user__password",
    )
    return [
        ReportRow(
            enrollment_id=pk,
            user_id=user_id,
            first_name=first,
            last_name=last,
            email=email,
            unit_id=unit_id,
            unit=unit or "",
            enrolled_at=enrolled_at,
            completed_at=completed_at,
            unenrolled_at=unenrolled_at,
            # An unusable password (Django marks it with "!") means the invitation is open.
            invitation_pending=(password or "!").startswith("!"),
        )
        for (
            pk,
            user_id,
            first,
            last,
            email,
            unit_id,
            unit,
            enrolled_at,
            completed_at,
            unenrolled_at,
            password,
        ) in values
    ]


def fill_report_rows(rows: list[ReportRow], sections: list[SectionColumn], enrollments) -> None:
    """Computes every row's module states, percentages, last activity and certificate state in
    four queries (progress, activity, sittings, certificates) for any number of rows.

    ``enrollments`` is the queryset the rows came from; it is used as a subquery, so neither a
    large list of ids nor the timestamps of every progress row travel to Python.
    """
    if not rows:
        return
    module_ids = [m.id for s in sections for m in s.modules]
    by_user = {row.user_id: row for row in rows}
    enrollment_ids = enrollments.values("pk")
    progress_rows = ModuleProgress.objects.filter(
        enrollment_id__in=enrollment_ids, module_id__in=module_ids
    )

    progress = defaultdict(dict)
    for enrollment_id, module_id, quiz_passed, completed in progress_rows.annotate(
        passed=ExpressionWrapper(Q(quiz_passed_at__isnull=False), output_field=BooleanField()),
        done=ExpressionWrapper(Q(completed_at__isnull=False), output_field=BooleanField()),
    ).values_list("enrollment_id", "module_id", "passed", "done"):
        progress[enrollment_id][module_id] = (quiz_passed, completed)

    last_activity: dict[int, datetime] = dict(
        progress_rows.values("enrollment_id")
        .annotate(
            last=Max(
                Greatest(
                    "started_at",
                    Coalesce("content_done_at", "started_at"),
                    Coalesce("quiz_passed_at", "started_at"),
                    Coalesce("completed_at", "started_at"),
                )
            )
        )
        .values_list("enrollment_id", "last")
    )

    attempts = defaultdict(dict)
    for user_id, module_id, failed, pending, last in (
        Sitting.objects.filter(user_id__in=enrollments.values("user_id"), module_id__in=module_ids)
        .values("user_id", "module_id")
        .annotate(
            failed=Count("pk", filter=Q(complete=True, passed=False)),
            pending=Count("pk", filter=Q(needs_marking=True)),
            last=Max(Greatest("started_at", Coalesce("finished_at", "started_at"))),
        )
        .values_list("user_id", "module_id", "failed", "pending", "last")
    ):
        row = by_user.get(user_id)
        if row is None:
            continue
        attempts[row.enrollment_id][module_id] = (failed, pending)
        if last and (
            last_activity.get(row.enrollment_id) is None or last > last_activity[row.enrollment_id]
        ):
            last_activity[row.enrollment_id] = last

    certificates = certificate_states(enrollment_ids)
    total = len(module_ids)
    for row in rows:
        row_progress = progress.get(row.enrollment_id, {})
        row_attempts = attempts.get(row.enrollment_id, {})
        done = 0
        for section in sections:
            section_done = 0
            for module in section.modules:
                status = _cell_status(row_progress.get(module.id), row_attempts.get(module.id))
                row.statuses[module.id] = status
                if status == CellStatus.COMPLETE:
                    section_done += 1
            done += section_done
            row.section_percent[section.id] = _percent(section_done, len(section.modules))
        row.completed_modules = done
        row.overall_percent = _percent(done, total)
        row.last_activity = last_activity.get(row.enrollment_id)
        if certificates is None:
            row.certificate = CertificateState.UNAVAILABLE
        else:
            row.certificate = certificates.get(row.enrollment_id, CertificateState.NONE)


def _cell_status(progress, attempts) -> str:
    quiz_passed, completed = progress or (None, None)
    failed, pending = attempts or (0, 0)
    if completed:
        return CellStatus.COMPLETE
    if pending:
        return CellStatus.ESSAY_PENDING
    if failed and not quiz_passed:
        return CellStatus.QUIZ_FAILED
    if progress or attempts:
        return CellStatus.IN_PROGRESS
    return CellStatus.NOT_STARTED


def _percent(part: int, whole: int) -> int:
    return scoring.percent(part, whole)


SORT_KEYS = {
    "name": lambda row: (row.last_name.casefold(), row.first_name.casefold()),
    "email": lambda row: row.email.casefold(),
    "unit": lambda row: row.unit.casefold(),
    "enrolled": lambda row: row.enrolled_at,
    "progress": lambda row: row.overall_percent,
    "activity": lambda row: (row.last_activity is not None, row.last_activity),
    "certificate": lambda row: row.certificate,
}


def sort_key(sort: str):
    """The key function for a sort parameter such as "name", "section-7" or "module-12"."""
    name = sort.removeprefix("-")
    if name in SORT_KEYS:
        return SORT_KEYS[name]
    kind, _, ident = name.partition("-")
    if ident.isdigit():
        ident = int(ident)
        if kind == "section":
            return lambda row: row.section_percent.get(ident, 0)
        if kind == "module":
            return lambda row: STATUS_RANK[row.statuses.get(ident, CellStatus.NOT_STARTED)]
    return None


def sort_options(sections: list[SectionColumn]) -> set[str]:
    names = set(SORT_KEYS)
    names |= {f"section-{s.id}" for s in sections}
    names |= {f"module-{m.id}" for s in sections for m in s.modules}
    return names | {f"-{name}" for name in names}


def cohort_report(
    *,
    cohort: Cohort,
    section_id: int | None = None,
    status: str | None = None,
    unit_id: int | None = None,
    sort: str = "name",
    sections: list[SectionColumn] | None = None,
) -> CohortReport:
    """Participants (enrolled, not unenrolled) × modules with their states, filtered and sorted.

    Six queries whatever the cohort's size: course sections, modules, enrollments, module
    progress, sittings (aggregated) and certificates.
    """
    sections = course_columns(cohort.course) if sections is None else sections
    enrollments = Enrollment.objects.filter(cohort=cohort, unenrolled_at__isnull=True)
    if unit_id:
        enrollments = enrollments.filter(organisation_unit_id=unit_id)
    rows = _enrollment_rows(enrollments)
    fill_report_rows(rows, sections, enrollments)

    visible_sections = [s for s in sections if not section_id or s.id == section_id]
    visible_modules = [m for s in visible_sections for m in s.modules]
    distribution = progress_distribution(rows, sections)
    participants = len(rows)
    if status:
        rows = [r for r in rows if any(r.statuses[m.id] == status for m in visible_modules)]
    key = sort_key(sort) or SORT_KEYS["name"]
    rows.sort(key=key, reverse=sort.startswith("-"))
    cells = status_cells()
    for row in rows:
        row.cells = [cells[row.statuses[m.id]] for m in visible_modules]
        row.section_cells = [row.section_percent[s.id] for s in visible_sections]

    return CohortReport(
        cohort=cohort,
        sections=sections,
        visible_sections=visible_sections,
        visible_modules=visible_modules,
        rows=rows,
        participants=participants,
        distribution=distribution,
        certificates_available=certificate_states([]) is not None,
    )


# Buckets of a section's share of completed modules, for the distribution chart.
PROGRESS_BUCKETS = (
    ("none", _("0 %"), 0, 0),
    ("started", _("1–49 %"), 1, 49),
    ("advanced", _("50–99 %"), 50, 99),
    ("complete", _("100 %"), 100, 100),
)


def progress_distribution(rows: list[ReportRow], sections: list[SectionColumn]) -> list[dict]:
    """How many participants have completed 0 %, 1–49 %, 50–99 % and 100 % of each section."""
    result = []
    for section in sections:
        counts = {key: 0 for key, *_ in PROGRESS_BUCKETS}
        for row in rows:
            percent = row.section_percent.get(section.id, 0)
            for key, _label, low, high in PROGRESS_BUCKETS:
                if low <= percent <= high:
                    counts[key] += 1
                    break
        result.append({"section": section, "counts": counts, "total": len(rows)})
    return result


def iter_report_rows(
    *,
    cohort: Cohort,
    sections: list[SectionColumn],
    unit_id: int | None = None,
    status: str | None = None,
    section_id: int | None = None,
    include_unenrolled: bool = False,
    chunk_size: int = 500,
):
    """Report rows in name order, chunk by chunk (three queries per chunk), for exports that
    must not hold a large cohort in memory at once."""
    enrollments = Enrollment.objects.filter(cohort=cohort)
    if not include_unenrolled:
        enrollments = enrollments.filter(unenrolled_at__isnull=True)
    if unit_id:
        enrollments = enrollments.filter(organisation_unit_id=unit_id)
    ids = list(
        enrollments.order_by("user__last_name", "user__first_name", "pk").values_list(
            "pk", flat=True
        )
    )
    visible_modules = [
        m for s in sections if not section_id or s.id == section_id for m in s.modules
    ]
    for start in range(0, len(ids), chunk_size):
        chunk = Enrollment.objects.filter(pk__in=ids[start : start + chunk_size])
        rows = _enrollment_rows(chunk)
        fill_report_rows(rows, sections, chunk)
        for row in rows:
            if status and not any(row.statuses[m.id] == status for m in visible_modules):
                continue
            yield row


def count_participants(*, cohort: Cohort, include_unenrolled: bool = False) -> int:
    enrollments = Enrollment.objects.filter(cohort=cohort)
    if not include_unenrolled:
        enrollments = enrollments.filter(unenrolled_at__isnull=True)
    return enrollments.count()


# --- Participants ---------------------------------------------------------------------------


def participant_list(*, cohort: Cohort, search: str = "") -> list[ReportRow]:
    """Everybody ever enrolled in the cohort (unenrolled ones too), by name, without states;
    ``search`` narrows to names or email addresses containing it."""
    enrollments = Enrollment.objects.filter(cohort=cohort)
    for word in search.split():
        enrollments = enrollments.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
        )
    return _enrollment_rows(enrollments)


@dataclass
class ModuleRecord:
    section: SectionColumn
    module: ModuleColumn
    status: str
    progress: ModuleProgress | None

    @property
    def status_label(self) -> str:
        return CellStatus(self.status).label


@dataclass
class SittingRecord:
    sitting: Sitting
    module_title: str

    @property
    def duration(self):
        if self.sitting.finished_at and self.sitting.started_at:
            return self.sitting.finished_at - self.sitting.started_at
        return None

    @property
    def duration_text(self) -> str:
        """Time taken, e.g. "12 min 05 s" ("—" while the sitting runs)."""
        if self.duration is None:
            return "—"
        seconds = int(self.duration.total_seconds())
        return _("%(minutes)d min %(seconds)02d s") % {
            "minutes": seconds // 60,
            "seconds": seconds % 60,
        }


@dataclass
class ParticipantRecord:
    enrollment: Enrollment
    row: ReportRow
    modules: list[ModuleRecord]
    sittings: list[SittingRecord]
    events: list[EnrollmentEvent]


def participant_record(*, enrollment: Enrollment) -> ParticipantRecord:
    """One participant in full: module states and dates, every sitting, the enrollment's history
    and certificate (a fixed number of queries)."""
    sections = course_columns(enrollment.course)
    single = Enrollment.objects.filter(pk=enrollment.pk)
    rows = _enrollment_rows(single)
    fill_report_rows(rows, sections, single)
    row = rows[0]
    progress = {p.module_id: p for p in enrollment.progress.all()}
    modules = [
        ModuleRecord(section=s, module=m, status=row.statuses[m.id], progress=progress.get(m.id))
        for s in sections
        for m in s.modules
    ]
    titles = {m.id: m.title for s in sections for m in s.modules}
    sittings = [
        SittingRecord(sitting=s, module_title=titles.get(s.module_id, ""))
        for s in sittings_of(enrollment, titles)
        .select_related("quiz")
        .defer("quiz__questions")
        .order_by("started_at", "pk")
    ]
    events = list(enrollment.events.select_related("actor"))
    return ParticipantRecord(
        enrollment=enrollment, row=row, modules=modules, sittings=sittings, events=events
    )


@dataclass
class AnswerRecord:
    number: int
    kind: str
    question: str
    answer: str
    correct_answer: str
    points: object
    max_points: object
    feedback: str


def sitting_answers(sitting: Sitting) -> list[AnswerRecord]:
    """The sitting's questions, as of the quiz revision it ran on, with the answers given.

    The quiz services store ``{"response": ..., "points": ...}`` (choice ids as a list, an
    essay as its text); older or imported rows are read tolerantly (a plain value, or a dict
    with "selected"/"value" and "points"/"feedback").
    """
    quiz = sitting.quiz_revision.as_object()
    blocks = {block.id: block for block in quiz.questions}
    order = list(sitting.question_order or []) or list(blocks)
    answers = sitting.answers or {}
    records = []
    for number, block_id in enumerate(order, start=1):
        block = blocks.get(block_id)
        if block is None:
            continue
        raw = answers.get(block_id)
        records.append(_answer_record(number, block, raw))
    return records


_ANSWER_KEYS = ("response", "selected", "choices", "choice", "answer", "value", "text")


def _answer_record(number, block, raw) -> AnswerRecord:
    value, points, feedback = raw, None, ""
    if isinstance(raw, dict):
        points = raw.get("points", raw.get("score"))
        feedback = str(raw.get("feedback") or "")
        value = next((raw[key] for key in _ANSWER_KEYS if key in raw), None)
    kind = block.block.meta.label
    answer, correct = "", ""
    if block.block_type in ("single_choice", "multiple_choice"):
        options = list(block.value["answers"].bound_blocks)
        picked = value if isinstance(value, list | tuple) else ([] if value is None else [value])
        answer = "; ".join(_option_text(options, choice) for choice in picked)
        correct = "; ".join(o.value["text"] for o in options if o.value["correct"])
    elif block.block_type == "true_false":
        if isinstance(value, list | tuple):  # stored as the chosen option ids, e.g. ["true"]
            value = value[0] if value else None
        answer = "" if value is None else (_("richtig") if _truthy(value) else _("falsch"))
        correct = _("richtig") if block.value["correct"] else _("falsch")
    elif value is not None:
        answer = str(value)
    return AnswerRecord(
        number=number,
        kind=str(kind),
        question=block.value["text"],
        answer=str(answer),
        correct_answer=str(correct),
        points=points,
        max_points=block.value.get("points"),
        feedback=feedback,
    )


def _option_text(options, choice) -> str:
    for index, option in enumerate(options):
        if choice == index or (isinstance(choice, str) and choice in (option.id, str(index))):
            return option.value["text"]
    return str(choice)


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "ja", "richtig", "yes")
    return bool(value)


# --- Quiz statistics ------------------------------------------------------------------------
# Moodle's quiz statistics, per question: how many attempts answered it, the facility index (the
# mean share of its points earned) and how often each answer was chosen, so a trainer spots
# questions that mislead.

PERCENT_STEP = Decimal("0.1")
POINTS_STEP = Decimal("0.01")


def _percent_of(fraction: Fraction) -> Decimal:
    """A fraction as a percentage with one decimal place, rounded half up (2/3 → 66.7)."""
    exact = Decimal(fraction.numerator * 100) / Decimal(fraction.denominator)
    return exact.quantize(PERCENT_STEP, rounding=ROUND_HALF_UP)


def _share_of(part: int, whole: int) -> Decimal | None:
    return _percent_of(Fraction(part, whole)) if whole else None


@dataclass
class OptionStatistic:
    id: str
    text: str
    correct: bool
    count: int = 0
    percent: Decimal | None = None  # of the attempts that answered the question
    removed: bool = False  # not an answer of the latest version any more


@dataclass
class QuestionStatistic:
    """One question (block id) over every quiz version the counted attempts ran on."""

    id: str
    number: int | None  # position in the latest version; None when removed since
    kind: str
    kind_label: str
    text: str  # as worded in the latest version that has the question
    points: Decimal
    options: list[OptionStatistic] = field(default_factory=list)
    drawn: int = 0  # attempts that showed it
    answered: int = 0
    full_marks: int = 0
    facility: Decimal | None = None  # mean share of the points earned, in %
    essays_marked: int = 0
    essays_pending: int = 0
    mean_points: Decimal | None = None  # essays: mean of the marks given
    # Worded, scored or keyed differently in the attempts counted, or than shown here.
    changed: bool = False
    # Accumulators while the attempts stream by.
    _earned: Fraction = field(default=Fraction(0), repr=False)
    _scored: int = field(default=0, repr=False)
    _marks: Decimal = field(default=Decimal(0), repr=False)
    _versions: set = field(default_factory=set, repr=False)

    @property
    def removed(self) -> bool:
        return self.number is None

    @property
    def points_count(self) -> int | Decimal:
        """The points as a whole number where they are one (for singular and plural)."""
        return int(self.points) if self.points == int(self.points) else self.points

    @property
    def is_essay(self) -> bool:
        return self.kind == scoring.ESSAY

    @property
    def multiple(self) -> bool:
        return self.kind == scoring.MULTIPLE_CHOICE

    @property
    def misleading(self) -> bool:
        """A wrong answer was chosen more often than a correct one: worth a second look."""
        right = [o.count for o in self.options if o.correct]
        wrong = [o.count for o in self.options if not o.correct]
        return bool(right and wrong and max(wrong) > min(right))


@dataclass
class QuizStatistics:
    quiz: Quiz
    sittings: int  # finished attempts counted
    participants: int
    passed: int
    decided: int  # counted attempts with a result (not waiting for an essay mark)
    discarded: int  # finished attempts whose answers were not kept (not counted)
    questions: list[QuestionStatistic]


def _question_versions(quiz: Quiz, finished) -> dict[int, dict[str, QuizQuestion]]:
    """The questions of every revision the attempts ran on, and of the latest revision, newest
    first (one query; the revisions are read without touching their quiz)."""
    revisions = (
        Revision.objects.filter(
            Q(pk__in=finished.values("quiz_revision_id")) | Q(pk=quiz.latest_revision_id)
        )
        .order_by("-created_at", "-pk")
        .values_list("pk", "content")
    )
    return {
        pk: quiz_questions(Quiz.from_serializable_data(content, check_fks=False))
        for pk, content in revisions
    }


def _signature(question: QuizQuestion) -> tuple:
    return (
        question.text,
        question.points,
        tuple((o.id, o.text, o.correct) for o in question.options),
    )


def _label_questions(quiz: Quiz, versions) -> dict[str, QuestionStatistic]:
    """One entry per block id, worded as in the newest revision that has it: the latest
    revision's questions in its order, then removed ones (newest removal first)."""
    kinds = Quiz._meta.get_field("questions").stream_block.child_blocks
    latest = versions.get(quiz.latest_revision_id, {})
    labelled: dict[str, QuestionStatistic] = {}
    for questions in versions.values():
        for question in questions.values():
            stat = labelled.get(question.id)
            newest = stat is None
            if newest:
                kind = kinds.get(question.kind)
                stat = labelled[question.id] = QuestionStatistic(
                    id=question.id,
                    number=None,
                    kind=question.kind,
                    kind_label=str(kind.label) if kind else question.kind,
                    text=question.text,
                    points=question.points,
                )
                stat._versions.add(_signature(question))
            # Answers dropped since keep their counts, listed after the current ones.
            known = {o.id for o in stat.options}
            stat.options += [
                OptionStatistic(id=o.id, text=o.text, correct=o.correct, removed=not newest)
                for o in question.options
                if o.id not in known
            ]
    for number, question_id in enumerate(latest, start=1):
        labelled[question_id].number = number
    return labelled


def _response_of(raw):
    """(chosen values, points) of a stored answer. The quiz services store
    ``{"response": ..., "points": ...}``; older or imported rows are read as leniently as
    :func:`sitting_answers` reads them."""
    if isinstance(raw, dict):
        if "response" in raw:
            value = raw["response"]
        else:
            value = next((raw[key] for key in _ANSWER_KEYS if key in raw), None)
        return value, raw.get("points", raw.get("score"))
    return raw, None


def _chosen_ids(question: QuizQuestion, value) -> set[str]:
    if value is None or value == "" or value == []:
        return set()
    values = value if isinstance(value, list | tuple) else [value]
    ids = [o.id for o in question.options]
    chosen = set()
    for item in values:
        if question.kind == scoring.TRUE_FALSE and not isinstance(item, str):
            chosen.add(scoring.TRUE if _truthy(item) else scoring.FALSE)
        elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item < len(ids):
            chosen.add(ids[item])  # an option given by its position
        elif str(item) in ids:
            chosen.add(str(item))
    return chosen


def _count_answer(stat: QuestionStatistic, question: QuizQuestion, raw) -> None:
    value, points = _response_of(raw)
    if value is None or value == "" or value == []:
        return
    stat.answered += 1
    if question.is_essay:
        if points is None:
            stat.essays_pending += 1
            return
        stat.essays_marked += 1
        points = Decimal(str(points))
        stat._marks += points
    else:
        chosen = _chosen_ids(question, value)
        options = {o.id: o for o in stat.options}
        for option_id in chosen:
            options[option_id].count += 1
        if points is None:
            points = scoring.score_response(question.for_scoring, tuple(sorted(chosen)))
        points = Decimal(str(points))
    if points >= question.points:
        stat.full_marks += 1
    stat._earned += Fraction(points) / Fraction(question.points) if question.points else 0
    stat._scored += 1


def quiz_statistics(*, quiz: Quiz, cohort_ids) -> QuizStatistics:
    """Per question of ``quiz``, over the finished attempts of participants in the cohorts
    ``cohort_ids`` (ids or a subquery; unenrolled participants' attempts count too): attempts
    that showed and answered it, the facility index, how often each answer was chosen (correct
    answers marked) and, for essays, how many are marked or pending and their mean points.

    Attempts are pinned to a quiz revision: questions are grouped by block id across revisions
    and worded as in the latest. Attempts whose answers were not kept (``exam_paper`` off) are
    counted apart. Two queries whatever the number of attempts: the revisions, then the
    attempts' answers, streamed and added up here.
    """
    finished = Sitting.objects.filter(quiz=quiz, complete=True).filter(in_cohorts(cohort_ids))
    versions = _question_versions(quiz, finished)
    stats = _label_questions(quiz, versions)
    people, counted, passed, decided, discarded = set(), 0, 0, 0, 0
    rows = finished.values_list(
        "quiz_revision_id", "user_id", "question_order", "answers", "answers_discarded", "passed"
    )
    for revision_id, user_id, order, answers, was_discarded, has_passed in rows.iterator(
        chunk_size=500
    ):
        if was_discarded:
            discarded += 1
            continue
        counted += 1
        people.add(user_id)
        if has_passed is not None:
            decided += 1
            passed += bool(has_passed)
        questions = versions.get(revision_id, {})
        answers = answers or {}
        for question_id in order or []:
            question = questions.get(question_id)
            if question is None:
                continue
            stat = stats[question_id]
            stat.drawn += 1
            stat._versions.add(_signature(question))
            if question_id in answers:
                _count_answer(stat, question, answers[question_id])
    for stat in stats.values():
        stat.changed = len(stat._versions) > 1
        for option in stat.options:
            option.percent = _share_of(option.count, stat.answered)
        if stat._scored:
            stat.facility = _percent_of(stat._earned / stat._scored)
        if stat.essays_marked:
            stat.mean_points = (stat._marks / stat.essays_marked).quantize(
                POINTS_STEP, rounding=ROUND_HALF_UP
            )
    questions = sorted(
        stats.values(), key=lambda s: (s.number is None, s.number or 0)
    )  # removed ones keep their (newest first) order
    return QuizStatistics(
        quiz=quiz,
        sittings=counted,
        participants=len(people),
        passed=passed,
        decided=decided,
        discarded=discarded,
        questions=questions,
    )


@dataclass(frozen=True)
class QuizLink:
    id: int
    title: str
    finished: int  # finished attempts in the cohort


def cohort_quizzes(*, cohort: Cohort, sections: list[SectionColumn]) -> list[QuizLink]:
    """The quizzes the cohort's participants have attempted, in the course's module order, with
    their finished attempts (one query)."""
    numbers = {m.id: m.number for s in sections for m in s.modules}
    quizzes: dict[int, list] = {}
    for quiz_id, title, module_id, finished in (
        Sitting.objects.filter(in_cohorts([cohort.pk]))
        .values("quiz_id", "quiz__title", "module_id")
        .annotate(finished=Count("pk", filter=Q(complete=True)))
        .values_list("quiz_id", "quiz__title", "module_id", "finished")
    ):
        entry = quizzes.setdefault(quiz_id, [title, len(numbers) + 1, 0])
        entry[1] = min(entry[1], numbers.get(module_id, len(numbers) + 1))
        entry[2] += finished
    ordered = sorted(quizzes.items(), key=lambda item: (item[1][1], item[1][0].casefold()))
    return [
        QuizLink(id=quiz_id, title=title, finished=finished)
        for quiz_id, (title, _number, finished) in ordered
    ]


# --- Aggregates for unit leads --------------------------------------------------------------


@dataclass
class UnitAggregate:
    unit: OrganisationUnit
    course_title: str
    enrolled: int | None  # None when the group is too small to show figures
    hidden: bool
    section_shares: list[tuple[str, int | None]]
    average_progress: int | None


def min_group_size() -> int:
    return getattr(settings, "TRAINING_AGGREGATE_MIN_GROUP_SIZE", 5)


def units_led_by(user):
    if not (user.is_authenticated and user.has_perm(UNIT_AGGREGATES_PERMISSION)):
        return OrganisationUnit.objects.none()
    if user.is_superuser:
        return OrganisationUnit.objects.all()
    return OrganisationUnit.objects.filter(leads=user)


def unit_aggregates(user) -> list[UnitAggregate]:
    """Per unit and course: participants enrolled, share who completed each section, average
    progress. Groups smaller than the minimum group size show no figures at all, so nobody can
    read an individual's progress from them."""
    threshold = min_group_size()
    units = {u.pk: u for u in units_led_by(user)}
    if not units:
        return []
    enrollments = list(
        Enrollment.objects.filter(organisation_unit_id__in=list(units), unenrolled_at__isnull=True)
        .select_related("course")
        .only("pk", "organisation_unit_id", "course__title", "course__path", "course__depth")
    )
    courses = {e.course_id: e.course for e in enrollments}
    columns = {course_id: course_columns(course) for course_id, course in courses.items()}
    completed = defaultdict(set)
    for enrollment_id, module_id in ModuleProgress.objects.filter(
        enrollment__in=[e.pk for e in enrollments], completed_at__isnull=False
    ).values_list("enrollment_id", "module_id"):
        completed[enrollment_id].add(module_id)

    groups = defaultdict(list)
    for enrollment in enrollments:
        groups[(enrollment.organisation_unit_id, enrollment.course_id)].append(enrollment.pk)
    result = []
    for (unit_id, course_id), members in sorted(
        groups.items(), key=lambda item: (str(units[item[0][0]]), item[0][1])
    ):
        sections = columns[course_id]
        hidden = len(members) < threshold
        shares, average = [], None
        if not hidden:
            all_ids = {m.id for s in sections for m in s.modules}
            for section in sections:
                ids = {m.id for m in section.modules}
                done = sum(1 for member in members if ids and ids <= completed[member])
                shares.append((section.title, _percent(done, len(members))))
            progress = [_percent(len(completed[m] & all_ids), len(all_ids)) for m in members]
            average = round(sum(progress) / len(progress))
        else:
            shares = [(section.title, None) for section in sections]
        result.append(
            UnitAggregate(
                unit=units[unit_id],
                course_title=courses[course_id].title,
                enrolled=None if hidden else len(members),
                hidden=hidden,
                section_shares=shares,
                average_progress=average,
            )
        )
    return result
