from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from certificates.models import Certificate
from cms.selectors import course_modules
from tests.factories import meet_course_conditions
from training import services
from training.completion import completion_state
from training.models import Enrollment, ModuleProgress, TransferTask


def test_the_second_demo_participant_misses_the_last_module_a_transfer_task_and_the_exam(
    demo, django_capture_on_commit_callbacks
):
    # given the seeded demo
    user = get_user_model().objects.get(username="teilnehmerin2")
    enrollment = Enrollment.objects.get(user=user)
    required = [m for m in course_modules(demo["course"]) if m.required]
    # then every required module but the last is complete, two transfer tasks are accepted,
    # the third waits for the trainer, and the course is not complete
    done = set(
        ModuleProgress.objects.filter(
            enrollment=enrollment, completed_at__isnull=False
        ).values_list("module_id", flat=True)
    )
    assert done == {m.pk for m in required[:-1]}
    assert sorted(
        TransferTask.objects.filter(enrollment=enrollment).values_list("status", flat=True)
    ) == ["accepted", "accepted", "submitted"]
    state = completion_state(enrollment)
    assert (state.exam_required, state.exam_passed, len(state.transfer_open)) == (True, False, 1)
    assert enrollment.completed_at is None
    assert user.check_password("Buergerservice-2026")
    # when she completes the last module
    last = required[-1]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ModuleProgress.objects.create(
            enrollment=enrollment, module=last, content_done_at=timezone.now(),
            quiz_passed_at=timezone.now(),
        )  # fmt: skip
        services.complete_module(enrollment_id=enrollment.pk, module_id=last.pk)
    # then the course still waits for the transfer task and the final exam
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    # when her last transfer task is accepted and she passes the final exam
    with django_capture_on_commit_callbacks(execute=True):
        meet_course_conditions(enrollment)
    # then her certificate is issued (tasks run in-process here)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.holder_name == "Anna Schärer"
    assert [s["title"] for s in certificate.sections] == [
        "Digitale Service-Expertise",
        "Digitales Service-Mindset",
        "Bürgerinteraktion 4.0",
    ]
