"""Read queries of the quiz engine: a module's live quiz, a participant's state in it, an
attempt and its review, progress per competence area (django-quiz-app's *Progress*), and the
attempts that belong to an enrollment or to the cohorts a trainer supervises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.utils.translation import gettext_lazy as _

from training.access import cohorts_for
from training.errors import (
    NOT_YOUR_SITTING,
    SITTING_NOT_FOUND,
    NotFoundError,
    PermissionDeniedError,
)
from training.models import Enrollment, ModuleProgress, Quiz, Sitting
from training.quizzes import scoring
from training.quizzes.questions import quiz_questions

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


_PROGRESS_FIELDS = [f.attname for f in ModuleProgress._meta.concrete_fields]
_QUIZ_FIELDS = [f.attname for f in Quiz._meta.concrete_fields]
_SITTING_FIELDS = [f.attname for f in Sitting._meta.concrete_fields]


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
    # In a refresher only attempts started since it began count (passed, limit).
    since: datetime | None = None

    @property
    def counted(self) -> list[Sitting]:
        if self.since is None:
            return self.sittings
        return [s for s in self.sittings if s.started_at >= self.since]

    @property
    def open_sitting(self) -> Sitting | None:
        return next((s for s in self.sittings if not s.complete), None)

    @property
    def finished(self) -> list[Sitting]:
        return [s for s in self.counted if s.complete]

    @property
    def last_finished(self) -> Sitting | None:
        return self.finished[0] if self.finished else None

    @property
    def passed(self) -> bool:
        return any(s.passed for s in self.counted)

    @property
    def pending(self) -> bool:
        return any(s.complete and s.needs_marking for s in self.counted)

    @property
    def attempts_used(self) -> int:
        return len(self.counted)

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


def live_quiz_state(user, quiz_id: int, *, since=None) -> QuizState | None:
    """The live quiz with this id and the user's attempts at it (newest first), in one query:
    the attempts are joined to the quiz row. None when the quiz is not live. ``since``: only
    attempts started then or later count (a refresher)."""
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
    return QuizState(quiz=quiz, sittings=sittings, attempt_limit=quiz.attempt_limit, since=since)


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


def essays_waiting_count(enrollments) -> int:
    """Complete sittings of these enrollments with free-text answers waiting for marking."""
    return Sitting.objects.filter(
        enrollment__in=enrollments, needs_marking=True, complete=True
    ).count()
