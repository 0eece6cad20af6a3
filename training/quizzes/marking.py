"""Marking essays: trainers give points and feedback to a finished attempt's essay answers; each
mark is kept (EssayMark), and the attempt's score and result follow."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.notifications import Kind, notify
from audit.models import AuditAction
from audit.services import record_audit
from training import errors
from training.errors import NotFoundError, PermissionDeniedError, TrainingError
from training.models import EssayMark, Sitting
from training.quizzes import scoring
from training.quizzes.pinning import pinned_questions, pinned_quiz
from training.quizzes.services import settle


def can_mark_essays(user) -> bool:
    return bool(user and user.is_active and user.has_perm("training.mark_essays"))


def _parse_points(points) -> Decimal:
    try:
        value = Decimal(str(points).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise TrainingError(errors.POINTS_INVALID) from exc
    # Not a number, infinite, or too large for the points columns (7 digits, 2 of them decimals):
    # 1e309 or a 10,000-digit number would make quantize() raise InvalidOperation (a 500).
    if not value.is_finite() or value.adjusted() > POINTS_MAX_EXPONENT:
        raise TrainingError(errors.POINTS_INVALID)
    return value.quantize(scoring.CENT)


POINTS_MAX_EXPONENT = 4  # at most 99999.99 points


def mark_essay(*, sitting_id: int, block_id: str, points, feedback: str, marked_by) -> Sitting:
    """A trainer marks one essay answer of a finished attempt.

    Writes an audit row (who, when, old and new points, feedback) and an entry in the audit log
    (who marked which attempt, points before and after), re-scores the attempt and, when no
    essay is left unmarked, decides pass or fail; a pass goes through ``complete_module``. Once
    no essay is left unmarked, the person is notified (Mein Konto and an email after commit).
    Correcting a mark adds another row and entry; a module once completed stays completed.
    Locks the attempt, so two trainers marking at once are applied one after the other. Which
    attempts a trainer may mark (their cohorts') is the caller's check.
    """
    if not can_mark_essays(marked_by):
        raise PermissionDeniedError(errors.NOT_ALLOWED_TO_MARK)
    value = _parse_points(points)
    with transaction.atomic():
        sitting = (
            Sitting.objects.select_for_update(of=("self",))
            .select_related("quiz_revision")
            .filter(pk=sitting_id)
            .first()
        )
        if sitting is None:
            raise NotFoundError(errors.SITTING_NOT_FOUND)
        if not sitting.complete:
            raise TrainingError(errors.SITTING_NOT_FINISHED)
        quiz = pinned_quiz(sitting)
        questions = pinned_questions(sitting)
        question = questions.get(block_id)
        answer = sitting.answers.get(block_id)
        if (
            question is None
            or not question.is_essay
            or block_id not in sitting.question_order
            or answer is None
        ):
            raise TrainingError(errors.ESSAY_NOT_IN_SITTING)
        if not Decimal(0) <= value <= question.points:
            raise TrainingError(errors.POINTS_OUT_OF_RANGE % {"max": question.points})
        old = answer.get("points")
        now = timezone.now()
        answer.update(
            {
                "points": str(value),
                "feedback": feedback.strip(),
                "marked_at": now.isoformat(),
                "marked_by": marked_by.get_full_name() or marked_by.get_username(),
            }
        )
        old_points = None if old is None else Decimal(old).quantize(scoring.CENT)
        mark = EssayMark.objects.create(
            sitting=sitting,
            block_id=block_id,
            old_points=old_points,
            new_points=value,
            feedback=feedback.strip(),
            marked_by=marked_by,
            marked_by_name=marked_by.get_full_name() or marked_by.get_username(),
        )
        record_audit(
            actor=marked_by,
            action=AuditAction.ANSWER_MARKED,
            target=sitting,
            details={
                "block_id": block_id,
                "old_points": None if old_points is None else str(old_points),
                "new_points": str(value),
            },
        )
        settle(sitting, quiz, questions, now)
        if not sitting.needs_marking:
            # The result is decided (or corrected): the person learns of it in Mein Konto and
            # by email, once per mark.
            notify(
                user_id=sitting.user_id,
                kind=Kind.ESSAY_MARKED,
                params={"quiz": quiz.title, "sitting": sitting.pk},
                link=reverse("training:result", args=[sitting.pk]),
                occasion=f"essay-mark-{mark.pk}",
                email=True,
            )
        return sitting
