"""Every mail links to the one configured base URL (WAGTAILADMIN_BASE_URL): Wagtail's workflow
notifications for pages and quizzes, certificate, invitation, password reset, essay marked.
Each link is absolute, on that host and port, and opens a real page there."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory, build_course, make_quiz, single_choice
from training.models import Quiz

pytestmark = pytest.mark.django_db

BASE = "http://akademie.example.ch:8123"
URL = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def trainer():
    user = UserFactory(username="trainerin", email="trainerin@example.org")
    user.groups.add(Group.objects.get(name="Trainer:innen"))
    return user


@pytest.fixture
def lead():
    user = UserFactory(username="kursleitung", email="kursleitung@example.org")
    user.groups.add(Group.objects.get(name="Kursleitung"))
    return user


def links(message) -> list[str]:
    return URL.findall(message.body)


def assert_on_base_url(client, messages, *, expected_paths=()):
    """Every link of every mail is on BASE; the given paths are among them and open there."""
    assert messages
    seen = []
    for message in messages:
        assert links(message), message.body
        for link in links(message):
            assert link.startswith(BASE + "/"), (message.subject, link)
            seen.append(link.removeprefix(BASE))
    for path in expected_paths:
        assert path in seen, (path, seen)
    return seen


def test_page_workflow_mails_link_to_the_base_url(client, trainer, lead):
    tree = build_course(sections=1, modules_per_section=1)
    module = tree["modules"][0][0]
    # a trainer submits the module; the Kursleitung approves it
    state = module.get_workflow().start(module, trainer)
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, lead, "approve")
    # then the review request and the approval link to the base URL; the page link opens it
    seen = assert_on_base_url(
        client,
        mail.outbox,
        expected_paths=[
            f"/admin/pages/{module.pk}/edit/",
            module.url,
        ],
    )
    assert client.get(module.url).status_code == 200
    assert len(seen) >= 3


def test_quiz_workflow_mails_link_to_the_base_url(client, trainer, lead):
    quiz = make_quiz(title="Datenschutz-Kontrolle", questions=[single_choice("s1")])
    quiz.save_revision(user=trainer)
    state = Quiz.get_default_workflow().start(quiz, trainer)
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, lead, "approve")
    # then the review request (preview and editor) and the approval (editor) link to BASE
    edit = reverse("wagtailsnippets_training_quiz:edit", args=[quiz.pk])
    preview = reverse(
        "wagtailsnippets_training_quiz:workflow_preview", args=[quiz.pk, task_state.task_id]
    )
    assert_on_base_url(client, mail.outbox, expected_paths=[edit, preview])
    approval = next(m for m in mail.outbox if m.to == ["trainerin@example.org"])
    assert f"{BASE}{edit}" in approval.body
    client.force_login(trainer)
    assert client.get(edit).status_code == 200


def test_invitation_and_password_reset_link_to_the_base_url(client, trainer, settings):
    from accounts.services import send_password_reset_email
    from tests.factories import make_cohort, make_workspace_course
    from training.services import enroll_participant

    cohort = make_cohort(course=make_workspace_course(), trainers=[trainer])
    # a trainer enrols a new person: the invitation goes out after the commit
    from django.db import transaction

    with transaction.atomic():
        enrollment = enroll_participant(
            cohort=cohort,
            email="neu@example.org",
            first_name="Nina",
            last_name="Neu",
            actor=trainer,
        )
    # (tests run tasks in-process; on_commit runs when the test transaction would commit)
    from training.enrollment_mail import send_invitations

    send_invitations(enrollment_ids=[enrollment.pk])
    (invitation,) = [m for m in mail.outbox if m.to == ["neu@example.org"]]
    (link,) = assert_on_base_url(client, [invitation])
    assert client.get(link).status_code in (200, 302)
    # and a password reset for an account with a password
    mail.outbox.clear()
    person = UserFactory(username="muster", email="muster@example.org")
    person.set_password("Alte-Schalter-Losung-1")
    person.save()
    assert send_password_reset_email(user_id=person.pk)
    (link,) = assert_on_base_url(client, mail.outbox)
    assert client.get(link).status_code in (200, 302)
