"""Renewal (issue 17): before a certificate expires its holder takes a refresher (the modules the
course marks for renewal, or all required ones); completing it issues a new certificate that
names the previous one, exactly once, by the same task path. The previous one is superseded,
not revoked. Attacker cases: someone else's certificate, too early, replay, revoked, expired.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from certificates import reminders, renewals, selectors, services, tasks
from certificates.models import Certificate
from certificates.selectors import CertificateState
from tests.certificates.conftest import complete
from tests.certificates.test_credentials import decode, validate
from tests.conftest import wait_for
from tests.factories import UserFactory, make_quiz, make_sitting, place_quiz, true_false
from training import services as training_services
from training.errors import PermissionDeniedError
from training.models import Renewal, RenewalProgress
from training.quizzes import services as quiz_services

pytestmark = pytest.mark.django_db


def expires_in(certificate, days: int):
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=timezone.now().replace(microsecond=0) + timedelta(days=days)
    )
    certificate.refresh_from_db()
    return certificate


@pytest.fixture
def certified(enrollment, course):
    """A certificate valid for a year, issued now."""
    course.page.validity_months = 12
    course.page.save()
    complete(enrollment, course)
    return services.issue_certificate(enrollment_id=enrollment.pk).certificate


@pytest.fixture
def due(certified):
    """The same certificate, 30 days before its end: the refresher may start."""
    return expires_in(certified, 30)


def refresh(enrollment, modules):
    for module in modules:
        training_services.mark_module_read(user=enrollment.user, module_id=module.pk)


# --- The refresher and the renewed certificate ------------------------------------------------


def test_completing_the_refresher_issues_a_new_certificate_naming_the_previous_one(
    enrollment, course, due
):
    # given a started refresher
    renewal, created = renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    assert created and renewal.completed_at is None
    # when the person reads every required module again
    refresh(enrollment, course.modules[:-1])
    renewal.refresh_from_db()
    assert renewal.completed_at is None  # not before the last one
    assert services.issue_certificate(enrollment_id=enrollment.pk).created is False
    refresh(enrollment, course.modules[-1:])
    renewal.refresh_from_db()
    assert renewal.completed_at is not None
    # then the certificate task issues a new certificate naming the previous one
    result = services.issue_certificate(enrollment_id=enrollment.pk)
    assert result.created
    new = result.certificate
    assert new.previous == due and new.renewal == renewal
    assert new.serial != due.serial and new.code != due.code
    # its validity runs on from the previous end: renewing early loses no time
    assert new.valid_until == services.add_months(due.valid_until, 12)
    # the previous one is superseded, not revoked, and keeps its own end date
    due.refresh_from_db()
    assert not due.is_revoked and due.superseded_by == new
    assert due.valid_until > timezone.now()
    # the signature covers the chain, and the current certificate is the new one
    assert services.signed_payload(new)["renews"] == due.serial
    assert selectors.certificate_for_enrollment(enrollment.pk) == new
    # which the refresher's repeated modules are recorded with
    assert [r["module"] for r in new.revisions if r.get("renewal")] == [
        m.pk for m in course.modules
    ]
    # exactly once: the task again issues nothing
    again = services.issue_certificate(enrollment_id=enrollment.pk)
    assert again.created is False and again.certificate == new
    assert Certificate.objects.filter(enrollment=enrollment).count() == 2


def test_the_refresher_repeats_only_the_modules_marked_for_renewal(enrollment, course, due):
    # given a course that marks one module as part of the refresher
    marked = course.modules[2]
    marked.renewal_required = True
    marked.save_revision().publish()
    renewal, _ = renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    # when the person reads another module again, nothing is repeated
    refresh(enrollment, [course.modules[0]])
    assert not RenewalProgress.objects.filter(renewal=renewal).exists()
    # and reading the marked one completes the refresher
    refresh(enrollment, [marked])
    renewal.refresh_from_db()
    assert renewal.completed_at is not None
    assert services.issue_certificate(enrollment_id=enrollment.pk).certificate.previous == due


def answer_true_false(user, sitting):
    token = quiz_services.sequence_token(sitting, "t1")
    return quiz_services.submit_answer(
        user=user, sitting_id=sitting.pk, question_id="t1", token=token, values=["true"]
    )


def test_a_refresher_quiz_must_be_passed_again_and_its_attempt_limit_starts_afresh(
    enrollment, course, due
):
    # given the first module's single-attempt quiz, used up in the first run
    quiz = make_quiz(questions=[true_false("t1")], single_attempt=True)
    module = place_quiz(course.modules[0], quiz)
    old = make_sitting(
        enrollment=enrollment, module_id=module.pk, quiz=quiz, complete=True, passed=True
    )
    old.__class__.objects.filter(pk=old.pk).update(started_at=timezone.now() - timedelta(days=300))
    renewal, _ = renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    # when the person reads the module again, the old pass does not count for the refresher
    refresh(enrollment, [module])
    progress = RenewalProgress.objects.get(renewal=renewal, module=module)
    assert progress.content_done_at and progress.completed_at is None
    # then the quiz may be taken once more, and passing it completes the module in the refresher
    sitting = quiz_services.start_sitting(user=enrollment.user, module_id=module.pk)
    assert sitting.pk != old.pk and sitting.attempt_number == 2
    answered = answer_true_false(enrollment.user, sitting)
    assert answered.passed and answered.score == Decimal(1)
    progress.refresh_from_db()
    assert progress.quiz_passed_at and progress.completed_at
    # and the refresher's single attempt is used now
    with pytest.raises(PermissionDeniedError):
        quiz_services.start_sitting(user=enrollment.user, module_id=module.pk)


# --- Refusals: nothing is started ---------------------------------------------------------------


def refused(user, certificate, **kwargs) -> renewals.RenewalRefused:
    with pytest.raises(renewals.RenewalRefused) as caught:
        renewals.start_renewal(user=user, certificate_id=certificate.pk, **kwargs)
    assert not Renewal.objects.exists()
    return caught.value


def test_a_certificate_whose_window_has_not_opened_is_not_renewed_yet(enrollment, certified):
    refusal = refused(enrollment.user, certified)
    opens = timezone.localdate(certified.valid_until - timedelta(days=90)).strftime("%d.%m.%Y")
    assert refusal.message == renewals.RENEWAL_TOO_EARLY % {"date": opens, "days": 90}
    # the day the window opens, it may start
    at = certified.valid_until - timedelta(days=90)
    renewal, created = renewals.start_renewal(
        user=enrollment.user, certificate_id=certified.pk, now=at
    )
    assert created and renewal.started_at == at


def test_someone_elses_certificate_cannot_be_renewed(due, client):
    other = UserFactory(username="fremde")
    refusal = refused(other, due)
    assert refusal.status == 404 and refusal.message == renewals.RENEWAL_NOT_FOUND
    client.force_login(other)
    for method in (client.get, client.post):
        response = method(f"/zertifikate/{due.pk}/auffrischung/")
        assert response.status_code == 404
        assert "Dieses Zertifikat gibt es nicht in Ihrem Konto." in response.content.decode()
    assert not Renewal.objects.exists()


def test_revoked_expired_and_unlimited_certificates_are_not_renewed(
    enrollment, course, due, django_user_model
):
    assert refused(enrollment.user, due, now=due.valid_until).message == renewals.RENEWAL_EXPIRED
    Certificate.objects.filter(pk=due.pk).update(valid_until=None)
    assert refused(enrollment.user, due).message == renewals.RENEWAL_UNLIMITED
    expires_in(due, 30)
    lead = django_user_model.objects.create_superuser("chefin", "chefin@example.org", "x")
    services.revoke_certificate(certificate_id=due.pk, reason="Täuschung", revoked_by=lead)
    assert refused(enrollment.user, due).message == renewals.RENEWAL_REVOKED


def test_an_unenrolled_person_starts_no_refresher(enrollment, due):
    training_services.unenroll_participant(enrollment=enrollment, actor=None)
    assert refused(enrollment.user, due).message == renewals.RENEWAL_UNENROLLED


def test_a_replayed_start_returns_the_running_refresher(client, enrollment, due):
    client.force_login(enrollment.user)
    url = f"/zertifikate/{due.pk}/auffrischung/"
    first = client.post(url)
    second = client.post(url)  # the back button, a second tab, a double click
    assert first.status_code == second.status_code == 302
    assert Renewal.objects.count() == 1
    page = client.get(url).content.decode()
    assert "Ihre Auffrischung läuft bereits." in page
    assert "0 von 5 Modulen wiederholt" in page


def test_a_renewed_certificate_is_not_renewed_twice(enrollment, course, due):
    renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    refresh(enrollment, course.modules)
    new = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    message = refused_again(enrollment.user, due)
    assert message == renewals.RENEWAL_SUPERSEDED % {"serial": new.serial}


def refused_again(user, certificate) -> str:
    with pytest.raises(renewals.RenewalRefused) as caught:
        renewals.start_renewal(user=user, certificate_id=certificate.pk)
    assert Renewal.objects.count() == 1
    return str(caught.value.message)


def test_a_certificate_revoked_during_the_refresher_is_not_renewed(
    enrollment, course, due, django_user_model
):
    renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    lead = django_user_model.objects.create_superuser("chefin", "chefin@example.org", "x")
    services.revoke_certificate(certificate_id=due.pk, reason="Täuschung", revoked_by=lead)
    refresh(enrollment, course.modules)
    assert services.issue_certificate(enrollment_id=enrollment.pk).certificate == due
    assert Certificate.objects.count() == 1
    # and the reconciliation does not try again and again
    later = timezone.now() + timedelta(hours=1)
    assert selectors.enrollments_missing_certificate(completed_before=later) == []


# --- What people see ------------------------------------------------------------------------------


def test_the_chain_shows_on_both_verification_pages(client, enrollment, course, due):
    renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    refresh(enrollment, course.modules)
    new = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    old_page = client.get(f"/zertifikate/pruefen/{due.token}/").content.decode()
    assert "Erneuert durch" in old_page and new.serial in old_page
    assert "Gültig:" in old_page  # superseded, not revoked
    new_page = client.get(f"/zertifikate/pruefen/{new.token}/").content.decode()
    assert "Erneuert das Zertifikat" in new_page and due.serial in new_page
    facts = client.get(f"/zertifikate/pruefen/{new.display_code}/json/").json()
    assert (facts["status"], facts["renews"], facts["renewed_by"]) == ("valid", due.serial, None)
    old_facts = client.get(f"/zertifikate/pruefen/{due.display_code}/json/").json()
    assert (old_facts["renews"], old_facts["renewed_by"]) == (None, new.serial)


def test_the_renewed_credential_is_valid_and_names_the_previous_one(
    client, enrollment, course, due
):
    renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    refresh(enrollment, course.modules)
    new = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    # a second implementation (PyJWT with the published key) verifies it; the schema holds
    credential = decode(client, new.credential_jwt)
    validate(credential)
    assert {
        "id": f"urn:uuid:{due.pk}",
        "type": ["Evidence"],
        "name": f"Erneuerung von {due.serial}",
        "genre": "Erneuerung",
    } in credential["evidence"]
    assert credential["validUntil"].startswith(new.valid_until.strftime("%Y-%m-%d"))


def test_mein_lernstand_offers_the_refresher_when_it_is_due(client, enrollment, certified):
    client.force_login(enrollment.user)
    page = client.get("/lernen/").content.decode()
    assert "Auffrischung ab" in page and "Zertifikat auffrischen" not in page
    expires_in(certified, 30)
    page = client.get("/lernen/").content.decode()
    assert f"/zertifikate/{certified.pk}/auffrischung/" in page
    assert "Zertifikat auffrischen" in page


def test_the_module_page_asks_to_read_it_again_during_the_refresher(client, enrollment, due):
    client.force_login(enrollment.user)
    page_url = selectors_module_url(enrollment)
    assert "Als gelesen markieren" not in client.get(page_url).content.decode()
    renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    page = client.get(page_url).content.decode()
    assert "Auffrischung seit" in page and "Als gelesen markieren" in page


def selectors_module_url(enrollment):
    from cms.selectors import course_modules

    return course_modules(enrollment.course)[0].url


def test_trainers_see_the_renewal_state_and_the_chain(client, enrollment, course, due):
    from django.contrib.auth.models import Group

    trainer = course.cohort.trainers.get()
    trainer.groups.add(Group.objects.get(name="Trainer:innen"))
    client.force_login(trainer)
    states = selectors.certificate_states([enrollment.pk])
    assert states == {enrollment.pk: CertificateState.ISSUED}
    renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    assert selectors.certificate_states([enrollment.pk]) == {
        enrollment.pk: CertificateState.RENEWING
    }
    inspect = client.get(f"/admin/certificate/inspect/{due.pk}/").content.decode()
    assert "Auffrischung läuft seit" in inspect
    refresh(enrollment, course.modules)
    new = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    assert selectors.certificate_states([enrollment.pk]) == {
        enrollment.pk: CertificateState.RENEWED
    }
    listing = client.get("/admin/certificate/").content.decode()
    assert f"erneuert durch {new.serial}" in listing
    inspect = client.get(f"/admin/certificate/inspect/{new.pk}/").content.decode()
    assert due.serial in inspect  # *Erneuert das Zertifikat*


# --- Reminders point to the renewal --------------------------------------------------------------


def test_the_expiry_reminder_links_to_the_renewal_and_stops_once_renewed(enrollment, course, due):
    assert reminders.send_expiry_reminders() == 1
    (message,) = mail.outbox
    assert f"https://akademie.example.ch/zertifikate/{due.pk}/auffrischung/" in message.body
    assert "Kursleitung" not in message.body
    renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    refresh(enrollment, course.modules)
    # a completed refresher: no more reminders for the old certificate, even before the issue
    assert reminders.send_expiry_reminders(now=due.valid_until - timedelta(days=3)) == 0
    services.issue_certificate(enrollment_id=enrollment.pk)
    assert reminders.send_expiry_reminders(now=due.valid_until - timedelta(days=2)) == 0


# --- Exactly once, by the same task path, on a real worker ----------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_certificate_task_issues_the_renewal_once_on_a_real_worker(
    celery_worker, enrollment, course, certified
):
    # given a due certificate and a running refresher
    due = expires_in(certified, 30)
    renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    # when the last module is read again (its commit announces the enrollment completed), and
    # the task is delivered twice more at once
    refresh(enrollment, course.modules)
    extra = [tasks.issue_certificate.delay(enrollment.pk) for _ in range(2)]
    # then the worker issues one renewed certificate and emails it once
    renewed = wait_for(lambda: Certificate.objects.filter(previous=due).first(), timeout=30)
    wait_for(lambda: all(r.ready() for r in extra), timeout=30)
    assert {r.get(timeout=5) for r in extra} == {renewed.serial}
    subject = f"Ihr Zertifikat {renewed.serial}"
    wait_for(lambda: any(m.subject == subject for m in mail.outbox), timeout=30)
    wait_for(lambda: Certificate.objects.filter(pk=renewed.pk, emailed_at__isnull=False).exists())
    assert [m.subject for m in mail.outbox].count(subject) == 1
    assert Certificate.objects.filter(enrollment=enrollment).count() == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_reconciliation_issues_a_renewal_whose_message_was_lost(
    celery_worker, enrollment, course, certified
):
    from training import events

    due = expires_in(certified, 30)
    renewals.start_renewal(user=enrollment.user, certificate_id=due.pk)
    events.unsubscribe(tasks.enqueue_certificate)  # the announcement is lost
    try:
        refresh(enrollment, course.modules)
    finally:
        events.subscribe(tasks.enqueue_certificate)
    assert not Certificate.objects.filter(previous=due).exists()
    result = tasks.reconcile_certificates.delay(0)
    wait_for(result.ready, timeout=30)
    assert result.get(timeout=5)["certificates"] == 1
    wait_for(lambda: Certificate.objects.filter(previous=due).exists(), timeout=30)
