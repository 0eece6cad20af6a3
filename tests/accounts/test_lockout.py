"""Brute-force protection with django-axes: lockout, German message, unlocking in the admin."""

import re

import pytest
from axes.models import AccessAttempt

from accounts.views import LOCKED_OUT
from audit.models import AuditAction, AuditEntry
from tests.factories import UserFactory, editor

pytestmark = pytest.mark.django_db

PASSWORD = "Sicheres-Passwort-2026"
LOCKED_MESSAGE = str(LOCKED_OUT % {"minutes": 15})


WRONG_PASSWORD = "falsch-falsch-falsch"


def attempt(client, username, password=WRONG_PASSWORD, url="/konto/anmelden/", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def non_field_errors(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<ul class="errorlist nonfield"><li>(.*?)</li></ul>', html)


def test_five_wrong_passwords_lock_the_username_with_a_german_message(client):
    # given a participant
    UserFactory(username="muster")
    # when someone tries five wrong passwords
    for _ in range(4):
        assert attempt(client, "muster").status_code == 200
    fifth = attempt(client, "muster")
    # then the login page says the account is locked (HTTP 429), and even the right password
    # no longer gets in
    assert fifth.status_code == 429
    assert non_field_errors(fifth) == [LOCKED_MESSAGE]
    assert '<input type="text" name="username" id="id_username"' in fifth.content.decode()
    right = attempt(client, "muster", PASSWORD)
    assert right.status_code == 429
    assert non_field_errors(right) == [LOCKED_MESSAGE]
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_count(client):
    UserFactory(username="muster")
    for _ in range(4):
        attempt(client, "muster")
    assert attempt(client, "muster", PASSWORD).status_code == 302
    client.post("/konto/abmelden/")
    for _ in range(4):
        assert attempt(client, "muster").status_code == 200


def test_the_admin_login_is_protected_too(client):
    user = editor()
    for _ in range(5):
        response = attempt(client, user.username, url="/admin/login/")
    assert response.status_code == 429
    assert non_field_errors(response) == [LOCKED_MESSAGE]


def test_a_lockout_is_per_username_and_address(client):
    # given a participant locked out at one address, and a colleague behind the same address
    UserFactory(username="muster")
    colleague = UserFactory(username="kollegin")
    for _ in range(5):
        attempt(client, "muster", REMOTE_ADDR="192.0.2.10")
    # when the colleague logs in from that address, and the participant from home
    office = attempt(client.__class__(), colleague.username, PASSWORD, REMOTE_ADDR="192.0.2.10")
    home = attempt(client.__class__(), "muster", PASSWORD, REMOTE_ADDR="198.51.100.7")
    # then neither is locked out: one person's typos lock out no one else
    assert (office.status_code, home.status_code) == (302, 302)
    assert attempt(client, "muster", PASSWORD, REMOTE_ADDR="192.0.2.10").status_code == 429


def test_the_test_client_login_and_force_login_still_work(client):
    # (Django's test client authenticates without a request, which the lockout check needs)
    user = UserFactory()
    assert client.login(username=user.username, password=PASSWORD) is True
    client.logout()
    client.force_login(user)
    assert client.get("/konto/").status_code == 200


@pytest.mark.parametrize("group", ["Trainer:innen", "Kursleitung"])
def test_trainers_and_course_leads_unlock_a_username_in_the_admin(client, group):
    # given a locked participant
    participant = UserFactory(username="muster")
    for _ in range(5):
        attempt(client, "muster")
    # when a trainer opens the account screen of the admin
    staff = editor(group)
    staff_client = client.__class__()
    staff_client.force_login(staff)
    page = staff_client.get("/admin/konten/")
    # then the lockout is listed, and unlocking it lets the participant in again
    assert page.status_code == 200
    assert "«muster» entsperren" in page.content.decode()
    response = staff_client.post("/admin/konten/entsperren/", {"username": "muster"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="muster").exists()
    assert attempt(client, "muster", PASSWORD).status_code == 302
    # and the unlock is in the audit log
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.subject) == (
        staff,
        AuditAction.LOGIN_UNLOCKED,
        participant,
    )


def test_participants_cannot_unlock(client):
    client.force_login(UserFactory())
    response = client.post("/admin/konten/entsperren/", {"username": "muster"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/")


def test_the_account_screen_is_in_the_admin_menu_of_trainers(client):
    client.force_login(editor())
    assert "Konten und Sperren" in client.get("/admin/").content.decode()
