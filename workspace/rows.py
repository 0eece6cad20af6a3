"""The rows of the trainer workspace's tables: one per enrollment, with each module's state
(CellStatus), section and overall percentages, last activity and certificate state, computed in a
fixed number of queries for any number of rows. Used by the cohort report, the participant pages
and the exports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from certificates.selectors import CertificateState, certificate_states
from cms.selectors import course_outline
from training.models import Cohort, Enrollment, ModuleProgress, Sitting
from training.quizzes import scoring


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


@dataclass(frozen=True)
class ModuleColumn:
    id: int
    title: str
    section_id: int
    number: int  # 1-based position in the course
    short_title: str = ""  # the column heading: the module's short title, else its title cut


# Headings longer than this are cut at a word boundary (with "…") when a module has no short
# title; the full title stays in the heading's title attribute and for screen readers.
SHORT_TITLE_LENGTH = 24


def short_label(title: str, short_title: str = "") -> str:
    if short_title.strip():
        return short_title.strip()
    title = " ".join(title.split())
    if len(title) <= SHORT_TITLE_LENGTH:
        return title
    cut = title[: SHORT_TITLE_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,:;–-")
    return cut + "…"


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


def course_columns(course) -> list[SectionColumn]:
    """Sections and their live modules in reading order (two queries)."""
    sections, number = [], 0
    for outline in course_outline(course):
        modules = []
        for module in outline.modules:
            number += 1
            modules.append(
                ModuleColumn(
                    id=module.pk,
                    title=module.title,
                    section_id=outline.section.pk,
                    number=number,
                    short_title=short_label(module.title, module.short_title),
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
