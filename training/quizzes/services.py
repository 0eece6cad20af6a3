"""The quiz engine's writes: starting an attempt on the quiz revision it is pinned to, answering
(one question, a page, or all at once), closing an attempt whose time is up, and recording a pass
(which lets training.services.complete_module decide the module). Each function runs in one
transaction; refusals are training.errors with German messages.
"""

import random
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from training import errors
from training.errors import (
    NotFoundError,
    PermissionDeniedError,
    TimeLimitExceeded,
    TrainingError,
)
from training.models import Enrollment, ModuleProgress, Sitting
from training.quizzes import scoring
from training.quizzes.draws import draw_questions
from training.quizzes.pinning import pinned_questions, pinned_quiz, revision_content
from training.quizzes.questions import QuizQuestion
from training.quizzes.regrade_scoring import score_with_regrades
from training.quizzes.selectors import quiz_in_body
from training.services import (
    complete_course,
    enrollment_or_refuse,
    live_module_or_refuse,
    lock_active_enrollment,
    record_quiz_passed,
)

# A submit that leaves the browser just before the deadline still counts.
TIME_LIMIT_GRACE = timedelta(seconds=15)
ALL_QUESTIONS = "*"
_token_signer = signing.Signer(salt="training.sitting.sequence")
_system_random = random.SystemRandom()


# --- Quiz attempts -------------------------------------------------------------------------


_SITTING_RELATIONS = [f.name for f in Sitting._meta.concrete_fields if f.is_relation]


def _clean_sitting(sitting: Sitting, *, only: Sequence[str] | None = None, constraints=True):
    """``full_clean`` without re-reading the rows the attempt points at (they were read, or
    locked, in this transaction). ``only`` validates just the fields a write changes, leaving
    uniqueness and constraints to the database, whose IntegrityError has the last word."""
    if only is None:
        sitting.full_clean(exclude=_SITTING_RELATIONS, validate_constraints=constraints)
        return
    others = [f.name for f in Sitting._meta.concrete_fields if f.name not in only]
    sitting.full_clean(exclude=others, validate_unique=False, validate_constraints=False)


def sequence_token(sitting: Sitting, question_id: str) -> str:
    """The token an answer form carries: sitting, its sequence number and the question shown."""
    return _token_signer.sign(f"{sitting.pk}.{sitting.sequence}.{question_id}")


def _read_token(token: str | None) -> tuple[int, int, str]:
    try:
        sitting_pk, sequence, question_id = _token_signer.unsign(token or "").split(".", 2)
        return int(sitting_pk), int(sequence), question_id
    except (signing.BadSignature, ValueError) as exc:
        raise TrainingError(errors.MALFORMED_FORM) from exc


def _locked_sitting(*, user, sitting_id) -> Sitting:
    try:
        sitting_id = int(sitting_id)
    except (TypeError, ValueError) as exc:
        raise NotFoundError(errors.SITTING_NOT_FOUND) from exc
    # The attempt alone: its quiz's questions and rules come from the pinned revision.
    sitting = Sitting.objects.select_for_update().filter(pk=sitting_id).first()
    if sitting is None:
        raise NotFoundError(errors.SITTING_NOT_FOUND)
    if sitting.user_id != user.pk:
        raise PermissionDeniedError(errors.NOT_YOUR_SITTING)
    if (
        sitting.enrollment_id is not None
        and Enrollment.objects.filter(
            pk=sitting.enrollment_id, unenrolled_at__isnull=False
        ).exists()
    ):
        # Completion re-checks under the enrollment's lock (complete_module); this refuses the
        # answer itself, so nothing of an unenrolled person's attempt changes.
        raise PermissionDeniedError(errors.ENROLLMENT_ENDED)
    return sitting


def _is_expired(sitting: Sitting, now) -> bool:
    return sitting.deadline_at is not None and now > sitting.deadline_at + TIME_LIMIT_GRACE


def _responses(sitting: Sitting) -> tuple[dict, dict]:
    responses, marks = {}, {}
    for question_id, answer in sitting.answers.items():
        response = answer.get("response")
        responses[question_id] = response if isinstance(response, str) else tuple(response or ())
        if answer.get("points") is not None:
            marks[question_id] = Decimal(answer["points"])
    return responses, marks


def _record_pass(sitting: Sitting, now) -> None:
    if sitting.enrollment_id is None:
        return
    if sitting.module_id is None:  # the course's final exam (training.quizzes.exam)
        complete_course(enrollment_id=sitting.enrollment_id)
        return
    record_quiz_passed(enrollment_id=sitting.enrollment_id, module_id=sitting.module_id, at=now)


def settle(sitting: Sitting, quiz, questions: Mapping[str, QuizQuestion], now) -> None:
    """Scores a finished attempt, discards its paper if the quiz keeps none, records a pass."""
    responses, marks = _responses(sitting)
    result = score_with_regrades(  # the quiz's questions, as regraded by the course lead
        sitting, [questions[qid].for_scoring for qid in sitting.question_order], responses, marks
    )
    was_passed = sitting.passed
    sitting.score = result.score
    sitting.max_score = result.max_score
    sitting.needs_marking = result.needs_marking
    sitting.passed = (
        None
        if result.needs_marking
        else scoring.has_passed(result.score, result.max_score, quiz.pass_mark)
    )
    if not result.needs_marking and not quiz.exam_paper:
        sitting.answers = {}
        sitting.answers_discarded = True
    _clean_sitting(sitting)
    sitting.save()
    if sitting.passed and not was_passed:
        _record_pass(sitting, now)


def _finish(sitting: Sitting, quiz, questions, now, *, timed_out: bool = False) -> None:
    sitting.complete = True
    sitting.finished_at = now
    sitting.timed_out = timed_out
    settle(sitting, quiz, questions, now)


def _close_if_expired(sitting: Sitting, now) -> bool:
    if sitting.complete or not _is_expired(sitting, now):
        return False
    _finish(sitting, pinned_quiz(sitting), pinned_questions(sitting), now, timed_out=True)
    return True


def close_expired_sitting(*, user, sitting_id: int) -> Sitting:
    """Closes the attempt if its time limit has run out (scoring what was answered in time)."""
    with transaction.atomic():
        sitting = _locked_sitting(user=user, sitting_id=sitting_id)
        _close_if_expired(sitting, timezone.now())
        return sitting


def start_sitting(*, user, module_id: int) -> Sitting:
    """Starts an attempt at the module's live quiz, or returns the open one to resume it.

    The attempt is pinned to the quiz's live revision and draws its questions now. Attempt
    limits (``single_attempt``, ``max_attempts``) are checked here and held by the database:
    ``attempt_number`` is unique per person and quiz and at most one attempt per person and quiz
    may be open, so concurrent starts create one attempt and the others resume it.
    """
    module = live_module_or_refuse(module_id)
    enrollment = enrollment_or_refuse(user, module)
    quiz = quiz_in_body(module)
    if quiz is None or quiz.live_revision_id is None:
        raise NotFoundError(errors.QUIZ_UNAVAILABLE)
    return open_sitting(user=user, enrollment=enrollment, quiz=quiz, module=module)


def open_sitting(*, user, enrollment, quiz, module) -> Sitting:
    """Resumes or starts an attempt at ``quiz`` (``module`` None: the course's final exam)."""
    with transaction.atomic():
        current = (
            Sitting.objects.select_for_update().filter(user=user, quiz=quiz, complete=False).first()
        )
        if current and not _close_if_expired(current, timezone.now()):
            return current
    revision_id = quiz.live_revision_id
    pinned, questions = revision_content(revision_id, lambda: quiz.live_revision)
    if not questions:
        raise NotFoundError(errors.QUIZ_UNAVAILABLE)
    used = Sitting.objects.filter(user=user, quiz=quiz).count()
    limit = pinned.attempt_limit
    if limit is not None and used >= limit:
        # A concurrent request may have started the last allowed attempt since the check for an
        # open one above: resume that one rather than refuse.
        concurrent = Sitting.objects.filter(user=user, quiz=quiz, complete=False).first()
        if concurrent is not None:
            return concurrent
        raise PermissionDeniedError(errors.NO_ATTEMPTS_LEFT)
    order = draw_questions(
        [(q.id, q.category) for q in questions.values()],
        max_questions=pinned.max_questions,
        per_category=pinned.questions_per_category,
        random_order=pinned.random_order,
        rng=_system_random,
    )
    now = timezone.now()
    sitting = Sitting(
        user=user,
        quiz=quiz,
        quiz_revision_id=revision_id,
        enrollment=enrollment,
        module=module,
        attempt_number=used + 1,
        question_order=order,
        max_score=sum((questions[qid].points for qid in order), Decimal(0)),
        deadline_at=(
            now + timedelta(minutes=pinned.time_limit_minutes)
            if pinned.time_limit_minutes
            else None
        ),
    )
    try:
        with transaction.atomic():
            lock_active_enrollment(enrollment.pk)  # not unenrolled since the check above
            # the two unique constraints are the database's to enforce (IntegrityError below)
            _clean_sitting(sitting, constraints=False)
            sitting.save()
    except (IntegrityError, ValidationError):
        # Another request started an attempt at the same moment; the constraints let only one
        # through. Resume that one if it is open; otherwise the attempt number is taken.
        concurrent = Sitting.objects.filter(user=user, quiz=quiz, complete=False).first()
        if concurrent is not None:
            return concurrent
        if limit is not None and Sitting.objects.filter(user=user, quiz=quiz).count() >= limit:
            raise PermissionDeniedError(errors.NO_ATTEMPTS_LEFT) from None
        raise TrainingError(errors.START_CONFLICT) from None
    if module is not None:
        ModuleProgress.objects.get_or_create(enrollment=enrollment, module=module)
    return sitting


_RESPONSE_ERRORS = {
    scoring.InvalidResponse.MISSING: errors.MISSING_ANSWER,
    scoring.InvalidResponse.UNKNOWN_OPTION: errors.UNKNOWN_ANSWER,
    scoring.InvalidResponse.TOO_MANY: errors.TOO_MANY_ANSWERS,
    scoring.InvalidResponse.TOO_LONG: errors.ANSWER_TOO_LONG,
}


def response_error_message(code: str | None):
    """The German message for an ``InvalidResponse`` code (``None`` for no code)."""
    return _RESPONSE_ERRORS.get(code) if code else None


def _parse(question: QuizQuestion, values: Sequence[str]):
    try:
        return scoring.parse_response(question.for_scoring, values)
    except scoring.InvalidResponse as exc:
        raise TrainingError(_RESPONSE_ERRORS[exc.code], errors={question.id: exc.code}) from exc


def _store(sitting: Sitting, question: QuizQuestion, response, now) -> None:
    points = scoring.score_response(question.for_scoring, response)
    sitting.answers[question.id] = {
        "response": response if isinstance(response, str) else list(response),
        "points": None if points is None else str(points),
        "answered_at": now.isoformat(),
    }


def _check_form(sitting: Sitting, token, question_id) -> None:
    token_sitting, token_sequence, token_question = _read_token(token)
    if token_sitting != sitting.pk or not question_id:
        raise TrainingError(errors.MALFORMED_FORM)
    if question_id != ALL_QUESTIONS:
        if question_id not in sitting.question_order:
            raise TrainingError(errors.QUESTION_NOT_IN_SITTING)
        if question_id in sitting.answers:
            raise TrainingError(errors.ALREADY_ANSWERED)
    if token_sequence != sitting.sequence or token_question != question_id:
        raise TrainingError(errors.STALE_FORM)


def submit_answer(
    *, user, sitting_id: int, question_id: str, token: str, values: Sequence[str]
) -> Sitting:
    """Stores the answer to the question the form showed, scored on the server.

    Locks the attempt (``select_for_update``), so of two simultaneous submits only the first
    counts; the second finds the question answered. The form's sequence token must match the
    attempt's current sequence (no stale or replayed forms). After the time limit (plus a short
    grace) the answer is refused and the attempt closes with what was answered in time. The
    last answer finishes the attempt. Any refusal leaves the attempt unchanged.
    """
    with transaction.atomic():
        sitting = _locked_sitting(user=user, sitting_id=sitting_id)
        if sitting.complete:
            raise TrainingError(errors.SITTING_FINISHED)
        now = timezone.now()
        timed_out = _close_if_expired(sitting, now)
        if not timed_out:
            _check_form(sitting, token, question_id)
            if question_id == ALL_QUESTIONS:
                raise TrainingError(errors.MALFORMED_FORM)
            quiz = pinned_quiz(sitting)
            if not quiz.one_question_per_page:  # its form sends every answer at once
                raise TrainingError(errors.MALFORMED_FORM)
            questions = pinned_questions(sitting)
            question = questions.get(question_id)
            if question is None:  # in the order but not in its revision: corrupt, refuse
                raise TrainingError(errors.QUESTION_NOT_IN_SITTING)
            response = _parse(question, values)
            _store(sitting, question, response, now)
            sitting.sequence += 1
            if set(sitting.question_order) <= set(sitting.answers):
                _finish(sitting, quiz, questions, now)
            else:
                _clean_sitting(sitting, only=["answers", "sequence"])
                sitting.save(update_fields=["answers", "sequence"])
    if timed_out:
        raise TimeLimitExceeded(errors.TIME_UP)
    return sitting


def submit_form(
    *,
    user,
    sitting_id: int,
    token: str,
    question_id: str,
    values: Sequence[str],
    answers: Mapping[str, Sequence[str]],
) -> Sitting:
    """One posted form of an attempt: a single question's answer (:func:`submit_answer`) or, when
    the form's signed token is for all questions, which only the all-on-one-page form carries,
    every answer (:func:`submit_all_answers`). Each locks and checks the attempt itself."""
    try:
        all_questions = _read_token(token)[2] == ALL_QUESTIONS
    except TrainingError:
        all_questions = False  # submit_answer refuses the token after checking the attempt
    if all_questions:
        return submit_all_answers(user=user, sitting_id=sitting_id, token=token, answers=answers)
    return submit_answer(
        user=user, sitting_id=sitting_id, question_id=question_id, token=token, values=values
    )


def submit_all_answers(
    *, user, sitting_id: int, token: str, answers: Mapping[str, Sequence[str]]
) -> Sitting:
    """Stores every answer of an all-on-one-page attempt at once and finishes it.

    ``answers`` maps question ids to the posted values. Every question of the attempt must be
    answered validly, and no other question may appear; otherwise nothing is stored and the
    error names the questions (``TrainingError.errors``). Same locking, sequence and time rules
    as :func:`submit_answer`.
    """
    with transaction.atomic():
        sitting = _locked_sitting(user=user, sitting_id=sitting_id)
        if sitting.complete:
            raise TrainingError(errors.SITTING_FINISHED)
        now = timezone.now()
        timed_out = _close_if_expired(sitting, now)
        if not timed_out:
            _check_form(sitting, token, ALL_QUESTIONS)
            quiz = pinned_quiz(sitting)
            if quiz.one_question_per_page:  # its form asks one question at a time
                raise TrainingError(errors.MALFORMED_FORM)
            if any(qid not in sitting.question_order for qid in answers):
                raise TrainingError(errors.QUESTION_NOT_IN_SITTING)
            questions = pinned_questions(sitting)
            parsed, problems = {}, {}
            for qid in sitting.question_order:
                try:
                    parsed[qid] = scoring.parse_response(
                        questions[qid].for_scoring, answers.get(qid, ())
                    )
                except scoring.InvalidResponse as exc:
                    problems[qid] = exc.code
            if problems:
                codes = set(problems.values())
                message = (
                    errors.ANSWERS_INCOMPLETE
                    if codes == {scoring.InvalidResponse.MISSING}
                    else _RESPONSE_ERRORS[next(c for c in problems.values() if c != "missing")]
                )
                raise TrainingError(message, errors=problems)
            for qid, response in parsed.items():
                _store(sitting, questions[qid], response, now)
            sitting.sequence += 1
            _finish(sitting, quiz, questions, now)
    if timed_out:
        raise TimeLimitExceeded(errors.TIME_UP)
    return sitting
