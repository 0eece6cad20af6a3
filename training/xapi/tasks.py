from celery import shared_task

from training.xapi import delivery


@shared_task(
    name="xapi.deliver_statements",
    acks_late=True,
    autoretry_for=(delivery.DeliveryFailed,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=12,
)
def deliver_statements(actor_id: int) -> int:
    """Delivers one person's pending statements in order. Safe to repeat: sent rows are skipped
    and the LRS's PUT by statement id stores a statement once. After the last retry the rows
    stay in the outbox for ``deliver_pending_statements``."""
    return delivery.deliver_pending(actor_id=actor_id)


@shared_task(name="xapi.deliver_pending_statements")
def deliver_pending_statements() -> int:
    """Beat: enqueues delivery for everyone with statements still in the outbox."""
    actor_ids = delivery.actors_with_pending() if delivery.enabled() else []
    for actor_id in actor_ids:
        deliver_statements.delay(actor_id)
    return len(actor_ids)
