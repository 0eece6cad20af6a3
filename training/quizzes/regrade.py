"""Regrading a faulty question of a quiz revision after the fact (course leads only).

The course lead gives full credit for one question to every attempt it was drawn in, or accepts
one more answer option as correct. Every finished attempt pinned to that revision is rescored
through ``training.quizzes.services.settle``, the same step that scores a new attempt: an
attempt that now passes records the pass, ``complete_module`` completes the module and, with
the last required module, the enrollment, whose completion enqueues the certificate task after
commit. Nothing here completes anything itself. The regrade is stored (``QuestionRegrade``),
so attempts still open or started later on that revision are scored with it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision

from audit.models import AuditAction
from audit.services import record_audit
from training.errors import NotFoundError, PermissionDeniedError, TrainingError
from training.models import QuestionRegrade, Quiz, Sitting
from training.quizzes import scoring, services
from training.quizzes.pinning import pinned_questions, pinned_quiz, revision_content
from training.quizzes.regrade_scoring import regraded_points, regrades_of

REGRADE_PERMISSION = "training.supervise_all_cohorts"  # the group «Kursleitung» has it

NOT_ALLOWED = _("Nur die Kursleitung darf Fragen neu bewerten.")
QUIZ_NOT_FOUND = _("Diese Lernkontrolle gibt es nicht.")
REVISION_NOT_FOUND = _("Diese Fassung gehört nicht zu dieser Lernkontrolle.")
QUESTION_NOT_IN_REVISION = _("Diese Frage steht nicht in dieser Fassung der Lernkontrolle.")
UNKNOWN_KIND = _("Bitte wählen Sie, wie die Frage neu bewertet werden soll.")
ESSAY_NOT_REGRADABLE = _(
    "Freitextfragen werden einzeln bewertet; eine Neubewertung gibt es nur für Auswahlfragen."
)
UNKNOWN_OPTION = _("Diese Antwort gibt es bei dieser Frage nicht.")
OPTION_ALREADY_CORRECT = _("Diese Antwort gilt bereits als richtig.")
NOTHING_TO_CHANGE = _(
    "Nichts zu ändern: Diese Neubewertung wurde für diese Fassung bereits vorgenommen."
)


def can_regrade(user) -> bool:
    return bool(user and user.is_active and user.has_perm(REGRADE_PERMISSION))


@dataclass(frozen=True)
class RegradePlan:
    """What a regrade would touch: shown on the confirmation page before it is applied."""

    quiz: Quiz
    revision: Revision
    question: object  # training.quizzes.questions.QuizQuestion
    kind: str
    option_id: str
    affected: int  # finished attempts with their answers kept, drawn this question
    without_answers: int  # finished attempts whose answers were discarded: cannot be rescored
    already_done: bool

    @property
    def option_text(self) -> str:
        return next((o.text for o in self.question.options if o.id == self.option_id), "")


@dataclass(frozen=True)
class RegradeResult:
    regrade: QuestionRegrade | None  # None: nothing to change
    rescored: int
    newly_passed: int


def _int(value, error):
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise NotFoundError(error) from exc


def revision_questions(quiz: Quiz, revision_id):
    """The revision of ``quiz`` and its questions; 404 for another quiz's revision."""
    revision_id = _int(revision_id, REVISION_NOT_FOUND)
    revision = Revision.objects.filter(
        pk=revision_id,
        content_type_id=quiz.get_content_type().pk,
        object_id=str(quiz.pk),
    ).first()
    if revision is None:
        raise NotFoundError(REVISION_NOT_FOUND)
    return revision, revision_content(revision.pk, lambda: revision)[1]


def revisions_with_question(quiz: Quiz, question_id: str) -> list[Revision]:
    """The quiz's revisions that have attempts and contain the question, newest first."""
    ids = (
        Sitting.objects.filter(quiz=quiz, question_order__contains=[question_id])
        .values_list("quiz_revision_id", flat=True)
        .distinct()
    )
    return list(Revision.objects.filter(pk__in=list(ids)).order_by("-pk"))


def _sittings(revision_id, question_id):
    return Sitting.objects.filter(
        quiz_revision_id=revision_id, complete=True, question_order__contains=[question_id]
    )


def plan_regrade(*, actor, quiz_id, revision_id, question_id, kind, option_id="") -> RegradePlan:
    """Checks a regrade and counts the attempts it affects; changes nothing."""
    if not can_regrade(actor):
        raise PermissionDeniedError(NOT_ALLOWED)
    quiz = Quiz.objects.filter(pk=_int(quiz_id, QUIZ_NOT_FOUND)).first()
    if quiz is None:
        raise NotFoundError(QUIZ_NOT_FOUND)
    revision, questions = revision_questions(quiz, revision_id)
    question = questions.get(str(question_id or ""))
    if question is None:
        raise NotFoundError(QUESTION_NOT_IN_REVISION)
    if kind not in QuestionRegrade.Kind.values:
        raise TrainingError(UNKNOWN_KIND)
    if question.kind == scoring.ESSAY:
        raise TrainingError(ESSAY_NOT_REGRADABLE)
    option_id = str(option_id or "") if kind == QuestionRegrade.Kind.ACCEPT_OPTION else ""
    if kind == QuestionRegrade.Kind.ACCEPT_OPTION:
        option = next((o for o in question.options if o.id == option_id), None)
        if option is None:
            raise TrainingError(UNKNOWN_OPTION)
        if option.correct:
            raise TrainingError(OPTION_ALREADY_CORRECT)
    existing = regrades_of(revision.pk).get(question.id, [])
    already_done = any(
        r.kind == QuestionRegrade.Kind.FULL_CREDIT or (r.kind == kind and r.option_id == option_id)
        for r in existing
    )
    sittings = _sittings(revision.pk, question.id)
    return RegradePlan(
        quiz=quiz,
        revision=revision,
        question=question,
        kind=kind,
        option_id=option_id,
        affected=sittings.filter(answers_discarded=False).count(),
        without_answers=sittings.filter(answers_discarded=True).count(),
        already_done=already_done,
    )


def regrade_question(
    *, actor, quiz_id, revision_id, question_id, kind, option_id=""
) -> RegradeResult:
    """Stores the regrade and rescores every finished attempt of the revision that drew the
    question, in one transaction, each attempt locked. Idempotent: the same regrade again (or
    any regrade after full credit) changes nothing and writes no audit entry. Attempts whose
    answers were discarded (the quiz keeps no exam papers) cannot be rescored and are left."""
    plan = plan_regrade(
        actor=actor,
        quiz_id=quiz_id,
        revision_id=revision_id,
        question_id=question_id,
        kind=kind,
        option_id=option_id,
    )
    if plan.already_done:
        return RegradeResult(regrade=None, rescored=0, newly_passed=0)
    try:
        with transaction.atomic():
            regrade = QuestionRegrade.objects.create(
                quiz=plan.quiz,
                quiz_revision=plan.revision,
                question_id=plan.question.id,
                kind=plan.kind,
                option_id=plan.option_id,
                created_by=actor,
            )
            rescored, newly_passed = _rescore(plan)
            regrade.sittings_rescored = rescored
            regrade.save(update_fields=["sittings_rescored"])
            record_audit(
                actor=actor,
                action=AuditAction.QUIZ_REGRADED,
                target=regrade,
                details={
                    "quiz": plan.quiz.pk,
                    "revision": plan.revision.pk,
                    "question": plan.question.id,
                    "kind": plan.kind,
                    "option": plan.option_id,
                    "sittings_rescored": rescored,
                    "newly_passed": newly_passed,
                },
            )
    except IntegrityError:  # the same regrade, committed concurrently: nothing to change
        return RegradeResult(regrade=None, rescored=0, newly_passed=0)
    return RegradeResult(regrade=regrade, rescored=rescored, newly_passed=newly_passed)


def _rescore(plan: RegradePlan) -> tuple[int, int]:
    now = timezone.now()
    ids = list(
        _sittings(plan.revision.pk, plan.question.id)
        .filter(answers_discarded=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    regrades = regrades_of(plan.revision.pk).get(plan.question.id, [])
    rescored = newly_passed = 0
    for sitting_id in ids:
        sitting = Sitting.objects.select_for_update().get(pk=sitting_id)
        quiz = pinned_quiz(sitting)
        questions = pinned_questions(sitting)
        _mark_answer(sitting, questions[plan.question.id].for_scoring, regrades)
        was_passed = sitting.passed
        services.settle(sitting, quiz, questions, now)  # the scoring every attempt goes through
        rescored += 1
        newly_passed += bool(sitting.passed and not was_passed)
    return rescored, newly_passed


def _mark_answer(sitting: Sitting, question: scoring.Question, regrades) -> None:
    """Notes the regraded points on the stored answer, for the trainer's attempt page."""
    answer = sitting.answers.get(question.id)
    if answer is None:
        return
    response = answer.get("response")
    response = tuple(response) if isinstance(response, list) else None
    answer["points"] = str(regraded_points(question, response, regrades))
    answer["regraded"] = True
