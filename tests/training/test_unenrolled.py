"""An unenrolled participant cannot learn on: every write of the participant pages is refused
with a German message and 403 and changes nothing; unenrolling closes an open attempt unscored;
the pages say so; enrolling again brings the earlier progress back."""

import html

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.training.conftest import answer_current, correct_values, form_of, start
from training import errors
from training import services as training_services
from training.models import Enrollment, ModuleProgress, Sitting

MESSAGE = str(errors.ENROLLMENT_ENDED)


@pytest.fixture
def trainer(db):
    return UserFactory(username="kursleiterin")


def unenroll(enrollment, trainer):
    return training_services.unenroll_participant(enrollment=enrollment, actor=trainer)


def refused(response) -> bool:
    return response.status_code == 403 and MESSAGE in html.unescape(response.content.decode())


def sitting_snapshot(sitting):
    row = Sitting.objects.get(pk=sitting.pk)
    return (row.answers, row.sequence, row.complete, row.passed, row.score, row.finished_at)


def test_marking_a_module_read_is_refused_after_unenrolling(participant_client, world, trainer):
    # given an unenrolled participant
    unenroll(world.enrollment, trainer)
    # when they mark a module read
    response = participant_client.post(reverse("training:mark_read", args=[world.plain_module.pk]))
    # then it is refused with the German message and nothing is recorded
    assert refused(response)
    assert not ModuleProgress.objects.filter(enrollment=world.enrollment).exists()
    world.enrollment.refresh_from_db()
    assert world.enrollment.completed_at is None


def test_starting_an_attempt_is_refused_after_unenrolling(participant_client, world, trainer):
    # given an unenrolled participant
    unenroll(world.enrollment, trainer)
    # when they start the module's quiz
    response = participant_client.post(reverse("training:start_quiz", args=[world.module.pk]))
    # then it is refused and no attempt exists
    assert refused(response)
    assert not Sitting.objects.exists()


def test_unenrolling_closes_the_open_attempt_unscored(participant_client, world, trainer):
    # given an attempt with its first question answered correctly
    sitting = start(participant_client, world.module)
    answer_current(participant_client, sitting, correct_values("s1"))
    # when the participant is unenrolled
    unenroll(world.enrollment, trainer)
    # then the attempt is closed, not passed, and the module records no pass
    sitting.refresh_from_db()
    assert sitting.complete is True
    assert sitting.passed is False
    assert sitting.finished_at is not None
    assert not ModuleProgress.objects.filter(quiz_passed_at__isnull=False).exists()


def test_answering_and_finishing_an_open_attempt_is_refused(participant_client, world, trainer):
    # given an attempt with every question but the last answered correctly
    sitting = start(participant_client, world.module)
    for _ in range(len(sitting.question_order) - 1):
        form = form_of(participant_client, sitting)
        answer_current(participant_client, sitting, correct_values(form["question"]))
    form = form_of(participant_client, sitting)
    unenroll(world.enrollment, trainer)
    before = sitting_snapshot(sitting)
    # when the form still open in the browser sends the last (finishing) answer
    response = participant_client.post(
        reverse("training:sitting", args=[sitting.pk]),
        {
            "token": form["token"],
            "question": form["question"],
            "answer": correct_values(form["question"]),
        },
    )
    # then it is refused, the attempt is unchanged and nothing is passed or completed
    assert refused(response)
    assert sitting_snapshot(sitting) == before
    assert not ModuleProgress.objects.filter(quiz_passed_at__isnull=False).exists()
    world.enrollment.refresh_from_db()
    assert world.enrollment.completed_at is None


def test_resuming_an_attempt_is_refused(participant_client, world, trainer):
    # given an open attempt and then the participant unenrolled
    sitting = start(participant_client, world.module)
    unenroll(world.enrollment, trainer)
    # when they resume it from the module page's button and open its page
    resumed = participant_client.post(reverse("training:start_quiz", args=[world.module.pk]))
    page = participant_client.get(reverse("training:sitting", args=[sitting.pk]))
    # then the start is refused and no question is shown any more
    assert refused(resumed)
    assert page.status_code in (302, 403)
    assert 'name="token"' not in page.content.decode()
    assert Sitting.objects.count() == 1


def test_an_attempt_left_open_by_a_race_cannot_be_resumed(participant_client, world, trainer):
    # given an attempt still open although its enrollment is unenrolled (started concurrently)
    sitting = start(participant_client, world.module)
    Enrollment.objects.filter(pk=world.enrollment.pk).update(unenrolled_at="2027-01-01T10:00Z")
    before = sitting_snapshot(sitting)
    # when the participant opens it and answers
    page = participant_client.get(reverse("training:sitting", args=[sitting.pk]))
    form_page = participant_client.post(
        reverse("training:sitting", args=[sitting.pk]),
        {"token": "x", "question": "s1", "answer": correct_values("s1")},
    )
    # then both are refused and the attempt is unchanged
    assert refused(page)
    assert refused(form_page)
    assert sitting_snapshot(sitting) == before


def test_completion_is_rechecked_for_an_unenrolled_enrollment(world, trainer):
    # given an unenrolled participant whose module is read and whose quiz is passed
    from training import services

    unenroll(world.enrollment, trainer)
    for module in (world.module, world.plain_module):
        ModuleProgress.objects.create(
            enrollment=world.enrollment,
            module=module,
            content_done_at="2027-01-01T10:00Z",
            quiz_passed_at="2027-01-01T10:00Z",
        )
    # when completion is decided (as a late essay mark would)
    for module in (world.module, world.plain_module):
        services.complete_module(enrollment_id=world.enrollment.pk, module_id=module.pk)
    # then nothing completes
    world.enrollment.refresh_from_db()
    assert world.enrollment.completed_at is None
    assert not ModuleProgress.objects.filter(completed_at__isnull=False).exists()


def test_dashboard_and_module_page_say_the_person_is_unenrolled(participant_client, world, trainer):
    # given an unenrolled participant
    unenroll(world.enrollment, trainer)
    # when they open their dashboard and a module
    dashboard = html.unescape(
        participant_client.get(reverse("training:dashboard")).content.decode()
    )
    module_page = html.unescape(participant_client.get(world.module.url).content.decode())
    # then both say so and offer neither Weiterlernen nor the quiz or mark-read buttons
    for page in (dashboard, module_page):
        assert "aus diesem Kurs ausgetragen" in page
    assert "Weiterlernen" not in dashboard
    assert "Als gelesen markieren" not in module_page
    assert "Lernkontrolle starten" not in module_page


def test_enrolling_again_brings_back_the_earlier_progress(participant_client, world, trainer):
    # given a participant who read the plain module and had an attempt open, then was unenrolled
    participant_client.post(reverse("training:mark_read", args=[world.plain_module.pk]))
    first = start(participant_client, world.module)
    unenroll(world.enrollment, trainer)
    world.participant.email = "teilnehmerin@example.org"
    world.participant.save()
    # when the trainer enrolls them again
    training_services.enroll_participant(
        cohort=world.enrollment.cohort, email="teilnehmerin@example.org", actor=trainer
    )
    # then the earlier progress is there, the closed attempt stays closed and learning goes on
    progress = ModuleProgress.objects.get(enrollment=world.enrollment, module=world.plain_module)
    assert progress.completed_at is not None
    second = start(participant_client, world.module)
    assert second.pk != first.pk
    assert second.attempt_number == 2
    first.refresh_from_db()
    assert (first.complete, first.passed) == (True, False)
    dashboard = participant_client.get(reverse("training:dashboard")).content.decode()
    assert "Weiterlernen" in dashboard
