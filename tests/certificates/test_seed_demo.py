from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from certificates.models import Certificate
from cms.selectors import course_modules
from training import services
from training.models import Enrollment, ModuleProgress


def test_the_second_demo_participant_misses_only_the_last_module(
    demo, django_capture_on_commit_callbacks
):
    # given the seeded demo
    user = get_user_model().objects.get(username="teilnehmerin2")
    enrollment = Enrollment.objects.get(user=user)
    required = [m for m in course_modules(demo["course"]) if m.required]
    # then every required module but the last is complete, and the course is not
    done = set(
        ModuleProgress.objects.filter(
            enrollment=enrollment, completed_at__isnull=False
        ).values_list("module_id", flat=True)
    )
    assert done == {m.pk for m in required[:-1]}
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
    # then her certificate is issued (tasks run in-process here)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.holder_name == "Anna Schärer"
    assert [s["title"] for s in certificate.sections] == [
        "Digitale Service-Expertise",
        "Digitales Service-Mindset",
        "Bürgerinteraktion 4.0",
    ]
