from celery import shared_task
from django.db import DatabaseError

from accounts import services


@shared_task(acks_late=True)
def apply_retention() -> dict:
    """Nightly (beat): anonymises inactive accounts without enrollment and deletes expired
    login attempts and audit entries. Idempotent: a second run finds nothing left to do."""
    erased = services.anonymise_inactive_accounts()
    purged = services.purge_expired_records()
    return {"accounts_anonymised": len(erased), **purged}


@shared_task(
    name="accounts.password_reset_email",
    acks_late=True,
    autoretry_for=(OSError, DatabaseError),  # mail server or database hiccups
    retry_backoff=True,
    max_retries=5,
)
def send_password_reset_email(user_id: int) -> bool:
    """Mails a password-reset link (see the service). Safe to repeat: a second run mails a
    second link, and either link works once."""
    return services.send_password_reset_email(user_id=user_id)


@shared_task(
    name="accounts.password_reset_request",
    acks_late=True,
    autoretry_for=(OSError, DatabaseError),
    retry_backoff=True,
    max_retries=5,
)
def request_password_reset(email: str) -> int:
    """Looks the address up and mails the links (see the service). The form enqueues this for
    every well-formed address, known or not."""
    return services.request_password_reset(email=email)


@shared_task(
    name="accounts.notification_email",
    acks_late=True,
    autoretry_for=(OSError, DatabaseError),  # mail server or database hiccups
    retry_backoff=True,
    max_retries=5,
)
def send_notification_email(notification_id: int) -> bool:
    """Mails one notification (see the service); a repeated run finds it sent and mails
    nothing."""
    from accounts import notification_mail

    return notification_mail.send_notification_email(notification_id=notification_id)
