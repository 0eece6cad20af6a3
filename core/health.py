"""Operational endpoints that belong to no app: /healthz."""

from celery import current_app as app
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Written by the beat task `config.celery.heartbeat`, read by /healthz.
HEARTBEAT_CACHE_KEY = "celery:heartbeat"


def _database_state() -> dict:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the message says which
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def _broker_state() -> dict:
    if app.conf.task_always_eager:
        return {"ok": True, "mode": "in-process"}
    try:
        with app.connection_for_write() as conn:
            # One try, half a second: the health check answers fast while Redis is down.
            conn.ensure_connection(max_retries=0, timeout=0.5)
        heartbeat = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception as exc:  # an unreachable broker degrades, it does not take the site down
        return {"ok": False, "mode": "redis", "error": exc.__class__.__name__}
    return {"ok": True, "mode": "redis", "last_worker_heartbeat": heartbeat}


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not. The broker is reported; when it is
    down the web still serves pages (tasks are retried by the reconciliation beat task)."""
    database = _database_state()
    broker = _broker_state()
    healthy = database["ok"]
    body = {
        "status": "ok" if healthy and broker["ok"] else ("degraded" if healthy else "error"),
        "database": database,
        "broker": broker,
    }
    return JsonResponse(body, status=200 if healthy else 503)
