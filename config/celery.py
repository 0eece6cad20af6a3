import os

from celery import Celery, shared_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_CACHE_KEY = "celery:heartbeat"


@shared_task(name="config.celery.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Record that a worker is alive; /healthz reports the time. Safe to run any number of times."""
    from django.core.cache import cache
    from django.utils import timezone

    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=60 * 10)
    return now
