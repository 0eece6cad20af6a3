from django.utils import timezone

from cms.models import ModulePage
from tests.factories import complete_modules, meet_course_conditions
from training import events, services
from training.models import Enrollment, ModuleProgress


def finish_everything(enrollment, *, except_last=False):
    """Meets the demo course's other conditions (transfer tasks accepted, final exam passed)
    first, then completes the required modules (all but the last with ``except_last``)."""
    meet_course_conditions(enrollment)
    modules = list(ModulePage.objects.live().filter(required=True).order_by("path"))
    if except_last:
        modules = modules[:-1]
    complete_modules(enrollment, modules)
    return modules


def test_completing_the_last_required_module_completes_the_enrollment_once(
    demo, django_capture_on_commit_callbacks
):
    # given a participant and a callback listening for completed enrollments
    enrollment = Enrollment.objects.get(user=demo["participant"])
    announced = []
    events.subscribe(announced.append)
    try:
        # when every required module is completed (and the last one once more)
        with django_capture_on_commit_callbacks(execute=True):
            modules = finish_everything(enrollment)
            services.complete_module(enrollment_id=enrollment.pk, module_id=modules[-1].pk)
    finally:
        events.unsubscribe(announced.append)
    # then the enrollment is complete and the event was announced exactly once
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert announced == [enrollment.pk]


def test_a_module_without_passed_quiz_does_not_complete(demo):
    enrollment = Enrollment.objects.get(user=demo["participant"])
    module = ModulePage.objects.live().order_by("path").first()
    ModuleProgress.objects.create(
        enrollment=enrollment, module=module, content_done_at=timezone.now()
    )
    progress = services.complete_module(enrollment_id=enrollment.pk, module_id=module.pk)
    assert progress.completed_at is None
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
