import functools
import logging
import os
import threading

from celery import Celery, shared_task
from celery.contrib.django.task import DjangoTask
from celery.signals import (
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
)
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

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
            from config.metrics import ENQUEUE_FAILURES, count_shared

            logger.exception("Broker unavailable: %s was not enqueued", self.name)
            count_shared(ENQUEUE_FAILURES, self.name)
            return None


app = Celery("config", task_cls=Task)

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


app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_CACHE_KEY = "celery:heartbeat"


@task_prerun.connect
def _reuse_healthy_database_connections(task=None, **kwargs):
    """What Django does at the start of a request: drop a broken or expired connection, keep a
    healthy one (CELERY_DB_REUSE_MAX stops Celery from closing every connection)."""
    if task is not None and not getattr(task.request, "is_eager", False):
        from django.db import close_old_connections

        close_old_connections()


@task_postrun.connect
def _close_thread_pool_connections(task=None, **kwargs):
    """A threads pool (the test suite's worker) runs tasks outside the main thread; their
    connections would outlive the worker, so close them as Celery did before."""
    if task is not None and not getattr(task.request, "is_eager", False):
        if threading.current_thread() is not threading.main_thread():
            from django.db import connections

            connections.close_all()


@shared_task(name="config.celery.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Record that a worker is alive; /healthz reports the time. Safe to run any number of times."""
    from django.core.cache import cache
    from django.utils import timezone

    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=60 * 10)
    return now


# --- Metrics and the request id -----------------------------------------------------------


@before_task_publish.connect
def _carry_request_id(headers=None, **kwargs):
    """A task enqueued during a request carries the request's id (its log lines show it)."""
    from config.request_id import request_id

    if headers is not None and request_id.get() != "-":
        headers.setdefault("request_id", request_id.get())


@task_prerun.connect
def _adopt_request_id(task=None, **kwargs):
    from config.request_id import request_id

    if task is not None:
        incoming = getattr(task.request, "request_id", None) or (
            (task.request.headers or {}).get("request_id") if task.request.headers else None
        )
        task.request.request_id_token = request_id.set(incoming or f"task-{task.request.id}")


@task_postrun.connect
def _forget_request_id(task=None, **kwargs):
    from config.request_id import request_id

    token = getattr(getattr(task, "request", None), "request_id_token", None)
    if token is not None:
        try:
            request_id.reset(token)
        except ValueError:  # set in another context (eager runs nest)
            pass


@task_failure.connect
def _count_failure(sender=None, **kwargs):
    from config.metrics import TASK_FAILURES, count_shared

    count_shared(TASK_FAILURES, getattr(sender, "name", "unknown"))


@task_retry.connect
def _count_retry(sender=None, **kwargs):
    from config.metrics import TASK_RETRIES, count_shared

    count_shared(TASK_RETRIES, getattr(sender, "name", "unknown"))
