"""Erasing an account: nothing of the person remains outside the certificate register, which
keeps the name as issued (and never an email address)."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Page

from accounts import services
from audit.models import AuditAction, AuditEntry
from certificates import selectors as certificates_selectors
from certificates import services as certificate_services
from certificates.models import Certificate
from tests.factories import editor, totp_code
from tests.privacy.conftest import (
    ESSAY,
    HOLDER_NAME,
    PERSON,
    certificate_register_tables,
    issue_certificate,
    participant_list,
    tables_containing,
)
from training.models import (
    Cohort,
    Enrollment,
    EnrollmentEvent,
    EssayMark,
    ModuleProgress,
    OrganisationUnit,
    Quiz,
    Sitting,
)
from workspace import privacy as workspace_privacy
from workspace import services as workspace_services
from workspace.models import WorkspaceJob

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


ERASED = "gelöschtes Konto"


def assert_nothing_remains_of(*, email, username, names):
    """No table holds the email address or the username; no table but the certificate register
    holds the names."""
    for needle in (email, username):
        assert tables_containing(needle) == [], needle
    for needle in names:
        assert tables_containing(needle, exclude=certificate_register_tables()) == [], needle


def assert_nothing_remains_of_the_person():
    assert_nothing_remains_of(
        email=PERSON["email"],
        username=PERSON["username"],
        names=(PERSON["first_name"], PERSON["last_name"]),
    )


def assert_the_certificate_still_verifies(client, certificate):
    page = client.get(f"/zertifikate/pruefen/{certificate.token}/")
    assert page.status_code == 200
    assert HOLDER_NAME in page.content.decode()
    facts = client.get(f"/zertifikate/pruefen/{certificate.code}/json/").json()
    assert (facts["holder"], facts["serial"]) == (HOLDER_NAME, certificate.serial)
    return facts


def test_a_participant_erases_the_account_and_nothing_of_them_remains(person, client):
    # given a participant with learning data, a certificate, a second factor, a failed login,
    # an audit entry and a profile, listed in a trainer's import: the search finds them in
    # these tables
    assert set(tables_containing(PERSON["first_name"])) >= {
        "auth_user",
        "training_sitting",
        "training_workspacejob",
        "audit_auditentry",
        "otp_totp_totpdevice",
        "certificates_certificate",
    }
    assert "training_essaymark" in tables_containing(PERSON["last_name"])
    assert "training_workspacejob" in tables_containing(PERSON["email"])
    assert "axes_accessattempt" in tables_containing(PERSON["username"])
    certificate = Certificate.objects.get(enrollment__user=person)
    statistics = (
        Enrollment.objects.count(),
        ModuleProgress.objects.count(),
        EnrollmentEvent.objects.count(),
        EssayMark.objects.count(),
    )
    # when they erase their account on the account page, confirming with the password
    log_in_with_second_factor(client, person)
    response = client.post(
        "/konto/loeschen/", {"password": "Sicheres-Passwort-2026", "confirm": "on"}
    )
    # then they are logged out and told so
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "_auth_user_id" not in client.session
    # and no table holds their email or username, none but the certificate register their names
    assert_nothing_remains_of_the_person()
    # and the certificate register keeps the certificate with the name as issued, so the public
    # verification still confirms it
    assert tables_containing(PERSON["last_name"]) == ["certificates_certificate"]
    certificate.refresh_from_db()
    assert (certificate.holder_name, certificate.is_revoked) == (HOLDER_NAME, False)
    assert assert_the_certificate_still_verifies(client, certificate)["status"] == "valid"
    # and the learning statistics remain, anonymous: same counts, scores kept, answers and the
    # feedback on them gone
    assert (
        Enrollment.objects.count(),
        ModuleProgress.objects.count(),
        EnrollmentEvent.objects.count(),
        EssayMark.objects.count(),
    ) == statistics
    sitting = Sitting.objects.get(user=person, module__isnull=False)  # not the final exam's
    assert (sitting.score, sitting.max_score, sitting.passed, sitting.answers) == (3, 4, True, {})
    mark = EssayMark.objects.get(sitting=sitting)
    assert (mark.new_points, mark.feedback, mark.marked_by_name) == (3, "", "Regula Meier")
    # and the trainer's import that enrolled them stays, their row without name or address
    job = WorkspaceJob.objects.get(kind=WorkspaceJob.Kind.IMPORT)
    assert job.status == WorkspaceJob.Status.DONE
    [row] = job.result["rows"]
    assert (row["first_name"], row["last_name"], row["email"], row["user_id"]) == (
        ERASED,
        "",
        "",
        None,
    )
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
    assert_nothing_remains_of_the_person()
    entry = AuditEntry.objects.get(action=AuditAction.ACCOUNT_ERASED)
    assert (entry.actor, entry.details["requested_by"]) == (lead, "staff")


def test_trainers_cannot_erase_accounts(person, demo, client):
    client.force_login(demo["trainer"])
    response = client.post(f"/admin/konten/{person.pk}/loeschen/")
    assert response.status_code == 302
    assert get_user_model().objects.get(pk=person.pk).username == PERSON["username"]


def test_erasing_a_trainer_keeps_the_course_content_but_not_the_person(
    demo, client, settings, django_capture_on_commit_callbacks
):
    # given a trainer, also in the Kursleitung, who edited a page, locked it, was logged by the
    # admin, trains a cohort and leads a unit
    trainer = editor(
        username="rmoosbrugger",
        first_name="Ruedigera",
        last_name="Moosbrugger",
        email="r.moosbrugger@example.org",
    )
    trainer.groups.add(Group.objects.get(name="Kursleitung"))
    trainer_name = trainer.get_full_name()
    course = demo["course"]
    course.save_revision(user=trainer)
    Page.objects.filter(pk=course.pk).update(locked=True, locked_by=trainer)
    log(instance=trainer, action="wagtail.edit", user=demo["lead"])
    cohort = Cohort.objects.get()
    cohort.trainers.add(trainer)
    unit = OrganisationUnit.objects.create(organisation=cohort.organisation, name="Bauamt")
    unit.leads.add(trainer)
    # and who invited a participant, marked their essay and revoked their certificate
    participant = demo["participant"]
    enrollment = Enrollment.objects.get(user=participant)
    event = EnrollmentEvent.objects.create(
        enrollment=enrollment, action=EnrollmentEvent.Action.INVITED, actor=trainer
    )
    quiz = Quiz.objects.order_by("pk").first()
    sitting = Sitting.objects.create(
        user=participant,
        quiz=quiz,
        quiz_revision=quiz.latest_revision,
        enrollment=enrollment,
        answers={"essay-1": {"text": "Meine Antwort", "points": "2.00", "marked_by": trainer_name}},
        score=2,
        max_score=4,
        complete=True,
    )
    mark = EssayMark.objects.create(
        sitting=sitting,
        block_id="essay-1",
        new_points=2,
        feedback="Bitte genauer.",
        marked_by=trainer,
        marked_by_name=trainer_name,
    )
    certificate = issue_certificate(enrollment)
    certificate_services.revoke_certificate(
        certificate_id=certificate.pk, reason="Falsche Angaben", revoked_by=trainer
    )
    # and whose import (waiting for confirmation) and export jobs hold files with other people
    with django_capture_on_commit_callbacks(execute=True):
        workspace_services.start_import(
            cohort=cohort,
            upload=participant_list("Anna;Muster;anna.muster@example.org;Bauamt;"),
            actor=trainer,
        )
        workspace_services.start_export(
            cohort=cohort, kind=WorkspaceJob.Kind.PARTICIPANTS_EXPORT, params={}, actor=trainer
        )
    files = [
        Path(settings.MEDIA_ROOT, name)
        for job in WorkspaceJob.objects.filter(created_by=trainer)
        for name in (job.upload.name, job.result_file.name)
        if name
    ]
    assert len(files) == 2 and all(f.exists() for f in files)
    # when the course lead erases the account
    with django_capture_on_commit_callbacks(execute=True):
        services.erase_account(user=trainer, actor=demo["lead"])
    # then the revision stays (anonymised author), the page is unlocked, the cohort and the
    # unit have lost the trainer
    course.refresh_from_db()
    assert course.latest_revision.user_id == trainer.pk
    assert (course.locked, course.locked_by) == (False, None)
    assert not Cohort.objects.filter(trainers=trainer).exists()
    assert not OrganisationUnit.objects.filter(leads=trainer).exists()
    # and the history, the mark and the revocation stay without the person
    event.refresh_from_db()
    assert (event.action, event.actor) == (EnrollmentEvent.Action.INVITED, None)
    mark.refresh_from_db()
    assert (mark.new_points, mark.feedback, mark.marked_by, mark.marked_by_name) == (
        2,
        "Bitte genauer.",
        None,
        ERASED,
    )
    sitting.refresh_from_db()
    assert sitting.answers["essay-1"] == {
        "text": "Meine Antwort",
        "points": "2.00",
        "marked_by": ERASED,
    }
    certificate.refresh_from_db()
    assert (certificate.is_revoked, certificate.revocation_reason, certificate.revoked_by) == (
        True,
        "Falsche Angaben",
        None,
    )
    # and their jobs are deleted with their files
    assert not WorkspaceJob.objects.exists()
    assert not any(f.exists() for f in files)
    # and no table holds the name, username or email
    assert_nothing_remains_of(
        email="r.moosbrugger@example.org",
        username="rmoosbrugger",
        names=("Ruedigera", "Moosbrugger"),
    )
    for needle in ("Ruedigera", "Moosbrugger"):
        assert tables_containing(needle) == [], needle


def test_an_import_waiting_for_confirmation_that_lists_the_person_is_discarded(
    person, demo, settings, django_capture_on_commit_callbacks
):
    # given a trainer's preview of a list with the person and someone else
    job = workspace_services.start_import(
        cohort=Cohort.objects.get(),
        upload=participant_list(
            f"Xaveria;Quellenbrunner;{PERSON['email'].upper()};;",
            "Anna;Muster;anna.muster@example.org;;",
        ),
        actor=demo["trainer"],
    )
    upload = Path(settings.MEDIA_ROOT, job.upload.name)
    assert job.status == WorkspaceJob.Status.PREVIEW and upload.exists()
    # when the person's account is erased
    with django_capture_on_commit_callbacks(execute=True):
        services.erase_account(user=person, actor=None)
    # then the preview is discarded with its file (it lists the person), saying why
    job.refresh_from_db()
    assert (job.status, job.error, job.upload.name) == (
        WorkspaceJob.Status.FAILED,
        str(workspace_privacy.IMPORT_DISCARDED),
        "",
    )
    assert not upload.exists()
    # and its rows keep everyone else
    assert [(r["first_name"], r["email"]) for r in job.result["rows"]] == [
        (ERASED, ""),
        ("Anna", "anna.muster@example.org"),
    ]
    assert_nothing_remains_of_the_person()


def test_a_revoked_certificate_stays_revoked_and_its_logs_lose_the_person(person, demo, client):
    # given the person's certificate, revoked by the course lead
    certificate = Certificate.objects.get(enrollment__user=person)
    certificate_services.revoke_certificate(
        certificate_id=certificate.pk, reason="Prüfung wiederholen", revoked_by=demo["lead"]
    )
    # when the account is erased
    services.erase_account(user=person, actor=None)
    # then the register still answers with the name as issued, and the revocation
    assert assert_the_certificate_still_verifies(client, certificate)["status"] == "revoked"
    # and Wagtail's log of the revocation keeps the serial, not the name; the access log entry
    # keeps who revoked and when, no longer about whom
    entry = ModelLogEntry.objects.get(action=certificate_services.REVOKE_ACTION)
    assert (entry.label, entry.user) == (certificate.serial, demo["lead"])
    audit = AuditEntry.objects.get(action=AuditAction.CERTIFICATE_REVOKED)
    assert (audit.actor, audit.subject, audit.details) == (demo["lead"], None, {})
    assert_nothing_remains_of_the_person()


def test_an_erased_account_gets_no_certificate_afterwards(person):
    # given a completed enrollment whose certificate was not issued yet when the account is
    # erased (the issuing task had not run)
    Certificate.objects.filter(enrollment__user=person).delete()
    enrollment = Enrollment.objects.get(user=person)
    services.erase_account(user=person, actor=None)
    # then neither the task nor the reconciliation issues one to the anonymous placeholder
    assert certificate_services.issue_certificate(enrollment_id=enrollment.pk).certificate is None
    assert enrollment.pk not in certificates_selectors.enrollments_missing_certificate(
        completed_before=timezone.now()
    )


def test_an_erased_account_cannot_be_erased_twice(person):
    services.erase_account(user=person, actor=None)
    with pytest.raises(ValidationError) as error:
        services.erase_account(user=person, actor=None)
    assert error.value.messages == [str(services.ALREADY_ERASED)]


def test_the_essay_text_is_in_the_export_before_erasure(person):
    data = services.export_personal_data(user=person)
    assert data["records"]["training.sitting"]["items"][0]["answers"] == {"essay-1": ESSAY}
