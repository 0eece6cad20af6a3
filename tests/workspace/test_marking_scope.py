"""Essay marking is scoped to the trainer's cohorts: the queue lists only their participants'
attempts, and another cohort's attempt gives 404 on reading and on marking, changing nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from tests.factories import enroll_many
from tests.workspace.essay_sittings import ESSAY_ID, essay_quiz, essay_sitting
from training.models import EssayMark, Sitting

QUEUE = reverse("training_marking:queue")


def mark_url(sitting):
    return reverse("training_marking:sitting", args=[sitting.pk])


@pytest.fixture
def essays(cohort, other_cohort, course):
    """One attempt waiting for a mark in each cohort; the other cohort's is the older one."""
    quiz = essay_quiz()
    (own,) = enroll_many(cohort, 1, prefix="eigen")
    (foreign,) = enroll_many(other_cohort, 1, prefix="fremd")
    return {
        "own": essay_sitting(enrollment=own, quiz=quiz, course=course, minutes_ago=5),
        "foreign": essay_sitting(enrollment=foreign, quiz=quiz, course=course, minutes_ago=30),
    }


def test_the_queue_lists_only_the_trainers_cohorts(trainer_client, essays):
    response = trainer_client.get(QUEUE)

    assert list(response.context["sittings"]) == [essays["own"]]
    html = response.content.decode()
    assert mark_url(essays["own"]) in html
    assert mark_url(essays["foreign"]) not in html


def test_a_trainer_of_another_cohort_gets_404_and_changes_nothing(client, other_trainer, essays):
    # given the trainer of cohort B and an essay of cohort A's participant
    sitting = essays["own"]
    before = Sitting.objects.filter(pk=sitting.pk).values().get()
    client.force_login(other_trainer)
    # when they open the queue, the marking page and post a mark
    queue = client.get(QUEUE)
    page = client.get(mark_url(sitting))
    post = client.post(mark_url(sitting), {"block_id": ESSAY_ID, "points": "4", "feedback": "x"})
    # then they see only their own cohort's essay, and the other one does not exist for them
    assert list(queue.context["sittings"]) == [essays["foreign"]]
    assert (page.status_code, post.status_code) == (404, 404)
    # and nothing changed: the attempt, its marks and the audit log
    assert Sitting.objects.filter(pk=sitting.pk).values().get() == before
    assert not EssayMark.objects.exists()
    assert not AuditEntry.objects.exists()


def test_course_leads_mark_every_cohort_oldest_first(client, lead, essays):
    client.force_login(lead)

    response = client.get(QUEUE)

    assert list(response.context["sittings"]) == [essays["foreign"], essays["own"]]
    assert client.get(mark_url(essays["foreign"])).status_code == 200


def test_the_trainer_marks_their_own_participants_essay(trainer_client, essays):
    sitting = essays["own"]

    response = trainer_client.post(
        mark_url(sitting), {"block_id": ESSAY_ID, "points": "3", "feedback": "Gut."}
    )

    assert response.status_code == 302
    sitting.refresh_from_db()
    assert (sitting.needs_marking, sitting.score, sitting.passed) == (False, Decimal(4), True)


def test_an_unknown_or_unfinished_attempt_gives_404(trainer_client, essays):
    sitting = essays["own"]
    Sitting.objects.filter(pk=sitting.pk).update(complete=False)

    assert trainer_client.get(mark_url(sitting)).status_code == 404
    assert trainer_client.get(reverse("training_marking:sitting", args=[999999])).status_code == 404
    assert AuditAction.SITTING_VIEWED not in AuditEntry.objects.values_list("action", flat=True)
