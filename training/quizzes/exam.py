"""The course's final exam (*Abschlussprüfung*): a quiz of the Quiz snippet, chosen in the
course's rules (``CourseRules.final_exam``), that draws its questions per category from a pool
with its own time limit and attempt limit. It runs on the quiz engine's attempts (no module:
``Sitting.module`` stays empty); passing it lets ``training.services.complete_course`` decide the
course. It opens once every required module is complete."""

from __future__ import annotations

from dataclasses import dataclass

from training import errors
from training.completion import CompletionState, completion_state, final_exam
from training.errors import NotFoundError, PermissionDeniedError, TrainingError
from training.models import Enrollment, Quiz, Sitting
from training.quizzes.selectors import QuizState, quiz_state
from training.quizzes.services import open_sitting


def _enrollment_or_refuse(user, course_id) -> Enrollment:
    try:
        course_id = int(course_id)
    except (TypeError, ValueError) as exc:
        raise NotFoundError(errors.EXAM_NOT_OFFERED) from exc
    enrollment = Enrollment.objects.filter(user=user, course_id=course_id).first()
    if enrollment is None:
        raise PermissionDeniedError(errors.NOT_ENROLLED)
    if enrollment.unenrolled_at is not None:
        raise PermissionDeniedError(errors.ENROLLMENT_ENDED)
    return enrollment


def start_exam(*, user, course_id: int) -> Sitting:
    """Starts (or resumes) the user's attempt at their course's final exam.

    Refused (nothing written) when the person is not enrolled or unenrolled, the course has no
    published final exam, a required module is still open, the exam is already passed or every
    allowed attempt is used. Attempt limits, the time limit and concurrent starts are the quiz
    engine's (``open_sitting``): the attempt locks and database constraints hold them."""
    enrollment = _enrollment_or_refuse(user, course_id)
    quiz = final_exam(enrollment.course_id)
    if quiz is None or quiz.live_revision_id is None:
        raise NotFoundError(errors.EXAM_NOT_OFFERED)
    state = completion_state(enrollment)
    if not state.modules_done:
        raise PermissionDeniedError(errors.EXAM_LOCKED)
    if state.exam_passed:
        raise TrainingError(errors.EXAM_ALREADY_PASSED)
    return open_sitting(user=user, enrollment=enrollment, quiz=quiz, module=None)


@dataclass
class ExamOverview:
    """What *Mein Lernstand* shows about the final exam and the course's other conditions."""

    enrollment: Enrollment
    completion: CompletionState
    quiz: Quiz | None
    state: QuizState | None

    @property
    def unlocked(self) -> bool:
        return self.completion.modules_done

    @property
    def can_start(self) -> bool:
        return (
            self.quiz is not None
            and self.unlocked
            and not self.completion.exam_passed
            and self.enrollment.unenrolled_at is None
            and self.state.can_start
        )


def exam_overview(enrollment: Enrollment) -> ExamOverview:
    quiz = final_exam(enrollment.course_id)
    return ExamOverview(
        enrollment=enrollment,
        completion=completion_state(enrollment),
        quiz=quiz,
        state=quiz_state(enrollment.user_id, quiz) if quiz is not None else None,
    )
