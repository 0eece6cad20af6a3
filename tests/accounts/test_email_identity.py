"""Nobody can take over another person's identity through the email address: addresses are
unique regardless of case, a new address counts only after its mailed link is confirmed (the
old address is told), and enrolling by email never attaches to an unconfirmed address."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import emails as account_emails
from tests.factories import UserFactory, make_cohort, make_workspace_course, user_in_group
from training import services as training_services
from training.models import Enrollment
from workspace import services as workspace_services

pytestmark = pytest.mark.django_db
User = get_user_model()
LINK_RE = re.compile(r"https?://\S+/konto/email-bestaetigen/(\S+)/")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def profile(client, user, email):
    return client.post(
        "/konto/",
        {"first_name": user.first_name, "last_name": user.last_name, "email": email},
    )


def link_token(message) -> str:
    return LINK_RE.search(message.body).group(1)


def emails():
    return sorted(User.objects.values_list("email", flat=True))


@pytest.mark.parametrize("address", ["opfer@example.org", "OPFER@Example.ORG"])
def test_setting_another_accounts_address_is_refused(client, address):
    # given a victim and an attacker
    UserFactory(username="opfer", email="opfer@example.org")
    attacker = UserFactory(username="angreifer", email="angreifer@example.org")
    client.force_login(attacker)
    # when the attacker sets the victim's address (or a case variant) in the profile
    response = profile(client, attacker, address)
    # then it is refused with the German message, nothing changes and no link is sent
    assert response.status_code == 200
    assert "gehört bereits zu einem anderen Konto" in response.content.decode()
    assert emails() == ["angreifer@example.org", "opfer@example.org"]
    assert mail.outbox == []


def test_the_database_refuses_a_case_variant_duplicate():
    # given an account with an address
    UserFactory(username="erste", email="anna@example.org")
    # when another account is saved with a case variant of it (bypassing every form)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="zweite", email="Anna@Example.org")
    # then (empty addresses stay possible for many accounts)
    UserFactory(username="ohne1", email="")
    UserFactory(username="ohne2", email="")


def test_a_new_address_counts_only_after_its_link_is_confirmed(
    client, django_capture_on_commit_callbacks
):
    # given a participant changing their address
    user = UserFactory(username="hans", email="hans@example.org")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = profile(client, user, "hans.neu@example.org")
    # then nothing changed yet; the new address got a link, the old one a notice
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "hans@example.org"
    assert sorted(m.to[0] for m in mail.outbox) == ["hans.neu@example.org", "hans@example.org"]
    confirm = next(m for m in mail.outbox if m.to == ["hans.neu@example.org"])
    notice = next(m for m in mail.outbox if m.to == ["hans@example.org"])
    assert "hans.neu@example.org" in notice.body
    token = link_token(confirm)
    # when they open the link and confirm
    page = client.get(f"/konto/email-bestaetigen/{token}/")
    assert page.status_code == 200
    done = client.post(f"/konto/email-bestaetigen/{token}/")
    # then the new address counts and is confirmed
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.email == "hans.neu@example.org"
    assert account_emails.email_confirmed(user)
    # when the same link is used a second time
    again = client.post(f"/konto/email-bestaetigen/{token}/")
    # then it is refused
    assert again.status_code == 400
    assert "bereits verwendet" in again.content.decode()


def test_an_expired_tampered_or_foreign_link_is_refused(client, monkeypatch):
    # given a link for one account
    owner = UserFactory(username="besitzer", email="besitzer@example.org")
    other = UserFactory(username="andere", email="andere@example.org")
    token = account_emails.email_change_token(user=owner, new_email="neu@example.org")
    # when another logged-in person opens it
    client.force_login(other)
    foreign = client.post(f"/konto/email-bestaetigen/{token}/")
    # when it is tampered with
    client.force_login(owner)
    tampered = client.post(f"/konto/email-bestaetigen/{token[:-3]}abc/")
    # when its lifetime is over
    monkeypatch.setattr(account_emails, "EMAIL_CHANGE_MAX_AGE", timedelta(seconds=-1))
    expired = client.post(f"/konto/email-bestaetigen/{token}/")
    # then each is refused with a German message and nothing changed
    assert foreign.status_code == 403
    assert "gehört zu einem anderen Konto" in foreign.content.decode()
    assert tampered.status_code == 400
    assert "ungültig" in tampered.content.decode()
    assert expired.status_code == 400
    assert "abgelaufen" in expired.content.decode()
    assert emails() == ["andere@example.org", "besitzer@example.org"]


def test_confirming_is_refused_when_the_address_was_taken_meanwhile(client):
    # given a link for an address that was free when asked
    user = UserFactory(username="langsam", email="langsam@example.org")
    token = account_emails.email_change_token(user=user, new_email="begehrt@example.org")
    UserFactory(username="schneller", email="Begehrt@example.org")
    client.force_login(user)
    # when it is confirmed
    response = client.post(f"/konto/email-bestaetigen/{token}/")
    # then it is refused and the address stays
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email == "langsam@example.org"


def test_a_trainers_enrollment_never_attaches_to_a_pending_change(
    client, django_capture_on_commit_callbacks
):
    # given an attacker who asked to change their address to a colleague's (not yet an account)
    course = make_workspace_course()
    trainer = user_in_group("Trainer:innen", username="trainerin")
    cohort = make_cohort(course=course, trainers=[trainer])
    attacker = UserFactory(username="angreifer", email="angreifer@example.org")
    client.force_login(attacker)
    with django_capture_on_commit_callbacks(execute=True):
        profile(client, attacker, "kollegin@example.org")
    token = link_token(next(m for m in mail.outbox if m.to == ["kollegin@example.org"]))
    mail.outbox.clear()
    # when the trainer enrolls the colleague by that address
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = training_services.enroll_participant(
            cohort=cohort,
            email="kollegin@example.org",
            first_name="Karin",
            last_name="Kollegin",
            actor=trainer,
        )
    # then a new account was created for her and invited, not the attacker's
    assert enrollment.user_id != attacker.pk
    assert enrollment.user.email == "kollegin@example.org"
    assert [m.to for m in mail.outbox] == [["kollegin@example.org"]]
    # and the attacker's link (had they seen it) no longer works
    response = client.post(f"/konto/email-bestaetigen/{token}/")
    assert response.status_code == 400
    attacker.refresh_from_db()
    assert attacker.email == "angreifer@example.org"


def test_enrolling_refuses_an_account_whose_address_is_unconfirmed():
    # given an account with a password whose address was never confirmed
    course = make_workspace_course()
    trainer = user_in_group("Trainer:innen", username="trainerin")
    cohort = make_cohort(course=course, trainers=[trainer])
    UserFactory(username="unbestaetigt", email="offen@example.org", email_confirmed=False)
    # when a trainer enrolls that address
    with pytest.raises(ValidationError) as refused:
        training_services.enroll_participant(
            cohort=cohort, email="offen@example.org", actor=trainer
        )
    # then it is refused and nobody is enrolled
    assert str(training_services.ENROLL_EMAIL_UNCONFIRMED) in str(refused.value)
    assert not Enrollment.objects.exists()


def test_the_import_preview_rejects_a_row_with_an_unconfirmed_account():
    # given an unconfirmed account and a file with it and with a new person
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workspace import imports

    course = make_workspace_course()
    trainer = user_in_group("Trainer:innen", username="trainerin")
    cohort = make_cohort(course=course, trainers=[trainer])
    UserFactory(username="unbestaetigt", email="offen@example.org", email_confirmed=False)
    upload = SimpleUploadedFile(
        "t.csv",
        b"Vorname;Nachname;E-Mail\nOtto;Offen;offen@example.org\nNina;Neu;nina@example.org",
    )
    # when the preview is made
    job = workspace_services.start_import(cohort=cohort, upload=upload, actor=trainer)
    # then each row says what will happen
    rows = {row["email"]: row for row in job.result["rows"]}
    assert rows["nina@example.org"]["action"] == "create"
    assert rows["offen@example.org"]["action"] == "skip"
    assert [imports.row_message(n) for n in rows["offen@example.org"]["notes"]] == [
        str(imports.ROW_MESSAGES["email_unconfirmed"])
    ]


def test_wagtails_user_form_refuses_another_accounts_address_instead_of_a_server_error(client):
    # given two accounts and a superuser in the Wagtail admin
    UserFactory(username="opfer", email="opfer@example.org")
    other = UserFactory(
        username="andere", email="andere@example.org", first_name="A", last_name="B"
    )
    admin = UserFactory(username="chefin", email="chefin@example.org", is_superuser=True)
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    # when the admin gives the other account a case variant of the victim's address
    response = client.post(
        f"/admin/users/edit/{other.pk}/",
        {
            "username": "andere",
            "email": "OPFER@example.org",
            "first_name": "A",
            "last_name": "B",
            "password1": "",
            "password2": "",
            "is_active": "on",
        },
    )
    # then the form says so in German and nothing changes (the unique index never fires a 500)
    assert response.status_code == 200
    assert "gehört bereits zu einem anderen Konto" in response.content.decode()
    other.refresh_from_db()
    assert other.email == "andere@example.org"
