"""Celery tasks of training. They take ids and are safe to repeat."""

from celery import shared_task

from training import enrollment_mail

INVITATION_CHUNK = 100


def queue_invitations(enrollment_ids: list[int], *, actor_id=None) -> None:
    """Sends the invitations after the current transaction commits (none on rollback), in
    chunks of ``INVITATION_CHUNK`` people per task."""
    for start in range(0, len(enrollment_ids), INVITATION_CHUNK):
        send_invitations.delay_on_commit(
            enrollment_ids[start : start + INVITATION_CHUNK], actor_id=actor_id
        )


@shared_task(
    name="training.send_invitations",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_invitations(enrollment_ids: list[int], actor_id: int | None = None) -> None:
    """Mails invitations; people who set their password meanwhile get none. A mail server
    outage (OSError) is retried with backoff."""
    enrollment_mail.send_invitations(enrollment_ids=enrollment_ids, actor_id=actor_id)
