"""What completes a course: its live required modules, and with the course's rules
(``CourseRules``) a passed final exam and an accepted transfer task per section. One place, read
by ``training.services`` when it completes an enrollment (under the enrollment's row lock), by
the certificate task under the same lock, and by *Mein Lernstand*."""

from __future__ import annotations

from dataclasses import dataclass, field

from cms.models import CoursePage, ModulePage, SectionPage
from training.models import CourseRules, Enrollment, Quiz, Sitting, TransferTask


def required_module_ids(course_id: int) -> set[int]:
    course = CoursePage.objects.get(pk=course_id)
    return set(
        ModulePage.objects.live()
        .descendant_of(course)
        .filter(required=True)
        .values_list("pk", flat=True)
    )


def rules_for(course_id: int) -> CourseRules | None:
    return CourseRules.objects.filter(course_id=course_id).first()


def final_exam(course_id: int) -> Quiz | None:
    """The course's final exam, when it has one that is published."""
    rules = rules_for(course_id)
    if rules is None or rules.final_exam_id is None:
        return None
    return Quiz.objects.filter(pk=rules.final_exam_id, live=True).defer("questions").first()


def section_ids(course_id: int) -> list[int]:
    course = CoursePage.objects.get(pk=course_id)
    return list(
        SectionPage.objects.live()
        .child_of(course)
        .order_by("order", "path")
        .values_list("pk", flat=True)
    )


@dataclass
class CompletionState:
    """Which of the course's conditions an enrollment meets."""

    modules_done: bool
    exam_required: bool = False
    exam_passed: bool = False
    transfer_required: bool = False
    transfer_open: list[int] = field(default_factory=list)  # section ids not yet accepted

    @property
    def complete(self) -> bool:
        return (
            self.modules_done
            and (self.exam_passed or not self.exam_required)
            and not (self.transfer_required and self.transfer_open)
        )


def completion_state(enrollment: Enrollment) -> CompletionState:
    """The conditions as they stand now (a fixed number of queries)."""
    required = required_module_ids(enrollment.course_id)
    done = set(
        enrollment.progress.filter(completed_at__isnull=False).values_list("module_id", flat=True)
    )
    state = CompletionState(modules_done=bool(required) and required <= done)
    rules = rules_for(enrollment.course_id)
    if rules is None:
        return state
    exam = final_exam(enrollment.course_id) if rules.final_exam_id else None
    if exam is not None:
        state.exam_required = True
        state.exam_passed = Sitting.objects.filter(
            enrollment=enrollment, quiz=exam, complete=True, passed=True
        ).exists()
    if rules.transfer_tasks == CourseRules.TransferTasks.REQUIRED:
        state.transfer_required = True
        accepted = set(
            TransferTask.objects.filter(
                enrollment=enrollment, status=TransferTask.Status.ACCEPTED
            ).values_list("section_id", flat=True)
        )
        state.transfer_open = [pk for pk in section_ids(enrollment.course_id) if pk not in accepted]
    return state
