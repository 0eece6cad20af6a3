from celery import shared_task
from django.db import DatabaseError

from core.task_base import RETRY_BASE_SECONDS, RETRY_CAP_SECONDS, RETRY_LIMIT
from training.xapi import delivery


@shared_task(
    name="xapi.deliver_statements",
    acks_late=True,
    reject_on_worker_lost=True,
    # the project's retry budget (core.task_base): an LRS or database outage of minutes is
    # bridged by the task itself; the beat task below is the net for longer ones
    autoretry_for=(delivery.DeliveryFailed, DatabaseError),
    retry_backoff=RETRY_BASE_SECONDS,
    retry_backoff_max=RETRY_CAP_SECONDS,
    retry_jitter=True,
    max_retries=RETRY_LIMIT,
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
        deliver_statements.delay_or_log(actor_id)
    return len(actor_ids)
