import pytest
from django.contrib.auth.models import Group
from wagtail.models import ModelLogEntry

from audit.models import AuditAction, AuditEntry
from certificates import certificate_text, services
from certificates.models import Certificate, CertificateText
from tests.certificates.conftest import complete, enroll_someone
from tests.factories import UserFactory
from training.models import Cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificates(course):
    """One certificate in the course's cohort and one in another trainer's cohort."""
    own = enroll_someone(course, "eigene")
    other_cohort = Cohort.objects.create(name="Andere", organisation="Stadt B", course=course.page)
    other_cohort.trainers.add(UserFactory(username="trainer-b"))
    other = enroll_someone(course, "fremde")
    other.cohort = other_cohort
    other.save()
    result = []
    for enrollment in (own, other):
        complete(enrollment, course)
        result.append(services.issue_certificate(enrollment_id=enrollment.pk).certificate)
    return result


def in_group(user, name):
    user.groups.add(Group.objects.get(name=name))
    return user


def test_a_trainer_sees_the_certificates_of_their_cohorts_only(client, course, certificates):
    # given the cohort's trainer in the trainers' group
    trainer = in_group(course.cohort.trainers.get(), "Trainer:innen")
    client.force_login(trainer)
    # when they open the register
    response = client.get("/admin/certificate/")
    # then they see their cohort's certificate, not the other one, and no revoke action
    html = response.content.decode()
    assert response.status_code == 200
    assert certificates[0].serial in html
    assert certificates[1].serial not in html
    inspect = client.get(f"/admin/certificate/inspect/{certificates[0].pk}/")
    assert inspect.status_code == 200
    assert "/admin/certificate/revoke/" not in inspect.content.decode()
    assert client.get(f"/admin/certificate/inspect/{certificates[1].pk}/").status_code == 404
    assert client.get(f"/admin/certificate/revoke/{certificates[0].pk}/").status_code == 302


def test_nobody_edits_or_deletes_certificates_in_the_admin(admin_client, certificates):
    pk = certificates[0].pk
    assert admin_client.get(f"/admin/certificate/edit/{pk}/").status_code == 302
    assert admin_client.post(f"/admin/certificate/delete/{pk}/").status_code == 302
    assert admin_client.get("/admin/certificate/new/").status_code == 302
    assert Certificate.objects.count() == 2


def test_a_course_lead_revokes_with_a_reason(client, certificates):
    # given a course lead
    lead = in_group(UserFactory(username="leitung"), "Kursleitung")
    client.force_login(lead)
    certificate = certificates[1]
    # when the revoke form is sent without a reason, then with one
    url = f"/admin/certificate/revoke/{certificate.pk}/"
    assert (
        "Widerrufen" in client.get(f"/admin/certificate/inspect/{certificate.pk}/").content.decode()
    )
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 200
    assert str(services.REVOCATION_REASON_REQUIRED) in empty.content.decode()
    response = client.post(url, {"reason": "Teilnahme nicht nachgewiesen"})
    # then it is revoked and the audit log says who and why
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_by == lead
    assert certificate.revocation_reason == "Teilnahme nicht nachgewiesen"
    entry = ModelLogEntry.objects.get(action=services.REVOKE_ACTION)
    assert (entry.user_id, entry.data["reason"]) == (lead.pk, "Teilnahme nicht nachgewiesen")
    history = client.get(f"/admin/certificate/history/{certificate.pk}/")
    assert "Zertifikat widerrufen" in history.content.decode()
    # and the access log lists the revocation with the lead and the holder
    log = client.get("/admin/protokoll/", {"action": "certificate_revoked"}).content.decode()
    holder = certificate.enrollment.user
    assert "Zertifikat widerrufen" in log
    assert lead.username in log and holder.get_full_name() in log
    assert f"certificates.certificate #{certificate.pk}" in log


def test_trainers_may_not_change_the_certificate_text(client, course):
    # given a trainer
    trainer = in_group(course.cohort.trainers.get(), "Trainer:innen")
    client.force_login(trainer)
    text = CertificateText.load()
    # when they open the certificate text or post a new signatory to it
    opened = client.get(f"/admin/settings/certificates/certificatetext/{text.pk}/")
    posted = client.post(
        f"/admin/settings/certificates/certificatetext/{text.pk}/",
        {**certificate_text.certificate_text_values(text), "signatory_name": "Jemand Fremdes"},
    )
    # then they are refused and nothing changed
    assert opened.status_code == 302 and opened.headers["Location"] == "/admin/"
    assert posted.status_code == 302 and posted.headers["Location"] == "/admin/"
    assert CertificateText.load().signatory_name == text.signatory_name
    assert not AuditEntry.objects.filter(action=AuditAction.CERTIFICATE_TEXT_CHANGED).exists()


def test_the_course_lead_words_the_certificate_text_and_the_change_is_audited(client, course):
    # given the Kursleitung
    lead = in_group(UserFactory(username="leitung"), "Kursleitung")
    client.force_login(lead)
    text = CertificateText.load()
    form = client.get(f"/admin/settings/certificates/certificatetext/{text.pk}/")
    assert "Unterzeichnet von" in form.content.decode()
    # when they change the signatory
    response = client.post(
        f"/admin/settings/certificates/certificatetext/{text.pk}/",
        {
            **certificate_text.certificate_text_values(text),
            "signatory_name": "Dr. Anna Beispiel",
            "signatory_role": "Kursleitung",
        },
    )
    # then it is saved, and the audit log says who changed what from what to what
    assert response.status_code == 302
    assert CertificateText.load().signatory_name == "Dr. Anna Beispiel"
    (entry,) = AuditEntry.objects.filter(action=AuditAction.CERTIFICATE_TEXT_CHANGED)
    assert entry.actor == lead
    assert entry.details["changed"] == {
        "signatory_name": {"vorher": text.signatory_name, "nachher": "Dr. Anna Beispiel"},
        "signatory_role": {"vorher": text.signatory_role, "nachher": "Kursleitung"},
    }
    log = client.get("/admin/protokoll/", {"action": "certificate_text_changed"})
    assert "Zertifikatstext geändert" in log.content.decode()
