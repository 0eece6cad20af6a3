import os
import threading

from celery import Celery, shared_task
from celery.signals import (
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
)

from core.health import HEARTBEAT_CACHE_KEY
from core.task_base import Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# The task class (enqueue that never fails a request) and the retry budget live in
# core.task_base, where the apps' tasks import them from.
app = Celery("config", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
    from core.request_id import request_id

    if headers is not None and request_id.get() != "-":
        headers.setdefault("request_id", request_id.get())


@task_prerun.connect
def _adopt_request_id(task=None, **kwargs):
    from core.request_id import request_id

    if task is not None:
        incoming = getattr(task.request, "request_id", None) or (
            (task.request.headers or {}).get("request_id") if task.request.headers else None
        )
        task.request.request_id_token = request_id.set(incoming or f"task-{task.request.id}")


@task_postrun.connect
def _forget_request_id(task=None, **kwargs):
    from core.request_id import request_id

    token = getattr(getattr(task, "request", None), "request_id_token", None)
    if token is not None:
        try:
            request_id.reset(token)
        except ValueError:  # set in another context (eager runs nest)
            pass


@task_failure.connect
def _count_failure(sender=None, **kwargs):
    from core.metrics import TASK_FAILURES, count_shared

    count_shared(TASK_FAILURES, getattr(sender, "name", "unknown"))


@task_retry.connect
def _count_retry(sender=None, **kwargs):
    from core.metrics import TASK_RETRIES, count_shared

    count_shared(TASK_RETRIES, getattr(sender, "name", "unknown"))
