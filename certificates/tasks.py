"""Celery tasks of the certificate register. Each takes ids and is safe to run any number of times;
the work lives in ``certificates.services``."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone
from redis.exceptions import RedisError

from certificates import selectors, services
from core.task_base import RETRY_LIMIT, retry_countdown

logger = logging.getLogger(__name__)

# Worth another try: storage (file system, S3) and database hiccups. Anything else is a bug or a
# configuration error and fails loudly; the reconciliation task picks the enrollment up again.
TRANSIENT_ERRORS = (OSError, DatabaseError, RedisError)
TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "bind": True,
    "max_retries": RETRY_LIMIT,
}
# Reminders retry on the same budget; their sent-log rows keep a retry from sending twice.
REMINDER_RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": RETRY_LIMIT,
}
RECONCILE_GRACE_SECONDS = 120


@shared_task(name="certificates.issue", **TASK_OPTIONS)
def issue_certificate(self, enrollment_id: int) -> str | None:
    """Issues the certificate of a completed enrollment and then enqueues its email.

    Idempotent: a second run, or two workers at once, leave one certificate (see the service).
    Acknowledged only after it ran, and put back on the queue when the worker process dies, so a
    crash mid-render only repeats the work.
    """
    try:
        result = services.issue_certificate(enrollment_id=enrollment_id)
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    if result.certificate is None:
        return None
    if result.created:
        send_certificate_email.delay(str(result.certificate.pk))
    return result.certificate.serial


@shared_task(name="certificates.email", **TASK_OPTIONS)
def send_certificate_email(self, certificate_id: str) -> bool:
    """Emails the certificate to its holder once (retries transient mail and storage errors;
    the certificate itself is never touched by a failing email)."""
    try:
        return services.send_certificate_email(certificate_id=certificate_id)
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task(name="certificates.reconcile", acks_late=True)
def reconcile_certificates(grace_seconds: int = RECONCILE_GRACE_SECONDS) -> dict:
    """Re-enqueues completed enrollments without a certificate and certificates whose email was
    never sent, once they are older than the grace period (so a message still on its way is not
    doubled; a doubled one is harmless anyway). Revoked certificates count as issued: they are
    never issued again."""
    before = timezone.now() - timedelta(seconds=grace_seconds)
    enrollments = selectors.enrollments_missing_certificate(completed_before=before)
    for enrollment_id in enrollments:
        issue_certificate.delay(enrollment_id)
    emails = selectors.certificates_missing_email(issued_before=before)
    for certificate_id in emails:
        send_certificate_email.delay(str(certificate_id))
    if enrollments or emails:
        from core.metrics import RECONCILE_REENQUEUED, count_shared

        count_shared(RECONCILE_REENQUEUED, "certificates", len(enrollments))
        count_shared(RECONCILE_REENQUEUED, "emails", len(emails))
        logger.warning(
            "Reconciliation re-enqueued %s certificates and %s emails",
            len(enrollments),
            len(emails),
        )
    return {"certificates": len(enrollments), "emails": len(emails)}


def enqueue_certificate(enrollment_id: int) -> None:
    """training's *enrollment completed* callback; training calls it after the commit. A broker
    that is down must not fail the participant's request: the reconciliation task catches up."""
    try:
        issue_certificate.delay(enrollment_id)
    except Exception:  # any broker error; logged with its traceback
        logger.exception("Could not enqueue the certificate of enrollment %s", enrollment_id)
        # (fails within about a second: no publish retries, short connect timeouts — settings)


def _clock(now: str | None):
    """Tasks take the clock as an ISO string so tests (and a re-run) can fix it."""
    from datetime import datetime

    return datetime.fromisoformat(now) if now else timezone.now()


@shared_task(name="certificates.remind", acks_late=True, **REMINDER_RETRY)
def send_reminders(now: str | None = None) -> dict:
    """Expiry, inactivity and cohort-end reminders. Safe to run by two beats at once and to
    retry: each reminder's unique sent-log row decides (see ``certificates.reminders``)."""
    from certificates import reminders

    moment = _clock(now)
    return {
        "expiry": reminders.send_expiry_reminders(now=moment),
        "inactivity": reminders.send_inactivity_reminders(now=moment),
        "cohort_end": reminders.send_cohort_end_reminders(now=moment),
    }


@shared_task(name="certificates.trainer_digest", acks_late=True, **REMINDER_RETRY)
def send_trainer_digests(now: str | None = None) -> int:
    """The weekly digest per cohort and trainer, once per ISO week."""
    from certificates import digest

    return digest.send_trainer_digests(now=_clock(now))
