"""Read-side queries of participants' learning state. Derived figures (progress, percentages)
are computed here from the rows, never stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.utils.translation import gettext_lazy as _

from training import scoring
from training.errors import (
    NOT_YOUR_SITTING,
    SITTING_NOT_FOUND,
    NotFoundError,
    PermissionDeniedError,
)
from training.models import Enrollment, ModuleProgress, Quiz, Sitting
from training.questions import quiz_questions

NO_CATEGORY = _("Ohne Kompetenzbereich")


# --- Modules and their quizzes -------------------------------------------------------------


def module_quiz(module_id: int) -> Quiz | None:
    """The live quiz placed in the module's published body, if any."""
    from cms.models import ModulePage

    module = ModulePage.objects.filter(pk=module_id).only("pk", "body").first()
    return None if module is None else quiz_in_body(module)


def quiz_in_body(module) -> Quiz | None:
    """The live quiz of a module instance already at hand: one query for the quiz row, none for
    the body (its questions stay unread: an attempt reads them from its pinned revision)."""
    quiz_id = quiz_id_in_body(module)
    if quiz_id is None:
        return None
    return Quiz.objects.filter(pk=quiz_id, live=True).defer("questions").first()


def _enrollments_for_module(user, module):
    """The user's enrollments in a course above the module. The course's place in the tree
    is one of the module's path prefixes (treebeard's materialised path): a join on the page
    row instead of a subquery for the module's ancestors, cheaper to build and to run."""
    steplen = module.steplen
    ancestor_paths = [module.path[:end] for end in range(steplen, len(module.path), steplen)]
    return Enrollment.objects.filter(user=user, course__path__in=ancestor_paths).select_related(
        "cohort"
    )


def enrollment_for_module(user, module) -> Enrollment | None:
    """The user's enrollment in the course the module belongs to."""
    if user is None or not user.is_authenticated:
        return None
    return _enrollments_for_module(user, module).first()


_PROGRESS_FIELDS = [f.attname for f in ModuleProgress._meta.concrete_fields]
_QUIZ_FIELDS = [f.attname for f in Quiz._meta.concrete_fields]
_SITTING_FIELDS = [f.attname for f in Sitting._meta.concrete_fields]


def enrollment_with_progress(user, module) -> tuple[Enrollment | None, ModuleProgress | None]:
    """The user's enrollment in the module's course and their progress row for the module,
    in one query (the progress row joined in; None when the module is not started)."""
    row = (
        _enrollments_for_module(user, module)
        .annotate(own=FilteredRelation("progress", condition=Q(progress__module=module.pk)))
        .annotate(**{f"own_{f}": F(f"own__{f}") for f in _PROGRESS_FIELDS})
        .first()
    )
    if row is None:
        return None, None
    values = [getattr(row, f"own_{f}") for f in _PROGRESS_FIELDS]
    if values[_PROGRESS_FIELDS.index("id")] is None:
        return row, None
    progress = ModuleProgress.from_db(row._state.db, _PROGRESS_FIELDS, values)
    progress.enrollment = row
    return row, progress


def quiz_id_in_body(module) -> int | None:
    """The id of the quiz placed in the module's body, read from the raw block data (no query;
    iterating the body would load every chosen snippet)."""
    for block in module.body.raw_data:
        if block["type"] == "quiz" and (block["value"] or {}).get("quiz"):
            return int(block["value"]["quiz"])
    return None


@dataclass
class QuizState:
    quiz: Quiz
    sittings: list[Sitting]
    attempt_limit: int | None

    @property
    def open_sitting(self) -> Sitting | None:
        return next((s for s in self.sittings if not s.complete), None)

    @property
    def finished(self) -> list[Sitting]:
        return [s for s in self.sittings if s.complete]

    @property
    def last_finished(self) -> Sitting | None:
        return self.finished[0] if self.finished else None

    @property
    def passed(self) -> bool:
        return any(s.passed for s in self.sittings)

    @property
    def pending(self) -> bool:
        return any(s.complete and s.needs_marking for s in self.sittings)

    @property
    def attempts_used(self) -> int:
        return len(self.sittings)

    @property
    def attempts_left(self) -> int | None:
        if self.attempt_limit is None:
            return None
        return max(self.attempt_limit - self.attempts_used, 0)

    @property
    def can_start(self) -> bool:
        return self.open_sitting is None and self.attempts_left != 0


def quiz_state(user, quiz: Quiz) -> QuizState:
    sittings = list(Sitting.objects.filter(user=user, quiz=quiz).order_by("-attempt_number"))
    return QuizState(quiz=quiz, sittings=sittings, attempt_limit=quiz.attempt_limit)


def live_quiz_state(user, quiz_id: int) -> QuizState | None:
    """The live quiz with this id and the user's attempts at it (newest first), in one query:
    the attempts are joined to the quiz row. None when the quiz is not live."""
    rows = list(
        Quiz.objects.filter(pk=quiz_id, live=True)
        .annotate(own=FilteredRelation("sittings", condition=Q(sittings__user=user)))
        .order_by(F("own__attempt_number").desc(nulls_last=True))
        .values_list(*_QUIZ_FIELDS, *(f"own__{f}" for f in _SITTING_FIELDS))
    )
    if not rows:
        return None
    db = Quiz.objects.db
    n = len(_QUIZ_FIELDS)
    quiz = Quiz.from_db(db, _QUIZ_FIELDS, rows[0][:n])
    sittings = []
    for row in rows:
        if row[n + _SITTING_FIELDS.index("id")] is None:
            continue  # no attempt yet: the quiz row alone
        sitting = Sitting.from_db(db, _SITTING_FIELDS, row[n:])
        sitting.quiz = quiz
        sittings.append(sitting)
    return QuizState(quiz=quiz, sittings=sittings, attempt_limit=quiz.attempt_limit)


def module_panel(user, module) -> dict:
    """Everything the module page's progress panel shows for this person."""
    if user is None or not user.is_authenticated:
        return {"state": "anonymous"}
    enrollment, progress = enrollment_with_progress(user, module)
    if enrollment is None:
        return {"state": "not_enrolled"}
    if enrollment.unenrolled_at is not None:
        return {"state": "unenrolled", "enrollment": enrollment, "progress": progress}
    quiz_id = quiz_id_in_body(module)
    return {
        "state": "enrolled",
        "enrollment": enrollment,
        "progress": progress,
        "quiz": live_quiz_state(user, quiz_id) if quiz_id else None,
    }


# --- Attempts ------------------------------------------------------------------------------


def enrollment_ended(sitting: Sitting) -> bool:
    """Whether the attempt belongs to an enrollment that has been unenrolled."""
    return (
        sitting.enrollment_id is not None
        and Enrollment.objects.filter(
            pk=sitting.enrollment_id, unenrolled_at__isnull=False
        ).exists()
    )


def sitting_of(user, sitting_id, *, with_quiz_and_module: bool = False) -> Sitting:
    """The user's attempt; 404 for an unknown id, 403 for someone else's attempt.

    Question pages read the attempt alone: the quiz's questions and rules come from the pinned
    revision (services.pinned_quiz). The result page asks for the quiz row (its publishing state
    decides whether a new attempt may start) and the module (its title and neighbours) too, not
    their big JSON columns."""
    try:
        sitting_id = int(sitting_id)
    except (TypeError, ValueError) as exc:
        raise NotFoundError(SITTING_NOT_FOUND) from exc
    sittings = Sitting.objects.filter(pk=sitting_id)
    if with_quiz_and_module:
        sittings = sittings.select_related("quiz", "module").defer(
            "quiz__questions", "module__body", "module__learning_objectives"
        )
    sitting = sittings.first()
    if sitting is None:
        raise NotFoundError(SITTING_NOT_FOUND)
    if sitting.user_id != user.pk:
        raise PermissionDeniedError(NOT_YOUR_SITTING)
    return sitting


@dataclass
class ReviewItem:
    number: int
    question: object  # QuizQuestion
    answer: dict | None
    chosen: frozenset = frozenset()
    points: Decimal | None = None
    correct: bool | None = None
    options: tuple = ()

    @property
    def pending(self) -> bool:
        return self.question.is_essay and self.answer is not None and self.points is None


def review_of(sitting: Sitting, quiz=None, questions=None, only=None) -> list[ReviewItem]:
    """The attempt's questions with the person's answers and the solutions, in order.

    Only for questions already answered (or the whole attempt once it is finished)."""
    quiz = quiz or sitting.quiz_revision.as_object()
    questions = questions or quiz_questions(quiz)
    items = []
    for number, qid in enumerate(sitting.question_order, start=1):
        if only is not None and qid not in only:
            continue
        question = questions.get(qid)
        if question is None:
            continue
        answer = sitting.answers.get(qid)
        item = ReviewItem(
            number=number,
            question=question,
            answer=answer,
            options=question.arranged(sitting.pk),
        )
        if answer is not None:
            response = answer.get("response")
            item.chosen = frozenset([response] if isinstance(response, str) else response or [])
            item.points = None if answer.get("points") is None else Decimal(answer["points"])
            if not question.is_essay:
                item.correct = item.points == question.points
        items.append(item)
    return items


# --- The dashboard -------------------------------------------------------------------------


@dataclass
class ModuleStatus:
    module: object
    progress: ModuleProgress | None

    @property
    def complete(self) -> bool:
        return bool(self.progress and self.progress.completed_at)

    @property
    def state(self) -> str:
        if self.complete:
            return "complete"
        if self.progress and self.progress.content_done_at:
            return "quiz_open"
        if self.progress and self.progress.quiz_passed_at:
            return "read_open"
        if self.progress:
            return "started"
        return "open"

    @property
    def state_display(self) -> tuple[str, str, str]:
        """The state as Mein Lernstand shows it: CSS class, a mark and the label."""
        return MODULE_STATE_DISPLAY[self.state]


MODULE_STATE_DISPLAY = {
    "complete": ("status status--ok", "✓ ", _("abgeschlossen")),
    "quiz_open": ("status status--pending", "", _("gelesen, Lernkontrolle noch nicht bestanden")),
    "read_open": (
        "status status--pending",
        "",
        _("Lernkontrolle bestanden, Inhalt noch nicht als gelesen markiert"),
    ),
    "started": ("status", "", _("begonnen")),
    "open": ("status", "", _("noch offen")),
}


@dataclass
class SectionProgress:
    section: object
    modules: list[ModuleStatus]

    @property
    def required(self) -> list[ModuleStatus]:
        return [m for m in self.modules if m.module.required]

    @property
    def done(self) -> int:
        return sum(1 for m in self.required if m.complete)

    @property
    def total(self) -> int:
        return len(self.required)

    @property
    def percent(self) -> int:
        return scoring.percent(self.done, self.total, empty=100)


@dataclass
class EnrollmentOverview:
    enrollment: Enrollment
    sections: list[SectionProgress]
    sittings: list[Sitting] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(s.done for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def percent(self) -> int:
        return scoring.percent(self.done, self.total, empty=100)

    @property
    def next_module(self):
        """Weiterlernen: the first module in reading order not complete (required ones first)."""
        statuses = [m for s in self.sections for m in s.modules]
        for candidates in ([m for m in statuses if m.module.required], statuses):
            for status in candidates:
                if not status.complete:
                    return status
        return None

    @property
    def pending(self) -> list[Sitting]:
        return [s for s in self.sittings if s.complete and s.needs_marking]


_DASHBOARD_SITTING_FIELDS = (
    "enrollment",
    "attempt_number",
    "started_at",
    "finished_at",
    "complete",
    "passed",
    "score",
    "max_score",
    "needs_marking",
    "quiz",
    "quiz__title",
)


def dashboard_for(user) -> dict:
    """Mein Lernstand: per enrollment the sections with module states, the next module, the
    attempts and pending essays. A fixed number of queries per enrollment."""
    from cms.selectors import course_outline

    overviews = []
    # The course page only for its title and place in the tree (the outline is memoised).
    enrollments = (
        Enrollment.objects.filter(user=user)
        .select_related("cohort", "course")
        .only(
            *(f.attname for f in Enrollment._meta.concrete_fields),
            "cohort__name",
            "course__title",
            "course__path",
            "course__depth",
        )
    )
    for enrollment in enrollments:
        progress = {p.module_id: p for p in enrollment.progress.all()}
        sections = [
            SectionProgress(
                section=outline.section,
                modules=[
                    ModuleStatus(module=m, progress=progress.get(m.pk)) for m in outline.modules
                ],
            )
            for outline in course_outline(enrollment.course)
        ]
        # What the attempts table and the pending list show; the quizzes' questions stay unread.
        sittings = list(
            enrollment.sittings.select_related("quiz")
            .only(*_DASHBOARD_SITTING_FIELDS)
            .order_by("-started_at", "-pk")
        )
        overviews.append(
            EnrollmentOverview(enrollment=enrollment, sections=sections, sittings=sittings)
        )
    return {"overviews": overviews, "enrollments": [o.enrollment for o in overviews]}


# --- Progress per competence area (django-quiz-app's "Progress" page) -----------------------


@dataclass
class CategoryScore:
    category: str
    label: str
    score: Decimal
    max_score: Decimal
    sittings: int
    passed: int

    @property
    def percent(self) -> int:
        return scoring.percent(self.score, self.max_score)


def category_progress(user) -> dict:
    """Points earned of points possible per competence area over all finished, marked
    attempts, and the list of those attempts (the person's exam papers)."""
    from cms.models import CompetenceArea

    finished = Sitting.objects.filter(user=user, complete=True)
    rows = (
        finished.filter(needs_marking=False)
        .values("quiz__category")
        .annotate(
            score=Sum("score"),
            max_score=Sum("max_score"),
            sittings=Count("pk"),
            passed=Count("pk", filter=Q(passed=True)),
        )
    )
    by_category = {row["quiz__category"]: row for row in rows}
    labels = dict(CompetenceArea.choices)
    categories = []
    for key in [*labels, *sorted(k for k in by_category if k not in labels)]:
        row = by_category.get(key)
        if row is None and key not in labels:
            continue
        categories.append(
            CategoryScore(
                category=key,
                label=str(labels.get(key) or NO_CATEGORY),
                score=row["score"] if row else Decimal(0),
                max_score=row["max_score"] if row else Decimal(0),
                sittings=row["sittings"] if row else 0,
                passed=row["passed"] if row else 0,
            )
        )
    papers = list(finished.select_related("quiz", "module").order_by("-finished_at", "-pk"))
    return {"categories": categories, "papers": papers}
