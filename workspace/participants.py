"""One cohort's participants for the trainer: the list (with unenrolled ones) and one
participant's full record: module states and dates, every attempt with its answers, and the
enrollment's history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from training.models import Cohort, Enrollment, EnrollmentEvent, ModuleProgress, Sitting
from training.quizzes.selectors import sittings_of
from workspace.rows import (
    CellStatus,
    ModuleColumn,
    ReportRow,
    SectionColumn,
    _enrollment_rows,
    course_columns,
    fill_report_rows,
)


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


ANSWER_KEYS = ("response", "selected", "choices", "choice", "answer", "value", "text")


def _answer_record(number, block, raw) -> AnswerRecord:
    value, points, feedback = raw, None, ""
    if isinstance(raw, dict):
        points = raw.get("points", raw.get("score"))
        feedback = str(raw.get("feedback") or "")
        value = next((raw[key] for key in ANSWER_KEYS if key in raw), None)
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
        answer = "" if value is None else (_("richtig") if is_truthy(value) else _("falsch"))
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


def is_truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "ja", "richtig", "yes")
    return bool(value)
