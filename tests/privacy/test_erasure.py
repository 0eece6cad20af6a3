"""Erasing an account: nothing of the person remains outside the certificate register."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log
from wagtail.models import Page

from accounts import services
from audit.models import AuditAction, AuditEntry
from tests.factories import editor, totp_code
from tests.privacy.conftest import ESSAY, PERSON, certificate_register_tables, tables_containing
from training.models import Cohort, Enrollment, ModuleProgress, Sitting

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="searches rows as text (PostgreSQL)"
    ),
]


def log_in_with_second_factor(client, person):
    client.force_login(person)
    device = TOTPDevice.objects.get(user=person)
    assert client.post("/konto/zwei-faktor/code/", {"token": totp_code(device)}).status_code == 302


NEEDLES = [PERSON["email"], PERSON["first_name"], PERSON["last_name"], PERSON["username"]]


def test_a_participant_erases_the_account_and_nothing_of_them_remains(person, client):
    # given a participant with learning data, a second factor, a failed login, an audit entry
    # and a profile: the search finds them in these tables
    exclude = certificate_register_tables()
    assert set(tables_containing(PERSON["first_name"], exclude=exclude)) >= {
        "auth_user",
        "training_sitting",
        "audit_auditentry",
        "otp_totp_totpdevice",
    }
    assert "axes_accessattempt" in tables_containing(PERSON["username"], exclude=exclude)
    statistics = (Enrollment.objects.count(), ModuleProgress.objects.count())
    # when they erase their account on the account page, confirming with the password
    log_in_with_second_factor(client, person)
    response = client.post(
        "/konto/loeschen/", {"password": "Sicheres-Passwort-2026", "confirm": "on"}
    )
    # then they are logged out and told so
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "_auth_user_id" not in client.session
    # and no table but the certificate register holds their email, names or username
    for needle in NEEDLES:
        assert tables_containing(needle, exclude=exclude) == [], needle
    # and the learning statistics remain, anonymous: same counts, scores kept, answers gone
    assert (Enrollment.objects.count(), ModuleProgress.objects.count()) == statistics
    sitting = Sitting.objects.get(user=person)
    assert (sitting.score, sitting.max_score, sitting.passed, sitting.answers) == (3, 4, True, {})
    account = get_user_model().objects.get(pk=person.pk)
    assert account.username.startswith("geloescht-")
    assert (account.is_active, account.has_usable_password()) == (False, False)
    assert not TOTPDevice.objects.filter(user=account).exists()
    # and the erasure is logged without naming the person
    entry = AuditEntry.objects.get(action=AuditAction.ACCOUNT_ERASED)
    assert (entry.actor, entry.subject, entry.details) == (
        None,
        None,
        {"account_id": person.pk, "requested_by": "self"},
    )
    # and they cannot log in any more
    login = client.post(
        "/konto/anmelden/",
        {"username": PERSON["username"], "password": "Sicheres-Passwort-2026"},
    )
    assert login.status_code == 200


def test_erasure_asks_for_the_password_and_a_confirmation(person, client):
    log_in_with_second_factor(client, person)
    response = client.post("/konto/loeschen/", {"password": "falsch"})
    assert response.status_code == 200
    html = response.content.decode()
    assert str(services.WRONG_PASSWORD) in html
    assert "Bitte bestätigen Sie, dass Sie das Konto löschen möchten." in html
    assert 'aria-describedby="id_password_error"' in html
    assert get_user_model().objects.filter(username=PERSON["username"]).exists()


def test_a_course_lead_erases_an_account_on_request_in_the_admin(person, demo, client):
    # given a course lead in the admin, and the person's erasure request
    lead = demo["lead"]
    client.force_login(lead)
    found = client.get("/admin/konten/", {"q": "Quellenbrunner"})
    assert PERSON["email"] in found.content.decode()
    confirm = client.get(f"/admin/konten/{person.pk}/loeschen/")
    assert "Sie löschen das Konto von <strong>Xaveria Quellenbrunner</strong>" in (
        confirm.content.decode()
    )
    # when they confirm
    response = client.post(f"/admin/konten/{person.pk}/loeschen/")
    # then the account is erased like a self-service erasure, and logged with the lead as actor
    assert response.status_code == 302
    for needle in NEEDLES:
        assert tables_containing(needle, exclude=certificate_register_tables()) == [], needle
    entry = AuditEntry.objects.get(action=AuditAction.ACCOUNT_ERASED)
    assert (entry.actor, entry.details["requested_by"]) == (lead, "staff")


def test_trainers_cannot_erase_accounts(person, demo, client):
    client.force_login(demo["trainer"])
    response = client.post(f"/admin/konten/{person.pk}/loeschen/")
    assert response.status_code == 302
    assert get_user_model().objects.get(pk=person.pk).username == PERSON["username"]


def test_erasing_a_trainer_keeps_the_course_content_but_not_the_person(demo, client):
    # given a trainer who edited a page, locked it, was logged by the admin and trains a cohort
    trainer = editor(
        username="rmoosbrugger",
        first_name="Ruedigera",
        last_name="Moosbrugger",
        email="r.moosbrugger@example.org",
    )
    course = demo["course"]
    course.save_revision(user=trainer)
    Page.objects.filter(pk=course.pk).update(locked=True, locked_by=trainer)
    log(instance=trainer, action="wagtail.edit", user=demo["lead"])
    Cohort.objects.get().trainers.add(trainer)
    # when the course lead erases the account
    services.erase_account(user=trainer, actor=demo["lead"])
    # then the revision stays (anonymised author), the page is unlocked, the cohort has lost
    # the trainer, and no table holds the name
    course.refresh_from_db()
    assert course.latest_revision.user_id == trainer.pk
    assert (course.locked, course.locked_by) == (False, None)
    assert not Cohort.objects.filter(trainers=trainer).exists()
    for needle in ("Ruedigera", "Moosbrugger", "rmoosbrugger"):
        assert tables_containing(needle, exclude=certificate_register_tables()) == [], needle


def test_an_erased_account_cannot_be_erased_twice(person):
    services.erase_account(user=person, actor=None)
    with pytest.raises(ValidationError) as error:
        services.erase_account(user=person, actor=None)
    assert error.value.messages == [str(services.ALREADY_ERASED)]


def test_the_essay_text_is_in_the_export_before_erasure(person):
    data = services.export_personal_data(user=person)
    assert data["records"]["training.sitting"]["items"][0]["answers"] == {"essay-1": ESSAY}
