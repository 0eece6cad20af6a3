"""When a trainer has marked the last essay of an attempt, the participant learns of it: an
entry in Mein Konto and a German email with an absolute link to the result, once per mark."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Notification
from tests.factories import enroll_many
from tests.workspace.essay_sittings import ESSAY_ID, essay_quiz, essay_sitting

BASE = "https://akademie.example.ch"
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def waiting(cohort, course, settings):
    settings.WAGTAILADMIN_BASE_URL = BASE
    (enrollment,) = enroll_many(cohort, 1, prefix="tn")
    user = enrollment.user
    user.first_name, user.last_name, user.email = "Erika", "Muster", "erika@example.org"
    user.save()
    return essay_sitting(
        enrollment=enrollment, quiz=essay_quiz(title="Bürgerkontakt"), course=course
    )


def mark(client, sitting, points="3", capture=None):
    url = reverse("training_marking:sitting", args=[sitting.pk])
    with capture(execute=True):
        return client.post(url, {"block_id": ESSAY_ID, "points": points, "feedback": "Gut."})


def test_the_participant_gets_a_mail_with_the_result_link_and_an_entry(
    trainer_client, waiting, django_capture_on_commit_callbacks
):
    # when the trainer marks the essay in the admin
    response = mark(trainer_client, waiting, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    # then one German mail goes to the participant, its only link the absolute result page
    (email,) = mail.outbox
    assert email.to == ["erika@example.org"]
    assert email.subject == "Ihre Antwort in «Bürgerkontakt» ist bewertet"
    assert email.body.startswith("Guten Tag Erika Muster\n")
    result = f"{BASE}/lernen/versuche/{waiting.pk}/ergebnis/"
    assert LINK.findall(email.body) == [result]
    # and the link opens the result for the participant
    participant = Client()
    participant.force_login(waiting.user)
    assert participant.get(result.removeprefix(BASE)).status_code == 200
    # and Mein Konto lists it, linked to the result
    html = participant.get("/konto/").content.decode()
    assert (
        f'<a href="/lernen/versuche/{waiting.pk}/ergebnis/">'
        "Ihre Freitext-Antwort in «Bürgerkontakt» wurde bewertet.</a>"
    ) in html
    assert Notification.objects.get(user=waiting.user).emailed_at is not None


def test_a_correction_notifies_again_a_failed_mark_not_at_all(
    trainer_client, waiting, django_capture_on_commit_callbacks
):
    mark(trainer_client, waiting, "3", capture=django_capture_on_commit_callbacks)
    mark(trainer_client, waiting, "2", capture=django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    # a refused mark (points out of range) writes and mails nothing
    response = mark(trainer_client, waiting, "99", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(user=waiting.user).count() == 2


def test_a_repeated_mail_task_sends_once(
    trainer_client, waiting, django_capture_on_commit_callbacks
):
    from accounts.notification_mail import send_notification_email

    mark(trainer_client, waiting, capture=django_capture_on_commit_callbacks)
    notification = Notification.objects.get(user=waiting.user)
    assert send_notification_email(notification_id=notification.pk) is False
    assert send_notification_email(notification_id=999999) is False
    assert len(mail.outbox) == 1
