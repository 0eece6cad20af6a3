"""All writes to per-person learning state. Each function runs in one transaction.

The one cross-app event is *enrollment completed*: when ``complete_module`` completes the last
required module, it sets ``Enrollment.completed_at`` and, after the transaction commits, calls
every callback registered with ``on_enrollment_completed`` with the enrollment's id. The
certificates app registers one (in its AppConfig.ready) that enqueues the certificate task.
Nothing is announced when the transaction rolls back.
"""

from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.utils import timezone

from training.models import Cohort, Enrollment, ModuleProgress

_enrollment_completed_callbacks: list[Callable[[int], None]] = []


def on_enrollment_completed(callback: Callable[[int], None]) -> Callable[[int], None]:
    """Registers ``callback(enrollment_id)`` to run after an enrollment's completion commits."""
    if callback not in _enrollment_completed_callbacks:
        _enrollment_completed_callbacks.append(callback)
    return callback


def _announce_enrollment_completed(enrollment_id: int) -> None:
    for callback in list(_enrollment_completed_callbacks):
        transaction.on_commit(partial(callback, enrollment_id), robust=True)


@transaction.atomic
def enroll(*, user, cohort: Cohort) -> Enrollment:
    """Enrolls the user in the cohort's course. Idempotent: an existing enrollment is returned."""
    enrollment, _ = Enrollment.objects.get_or_create(
        user=user, course_id=cohort.course_id, defaults={"cohort": cohort}
    )
    return enrollment


def required_module_ids(course_id: int) -> set[int]:
    from cms.models import CoursePage, ModulePage

    course = CoursePage.objects.get(pk=course_id)
    return set(
        ModulePage.objects.live()
        .descendant_of(course)
        .filter(required=True)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def complete_module(*, enrollment_id: int, module_id: int) -> ModuleProgress:
    """Decides whether the module is complete for this enrollment, and the course with it.

    A module is complete when its content is marked read and its quiz (if any) is passed
    (``quiz_passed_at`` set by the quiz services). Locks the enrollment row (``select_for_update``)
    so two concurrent completions cannot both complete the course; completing twice is a no-op.
    """
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment_id)
    progress, _ = ModuleProgress.objects.get_or_create(enrollment=enrollment, module_id=module_id)
    if progress.completed_at is None and _module_requirements_met(progress):
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
    if enrollment.completed_at is None:
        done = set(
            enrollment.progress.filter(completed_at__isnull=False).values_list(
                "module_id", flat=True
            )
        )
        required = required_module_ids(enrollment.course_id)
        if required and required <= done:
            enrollment.completed_at = timezone.now()
            enrollment.save(update_fields=["completed_at"])
            _announce_enrollment_completed(enrollment.pk)
    return progress


def _module_requirements_met(progress: ModuleProgress) -> bool:
    from training.selectors import module_quiz

    if progress.content_done_at is None:
        return False
    quiz = module_quiz(progress.module_id)
    return quiz is None or progress.quiz_passed_at is not None
