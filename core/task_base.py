"""What every app's Celery tasks share: the task class whose enqueue never fails a request, and
the retry budget of tasks that wait out an outage. Celery's configuration stays in
``config.celery``, which makes this class the app's ``task_cls``."""

import functools
import logging

from celery.contrib.django.task import DjangoTask
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What an unreachable broker raises when a task is sent.
BROKER_UNAVAILABLE = (BrokerOperationalError, RedisConnectionError, RedisTimeoutError)


class Task(DjangoTask):
    """Celery's Django task, whose enqueue after commit never fails the request that caused it:
    with the broker unreachable, the send fails fast (no publish retries, one-second connect
    timeout: settings) and is logged; the beat's reconciliation tasks send it again later.
    Errors of the task itself (in-process runs) still propagate."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        from django.db import transaction

        transaction.on_commit(functools.partial(self.delay_or_log, *args, **kwargs))

    def delay_or_log(self, *args, **kwargs):
        try:
            return self.delay(*args, **kwargs)
        except BROKER_UNAVAILABLE:
            from core.metrics import ENQUEUE_FAILURES, count_shared

            logger.exception("Broker unavailable: %s was not enqueued", self.name)
            count_shared(ENQUEUE_FAILURES, self.name)
            return None


# Retry budget of tasks that wait out an outage of the database, the broker or the storage:
# exponential backoff from 2 s, capped at a minute, with "equal jitter" (each wait between half
# and all of its step, so workers that failed together do not return together, and the sum has
# a floor). 15 retries wait at least 331 s and at most about 11 minutes in all: a 5-minute
# outage is bridged by the task itself; the reconciliation beat task remains the net.
RETRY_BASE_SECONDS = 2
RETRY_CAP_SECONDS = 60
RETRY_LIMIT = 15


def retry_countdown(retries: int) -> float:
    """Seconds before retry number ``retries + 1``."""
    import random

    step = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2**retries)
    return step * random.uniform(0.5, 1.0)  # noqa: S311 (spreading retries, not a secret)
