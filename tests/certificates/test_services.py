import hashlib
import json
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from wagtail.models import ModelLogEntry

from audit.models import AuditAction, AuditEntry
from certificates import services, signing
from certificates.models import Certificate
from certificates.selectors import CODE_ALPHABET
from tests.certificates.conftest import complete, enroll_someone
from tests.certificates.faults import FlakyStorage, RefusingEmailBackend
from tests.factories import UserFactory
from training.models import Quiz, Sitting

pytestmark = pytest.mark.django_db


def stored_pdfs(settings) -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_issuing_freezes_holder_course_sections_and_revisions(enrollment, course, settings):
    # given a completed enrollment whose first module's quiz was passed on a known revision
    quiz = Quiz.objects.create(title="Lernkontrolle 1.1")
    quiz_revision = quiz.save_revision()
    Sitting.objects.create(
        user=enrollment.user,
        quiz=quiz,
        quiz_revision=quiz_revision,
        enrollment=enrollment,
        module=course.modules[0],
        passed=True,
        complete=True,
        score=1,
        max_score=1,
    )
    complete(enrollment, course)
    # when the certificate is issued
    result = services.issue_certificate(enrollment_id=enrollment.pk)
    # then it holds the frozen facts
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert result.created is True and result.certificate == certificate
    assert re.fullmatch(r"DBS-\d{4}-\d{6}", certificate.serial)
    assert certificate.holder_name == "Jürgen Weißmüller-Größ"
    assert certificate.course_title == "Experte für digitalen Bürgerservice"
    assert certificate.sections == [
        {
            "title": "Digitale Service-Expertise",
            "completed_on": "2027-03-01",
            "minutes": 125,
            "teaching_units": 3,
        },
        {
            "title": "Digitales Service-Mindset",
            "completed_on": "2027-03-05",
            "minutes": 95,
            "teaching_units": 2,
        },
        {
            "title": "Bürgerinteraktion 4.0",
            "completed_on": "2027-03-09",
            "minutes": 30,
            "teaching_units": 1,
        },
    ]
    assert [r["module"] for r in certificate.revisions] == [m.pk for m in course.modules]
    assert [r["page_revision"] for r in certificate.revisions] == [
        m.live_revision_id for m in course.modules
    ]
    assert certificate.revisions[0]["quiz_revision"] == quiz_revision.pk
    assert certificate.revisions[1]["quiz_revision"] is None
    # and renaming the person later changes nothing on it
    enrollment.user.last_name = "Anders"
    enrollment.user.save()
    certificate.refresh_from_db()
    assert certificate.holder_name == "Jürgen Weißmüller-Größ"


def test_the_stored_pdf_matches_its_hash_and_the_signature_verifies(enrollment, course):
    # given an issued certificate
    complete(enrollment, course)
    certificate = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    # then the stored file is the hashed one
    with certificate.pdf.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    # and the signature over the canonical payload verifies with the published key
    payload = json.loads(certificate.signed_payload)
    assert payload == {
        "v": 1,
        "id": str(certificate.pk),
        "serial": certificate.serial,
        "holder": "Jürgen Weißmüller-Größ",
        "course": "Experte für digitalen Bürgerservice",
        "sections": [
            {"title": s["title"], "completed_on": s["completed_on"], "teaching_units": u}
            for s, u in zip(certificate.sections, (3, 2, 1), strict=True)
        ],
        "issued_at": payload["issued_at"],
        "pdf_sha256": certificate.pdf_sha256,
        # the qualification in the holder's form (neutral: none chosen)
        "holder_title": "Fachperson für digitalen Bürgerservice",
    }
    assert signing.canonical_json(payload) == certificate.signed_payload.encode()
    assert signing.verify(
        certificate.signed_payload.encode(),
        certificate.signature,
        signing.jwks(),
        certificate.key_id,
    )


def test_token_and_code_carry_enough_randomness(enrollment, course):
    # given an issued certificate
    complete(enrollment, course)
    certificate = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    # then the link token has 256 bits and the typed code 60 bits (12 × 5) of Crockford base32
    assert len(signing.b64url_decode(certificate.token)) == 32
    assert len(certificate.code) == 12 and set(certificate.code) <= set(CODE_ALPHABET)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", certificate.display_code)


def test_a_second_run_returns_the_certificate_without_a_new_file(enrollment, course, settings):
    # given an issued certificate
    complete(enrollment, course)
    first = services.issue_certificate(enrollment_id=enrollment.pk)
    # when issuing runs again
    second = services.issue_certificate(enrollment_id=enrollment.pk)
    # then nothing new is made
    assert second.created is False and second.certificate == first.certificate
    assert Certificate.objects.count() == 1
    assert len(stored_pdfs(settings)) == 1


def test_an_enrollment_that_is_not_completed_gets_no_certificate(enrollment, course):
    # given all modules but the last
    complete(enrollment, course, except_last=True)
    # when issuing runs
    result = services.issue_certificate(enrollment_id=enrollment.pk)
    # then there is none
    assert result.certificate is None
    assert not Certificate.objects.exists()


def test_serials_count_up_within_the_year(course):
    # given two completed enrollments
    first, second = enroll_someone(course, "eins"), enroll_someone(course, "zwei")
    complete(first, course)
    complete(second, course)
    # when both are issued
    a = services.issue_certificate(enrollment_id=first.pk).certificate
    b = services.issue_certificate(enrollment_id=second.pk).certificate
    # then the serials are consecutive
    assert int(b.serial[-6:]) == int(a.serial[-6:]) + 1
    assert a.serial[:9] == b.serial[:9]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_issues_leave_one_certificate_and_one_file(course, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # given a completed enrollment
    enrollment = enroll_someone(course, "parallel")
    complete(enrollment, course)
    Certificate.objects.all().delete()  # the eager task already issued one on commit
    for path in stored_pdfs(settings):
        path.unlink()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def issue():
        try:
            barrier.wait()
            results.append(services.issue_certificate(enrollment_id=enrollment.pk))
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    # when four threads issue at the same moment
    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly one certificate exists, one run created it, and its file is the only one left
    assert errors == []
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert sum(r.created for r in results) == 1
    assert {r.certificate.pk for r in results} == {certificate.pk}
    assert [p.name for p in stored_pdfs(settings)] == [f"{certificate.pk}.pdf"]


def test_the_email_goes_out_once_in_german_with_the_pdf(enrollment, course):
    # given an issued certificate
    complete(enrollment, course)
    certificate = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    # when the email is sent twice
    first = services.send_certificate_email(certificate_id=certificate.pk)
    second = services.send_certificate_email(certificate_id=certificate.pk)
    # then one email with the PDF attached and the links went out
    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jw@example.org"]
    assert message.subject == f"Ihr Zertifikat {certificate.serial}"
    assert "Herzlichen Glückwunsch" in message.body
    assert f"https://akademie.example.ch/zertifikate/{certificate.pk}/pdf/" in message.body
    assert f"https://akademie.example.ch/zertifikate/pruefen/{certificate.token}/" in message.body
    assert certificate.display_code in message.body
    with certificate.pdf.open("rb") as handle:
        pdf = handle.read()
    assert message.attachments == [(f"Zertifikat-{certificate.serial}.pdf", pdf, "application/pdf")]


def test_a_failing_email_keeps_the_certificate_and_can_be_retried(enrollment, course, settings):
    # given an issued certificate and a mail server that refuses
    complete(enrollment, course)
    certificate = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    settings.EMAIL_BACKEND = "tests.certificates.faults.RefusingEmailBackend"
    RefusingEmailBackend.refusals = 1
    # when the email fails
    with pytest.raises(ConnectionRefusedError):
        services.send_certificate_email(certificate_id=certificate.pk)
    # then the certificate is untouched and still marked unsent
    certificate.refresh_from_db()
    assert certificate.emailed_at is None
    assert Certificate.objects.count() == 1
    # and once the mail server is back, the retry sends one email
    assert services.send_certificate_email(certificate_id=certificate.pk) is True
    assert len(mail.outbox) == 1


@pytest.fixture
def issued(enrollment, course):
    complete(enrollment, course)
    return services.issue_certificate(enrollment_id=enrollment.pk).certificate


@pytest.fixture
def lead(django_user_model):
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Kursleitung")
    group.permissions.add(Permission.objects.get(codename="revoke_certificate"))
    user = UserFactory(username="leitung")
    user.groups.add(group)
    return django_user_model.objects.get(pk=user.pk)


def test_a_course_lead_revokes_with_a_reason_and_it_is_audited(issued, lead):
    # when a course lead revokes
    services.revoke_certificate(
        certificate_id=issued.pk,
        reason="  Prüfungsleistung nicht selbst erbracht ",
        revoked_by=lead,
    )
    # then the certificate says who, when and why
    issued.refresh_from_db()
    assert issued.is_revoked
    assert issued.revocation_reason == "Prüfungsleistung nicht selbst erbracht"
    assert issued.revoked_by == lead
    entry = ModelLogEntry.objects.get(action=services.REVOKE_ACTION)
    assert entry.user == lead
    assert entry.object_id == str(issued.pk)
    assert entry.data == {
        "reason": "Prüfungsleistung nicht selbst erbracht",
        "serial": issued.serial,
    }
    # and the access log (Zugriffsprotokoll) records who revoked whose certificate, when and why
    audit = AuditEntry.objects.get()
    assert (audit.action, audit.actor, audit.subject) == (
        AuditAction.CERTIFICATE_REVOKED,
        lead,
        issued.enrollment.user,
    )
    assert (audit.target_type, audit.target_id) == ("certificates.certificate", str(issued.pk))
    assert audit.details == {
        "serial": issued.serial,
        "reason": "Prüfungsleistung nicht selbst erbracht",
    }
    assert issued.revoked_at <= audit.created_at < issued.revoked_at + timedelta(seconds=5)


def test_revoking_needs_a_reason(issued, lead):
    with pytest.raises(ValidationError) as error:
        services.revoke_certificate(certificate_id=issued.pk, reason="   ", revoked_by=lead)
    assert error.value.message_dict == {"reason": [services.REVOCATION_REASON_REQUIRED]}
    issued.refresh_from_db()
    assert issued.revoked_at is None
    assert not AuditEntry.objects.exists()


def test_a_trainer_may_not_revoke(issued, course):
    trainer = course.cohort.trainers.get()
    with pytest.raises(ValidationError) as error:
        services.revoke_certificate(certificate_id=issued.pk, reason="Fehler", revoked_by=trainer)
    assert error.value.messages == [services.NOT_ALLOWED_TO_REVOKE]
    assert not AuditEntry.objects.exists()


def test_revoking_twice_is_refused(issued, lead):
    services.revoke_certificate(certificate_id=issued.pk, reason="Fehler", revoked_by=lead)
    with pytest.raises(ValidationError) as error:
        services.revoke_certificate(certificate_id=issued.pk, reason="Nochmal", revoked_by=lead)
    assert error.value.messages == [services.ALREADY_REVOKED]
    issued.refresh_from_db()
    assert issued.revocation_reason == "Fehler"
    assert AuditEntry.objects.get().details["reason"] == "Fehler"


def test_a_revoked_certificate_is_not_issued_again(issued, lead):
    services.revoke_certificate(certificate_id=issued.pk, reason="Fehler", revoked_by=lead)
    result = services.issue_certificate(enrollment_id=issued.enrollment_id)
    assert result.created is False and result.certificate == issued
    assert Certificate.objects.count() == 1


def test_failed_renders_and_stores_leave_no_gap_in_the_register(course, settings):
    # given a storage that fails every save (an S3 or network share that is away)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.certificates.faults.FlakyStorage"},
    }
    FlakyStorage.failures = 10**6
    # when five enrollments complete and every issuing attempt (with its retries) fails
    enrollments = [enroll_someone(course, f"luecke-{i}") for i in range(5)]
    for enrollment in enrollments:
        complete(enrollment, course)
    assert not Certificate.objects.exists()
    # and the storage comes back and the certificates are issued
    FlakyStorage.failures = 0
    for enrollment in enrollments:
        services.issue_certificate(enrollment_id=enrollment.pk)
    # then the register counts from 1 to 5 without a gap, and no failed attempt left a file
    year = Certificate.objects.first().serial.split("-")[1]
    serials = sorted(Certificate.objects.values_list("serial", flat=True))
    assert serials == [f"DBS-{year}-{n:06d}" for n in range(1, 6)]
    stored = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*.pdf"))
    assert stored == sorted(f"{c.pk}.pdf" for c in Certificate.objects.all())
