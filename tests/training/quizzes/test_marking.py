"""Essay marking: the service with its audit trail, and the minimal Wagtail admin view."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import UserFactory, enroll, essay, make_quiz, make_sitting, single_choice
from tests.training.conftest import take_quiz
from training import errors, services
from training.errors import PermissionDeniedError, TrainingError
from training.models import EssayMark, ModuleProgress, Sitting
from training.quizzes import marking


@pytest.fixture
def trainer(db):
    user = UserFactory(username="trainerin", first_name="Regula", last_name="Meier")
    user.groups.add(Group.objects.get(name="Trainer:innen"))
    return user


@pytest.fixture
def pending(build_world, client):
    """A finished attempt with one correct single choice (1 point) and an unmarked essay (4)."""
    world = build_world(questions=[single_choice("s1"), essay("e1")], pass_mark=60)
    client.force_login(world.participant)
    services.mark_module_read(user=world.participant, module_id=world.module.pk)
    sitting = take_quiz(client, world.module, correct=True)
    assert sitting.needs_marking
    return world, sitting


def test_marking_the_last_essay_decides_the_result_and_completes_the_module(pending, trainer):
    world, sitting = pending
    # when the trainer gives 3 of 4 points with feedback
    marked = marking.mark_essay(
        sitting_id=sitting.pk,
        block_id="e1",
        points="3",
        feedback="Gut begründet.",
        marked_by=trainer,
    )
    # then the attempt is fully marked and passed (4 of 5 = 80 %)
    assert (marked.needs_marking, marked.score, marked.max_score, marked.passed) == (
        False,
        Decimal(4),
        Decimal(5),
        True,
    )
    assert marked.answers["e1"]["points"] == "3.00"
    assert marked.answers["e1"]["feedback"] == "Gut begründet."
    # and the module is complete through complete_module
    progress = ModuleProgress.objects.get(module=world.module)
    assert progress.quiz_passed_at is not None and progress.completed_at is not None
    # and the audit row records who, when, old and new points and feedback
    mark = EssayMark.objects.get()
    assert (mark.block_id, mark.old_points, mark.new_points, mark.feedback) == (
        "e1",
        None,
        Decimal(3),
        "Gut begründet.",
    )
    assert (mark.marked_by, mark.marked_by_name) == (trainer, "Regula Meier")
    assert mark.marked_at is not None


def test_a_low_mark_fails_the_attempt_and_leaves_the_module_open(pending, trainer):
    world, sitting = pending
    marked = marking.mark_essay(
        sitting_id=sitting.pk, block_id="e1", points="1,5", feedback="", marked_by=trainer
    )
    assert (marked.score, marked.passed) == (Decimal("2.5"), False)
    assert ModuleProgress.objects.get(module=world.module).completed_at is None


def test_a_correction_is_audited_with_old_and_new_points(pending, trainer):
    _, sitting = pending
    marking.mark_essay(
        sitting_id=sitting.pk, block_id="e1", points=1, feedback="", marked_by=trainer
    )
    marking.mark_essay(
        sitting_id=sitting.pk, block_id="e1", points=4, feedback="Nachkorrigiert", marked_by=trainer
    )
    assert list(EssayMark.objects.values_list("old_points", "new_points")) == [
        (None, Decimal(1)),
        (Decimal(1), Decimal(4)),
    ]
    assert Sitting.objects.get(pk=sitting.pk).passed is True


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("5", errors.POINTS_OUT_OF_RANGE % {"max": 4}),
        ("-1", errors.POINTS_OUT_OF_RANGE % {"max": 4}),
        ("viel", errors.POINTS_INVALID),
        ("NaN", errors.POINTS_INVALID),
    ],
)
def test_points_outside_the_question_are_refused(pending, trainer, points, message):
    _, sitting = pending
    with pytest.raises(TrainingError) as refused:
        marking.mark_essay(
            sitting_id=sitting.pk, block_id="e1", points=points, feedback="", marked_by=trainer
        )
    assert str(refused.value.message) == str(message)
    assert not EssayMark.objects.exists()
    assert Sitting.objects.get(pk=sitting.pk).needs_marking is True


def test_only_essays_of_finished_attempts_can_be_marked(pending, trainer):
    _, sitting = pending
    with pytest.raises(TrainingError) as refused:
        marking.mark_essay(
            sitting_id=sitting.pk, block_id="s1", points=1, feedback="", marked_by=trainer
        )
    assert refused.value.message == errors.ESSAY_NOT_IN_SITTING
    Sitting.objects.filter(pk=sitting.pk).update(complete=False)
    with pytest.raises(TrainingError) as refused:
        marking.mark_essay(
            sitting_id=sitting.pk, block_id="e1", points=1, feedback="", marked_by=trainer
        )
    assert refused.value.message == errors.SITTING_NOT_FINISHED
    assert not EssayMark.objects.exists()


def test_a_participant_may_not_mark(pending):
    world, sitting = pending
    with pytest.raises(PermissionDeniedError):
        marking.mark_essay(
            sitting_id=sitting.pk,
            block_id="e1",
            points=4,
            feedback="",
            marked_by=world.participant,
        )
    assert not EssayMark.objects.exists()


def test_without_exam_paper_the_answers_are_kept_until_marked(build_world, client, trainer):
    world = build_world(questions=[single_choice("s1"), essay("e1")], exam_paper=False)
    client.force_login(world.participant)
    sitting = take_quiz(client, world.module, correct=True)
    assert "e1" in sitting.answers
    marked = marking.mark_essay(
        sitting_id=sitting.pk, block_id="e1", points=4, feedback="", marked_by=trainer
    )
    assert (marked.answers, marked.answers_discarded, marked.passed) == ({}, True, True)


def test_the_participant_sees_the_mark_and_feedback_on_the_result_page(pending, trainer, client):
    world, sitting = pending
    marking.mark_essay(
        sitting_id=sitting.pk, block_id="e1", points=3, feedback="Gut begründet.", marked_by=trainer
    )
    page = client.get(reverse("training:result", args=[sitting.pk])).content.decode()
    assert "Bewertung: 3 von 4 Punkten" in page
    assert "Gut begründet." in page
    assert "Bestanden" in page


def test_a_trainer_marks_in_the_wagtail_admin(pending, trainer, client):
    world, sitting = pending
    # (trainers mark the attempts of the cohorts they train)
    world.enrollment.cohort.trainers.add(trainer)
    client.force_login(trainer)
    # the queue lists the attempt
    queue = client.get(reverse("training_marking:queue"))
    assert queue.status_code == 200
    assert reverse("training_marking:sitting", args=[sitting.pk]) in queue.content.decode()
    # the marking page shows the answer and the model answer
    page = client.get(reverse("training_marking:sitting", args=[sitting.pk]))
    assert "Ich höre zu, kläre das Anliegen" in page.content.decode()
    assert "Musterlösung" in page.content.decode()
    # a wrong number is refused with the message
    bad = client.post(
        reverse("training_marking:sitting", args=[sitting.pk]),
        {"block_id": "e1", "points": "9", "feedback": ""},
    )
    assert bad.status_code == 400
    assert "Die Punktzahl muss zwischen 0 und 4 liegen." in bad.content.decode()
    # a valid mark is saved and the queue is empty again
    response = client.post(
        reverse("training_marking:sitting", args=[sitting.pk]),
        {"block_id": "e1", "points": "4", "feedback": "Sehr gut."},
    )
    assert response.status_code == 302
    assert Sitting.objects.get(pk=sitting.pk).passed is True
    assert (
        "Es warten keine Freitextantworten"
        in client.get(reverse("training_marking:queue")).content.decode()
    )


def test_the_marking_view_is_closed_to_participants(pending, client):
    world, sitting = pending
    world.participant.user_permissions.clear()
    client.force_login(world.participant)
    response = client.get(reverse("training_marking:queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    editor = UserFactory(username="redaktion")
    editor.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(editor)
    # an editor without the marking permission is turned away by Wagtail (to the dashboard)
    refused = client.get(reverse("training_marking:queue"))
    assert (refused.status_code, refused["Location"]) == (302, reverse("wagtailadmin_home"))
    assert (
        client.post(
            reverse("training_marking:sitting", args=[sitting.pk]),
            {"block_id": "e1", "points": "4"},
        ).status_code
        == 302
    )
    assert Sitting.objects.get(pk=sitting.pk).needs_marking is True


def test_the_marking_queue_filters_by_quiz_and_by_person(pending, trainer, client):
    # given two participants' attempts waiting for marking, and a second quiz with one attempt
    world, first = pending
    other = UserFactory(username="zweite", first_name="Zora", last_name="Zweig")
    enroll(other, world.course)
    client.force_login(other)
    services.mark_module_read(user=other, module_id=world.module.pk)
    second = take_quiz(client, world.module, correct=True)
    other_quiz = make_quiz(questions=[essay("e9")], title="Zweite Lernkontrolle")
    third = make_sitting_waiting(other, world, other_quiz)
    world.enrollment.cohort.trainers.add(trainer)
    client.force_login(trainer)
    url = reverse("training_marking:queue")

    def listed(**params):
        page = client.get(url, params)
        assert page.status_code == 200
        return {
            s.pk
            for s in (first, second, third)
            if reverse("training_marking:sitting", args=[s.pk]) in page.content.decode()
        }

    # when the trainer filters, then only the matching attempts are listed
    assert listed() == {first.pk, second.pk, third.pk}
    assert listed(quiz=world.quiz.pk) == {first.pk, second.pk}
    assert listed(quiz=other_quiz.pk) == {third.pk}
    assert listed(person=other.pk) == {second.pk, third.pk}
    assert listed(quiz=world.quiz.pk, person=other.pk) == {second.pk}
    assert listed(quiz="", person="") == {first.pk, second.pk, third.pk}
    # and an id not in the list (or no number at all) is refused with a German message
    for params in ({"quiz": 999_999}, {"person": "abc"}, {"person": trainer.pk}):
        refused = client.get(url, params)
        assert refused.status_code == 400
        assert "Diese Auswahl gibt es in der Liste nicht." in refused.content.decode()


def make_sitting_waiting(user, world, quiz):
    """A finished attempt of ``quiz`` whose essay waits for a mark."""
    enrollment = world.enrollment.__class__.objects.get(user=user, cohort=world.enrollment.cohort)
    return make_sitting(
        enrollment=enrollment,
        module_id=world.module.pk,
        quiz=quiz,
        needs_marking=True,
        max_score=4,
        answers={"e9": {"response": "Mein Text.", "points": None}},
        question_order=["e9"],
        finished_at=world.enrollment.enrolled_at,
    )
