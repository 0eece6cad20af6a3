"""The Kursleitung resets a lost second factor: only of accounts with fewer rights, every session
of the person ends, and a new device is enrolled only after the password was given again."""

import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.signals import PASSWORD_CHECKED_AT_SESSION_KEY
from audit.models import AuditAction, AuditEntry
from tests.factories import TOTPDeviceFactory, UserFactory, editor

pytestmark = pytest.mark.django_db

PASSWORD = "Sicheres-Passwort-2026"
SETUP = "/konto/zwei-faktor/"


def reset_url(user) -> str:
    return f"/admin/konten/{user.pk}/zwei-faktor-zuruecksetzen/"


@pytest.fixture
def lead(client):
    return editor("Kursleitung", username="leitung")


def test_a_reset_removes_the_devices_and_ends_every_session_of_the_person(
    client, lead, django_capture_on_commit_callbacks
):
    # given a participant with a device, logged in on another computer
    person = UserFactory(username="teilnehmerin")
    TOTPDeviceFactory(user=person)
    their_browser = Client()
    their_browser.force_login(person)
    before = their_browser.get("/konto/")  # (asked for the code: the session is logged in)
    assert not before.headers["Location"].startswith("/konto/anmelden/")
    # when the Kursleitung resets the second factor
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_url(person))
    # then the devices are gone, the reset is audited, and the person's session has ended
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert AuditEntry.objects.filter(
        action=AuditAction.SECOND_FACTOR_RESET, subject=person, actor=lead
    ).exists()
    assert their_browser.get("/konto/").headers["Location"].startswith("/konto/anmelden/")
    # and the Kursleitung's own session goes on
    assert client.get("/admin/konten/").status_code == 200


@pytest.mark.parametrize("target_kind", ["colleague", "superuser"])
def test_a_course_lead_cannot_reset_equal_or_higher_rights(client, lead, target_kind):
    # given another Kursleitung member, or a superuser, with a device
    if target_kind == "colleague":
        target = editor("Kursleitung", username="kollegin")
    else:
        target = UserFactory(username="admin", is_superuser=True, is_staff=True)
    TOTPDeviceFactory(user=target)
    client.force_login(lead)
    # when the lead tries to reset it (and the service is called directly)
    response = client.post(reset_url(target), follow=True)
    with pytest.raises(services.PermissionDenied) as refused:
        services.reset_second_factor(user=target, actor=lead)
    # then it is refused in German, and the device stays
    assert str(services.CANNOT_RESET_EQUAL_OR_HIGHER) in response.content.decode()
    assert str(refused.value) == str(services.CANNOT_RESET_EQUAL_OR_HIGHER)
    assert TOTPDevice.objects.filter(user=target).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.SECOND_FACTOR_RESET).exists()


def test_a_superuser_may_reset_a_course_lead_and_another_superuser(lead):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    other_superuser = UserFactory(username="root2", is_superuser=True, is_staff=True)
    for target in (lead, other_superuser):
        TOTPDeviceFactory(user=target)
        services.reset_second_factor(user=target, actor=superuser)
        assert not TOTPDevice.objects.filter(user=target).exists()


def test_a_trainer_with_the_reset_right_cannot_reset_a_course_lead(lead):
    trainer = editor("Trainer:innen", username="trainerin")
    trainer.user_permissions.add(
        *Group.objects.get(name="Kursleitung").permissions.filter(codename="reset_second_factor")
    )
    TOTPDeviceFactory(user=lead)
    with pytest.raises(services.PermissionDenied):
        services.reset_second_factor(user=lead, actor=trainer)


def test_an_old_session_enrolls_a_device_only_after_the_password(client):
    # given a session that logged in long ago (the second factor was reset since)
    person = UserFactory(username="teilnehmerin")
    client.force_login(person)
    session = client.session
    session[PASSWORD_CHECKED_AT_SESSION_KEY] = int(time.time()) - 3600
    session.save()
    # when it opens the setup page
    page = client.get(SETUP)
    # then it is asked for the password, and no secret is shown
    html = page.content.decode()
    assert page.status_code == 200
    assert "Passwort bestätigen" in html
    assert 'autocomplete="current-password"' in html
    assert "otpauth" not in html
    assert not TOTPDevice.objects.filter(user=person).exists()
    # when it posts a code without the password, or a wrong password
    code_only = client.post(SETUP, {"token": "123456"})
    wrong = client.post(SETUP, {"password": "falsch-falsch-falsch"})
    # then nothing is enrolled and the wrong password is named
    assert code_only.status_code == 200 and "Passwort bestätigen" in code_only.content.decode()
    assert wrong.status_code == 400
    assert str(services.WRONG_PASSWORD) in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=person).exists()
    # when it gives the right password
    right = client.post(f"{SETUP}?next=/konto/", {"password": PASSWORD})
    # then the setup page follows
    assert right.status_code == 302
    assert right.headers["Location"] == f"{SETUP}?next=%2Fkonto%2F"
    assert "Passwort bestätigen" not in client.get(SETUP).content.decode()


def test_a_fresh_login_goes_straight_to_the_setup(client):
    UserFactory(username="teilnehmerin")
    client.post("/konto/anmelden/", {"username": "teilnehmerin", "password": PASSWORD})
    assert "Passwort bestätigen" not in client.get(SETUP).content.decode()
