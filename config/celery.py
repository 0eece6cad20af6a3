import os
import threading

from celery import Celery, shared_task
from celery.signals import task_postrun, task_prerun

from core.health import HEARTBEAT_CACHE_KEY

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
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
