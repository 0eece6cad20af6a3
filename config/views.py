"""Operational endpoints that belong to no app, and the answer when the database is down."""

import sys

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import HEARTBEAT_CACHE_KEY, app


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


# What the database driver raises when PostgreSQL is unreachable (also: restarting, too many
# connections); the request may simply be repeated a little later.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def service_unavailable() -> HttpResponse:
    """503 in the site's layout, German, with Retry-After. Rendered without the request's
    context processors, so nothing in it needs the database."""
    html = loader.get_template("503.html").render({})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """Django's 500 handler, except that an unreachable database answers 503 (every page and
    the admin: the handler sees exceptions from views and middleware alike)."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable()
    return defaults.server_error(request, template_name)
