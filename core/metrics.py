"""Prometheus metrics and the request id that ties a request's log lines to the tasks it enqueued.

- Per process (``prometheus_client``; with ``PROMETHEUS_MULTIPROC_DIR`` set, gunicorn's workers
  are summed, as the client library documents): request latency per view, responses per view
  and status class.
- Shared by all nodes and workers, read at each scrape: the Celery queue length (Redis), task
  failures and retries and reconciliation re-enqueues (counters in the shared cache, written by
  the workers), certificates issued (the register in PostgreSQL).

``/metrics`` answers only to ``METRICS_ALLOWED_ADDRESSES`` or with ``Authorization: Bearer
<METRICS_TOKEN>``; to everybody else it does not exist (404).
"""

import hmac
import logging
import os
import re
import time
import uuid

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from core.request_id import RequestIdFilter, request_id  # noqa: F401 (re-exported)
from core.security import client_ip

logger = logging.getLogger(__name__)

REQUEST_LATENCY = Histogram(
    "bsa_http_request_duration_seconds",
    "Time from request to response, per view",
    ["view", "method"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RESPONSES = Counter(
    "bsa_http_responses_total", "Responses per view and status class", ["view", "status"]
)

SHARED_COUNTER_PREFIX = "metrics:"
TASK_FAILURES = "task_failures"
TASK_RETRIES = "task_retries"
RECONCILE_REENQUEUED = "reconcile_reenqueued"
ENQUEUE_FAILURES = "enqueue_failures"

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def count_shared(name: str, label: str = "", amount: int = 1) -> None:
    """Adds to a counter in the shared cache (any process, any node). Lost during a cache
    outage, which the metrics then under-count rather than failing the caller."""
    from django.core.cache import cache

    key = f"{SHARED_COUNTER_PREFIX}{name}:{label}"
    try:
        cache.add(key, 0, timeout=None)
        cache.incr(key, amount)
    except Exception:  # noqa: BLE001 (metrics never break the work they count)
        logger.debug("Could not count %s", key)


class SharedCollector:
    """What the processes share, read at each scrape."""

    def collect(self):
        from django.core.cache import cache

        for name, help_text, label in (
            (TASK_FAILURES, "Celery task failures (after the last retry), per task", "task"),
            (TASK_RETRIES, "Celery task retries, per task", "task"),
            (ENQUEUE_FAILURES, "Tasks that could not be enqueued (broker down)", "task"),
            (RECONCILE_REENQUEUED, "Messages re-enqueued by the reconciliation", "kind"),
        ):
            family = CounterMetricFamily(f"bsa_{name}", help_text, labels=[label])
            keys = _shared_keys(cache, name)
            values = cache.get_many(keys) if keys else {}
            for key, value in sorted(values.items()):
                family.add_metric([key.rsplit(":", 1)[-1]], float(value or 0))
            yield family
        for name, (help_text, read) in sorted(_GAUGES.items()):
            gauge = GaugeMetricFamily(name, help_text)
            gauge.add_metric([], float(read()))
            yield gauge
        queue = GaugeMetricFamily("bsa_celery_queue_length", "Messages waiting in the queue")
        length = _queue_length()
        if length is not None:
            queue.add_metric([], float(length))
        yield queue


def _shared_keys(cache, name: str) -> list[str]:
    client_keys = getattr(cache, "keys", None)
    if client_keys is None:  # local-memory cache (development): only what we know by name
        return []
    try:
        return [str(k) for k in client_keys(f"{SHARED_COUNTER_PREFIX}{name}:*")]
    except Exception:  # noqa: BLE001
        return []


# Gauges the apps register (core imports no app): name -> (help text, function read at each
# scrape). certificates registers ``bsa_certificates_issued`` (the register in PostgreSQL).
_GAUGES: dict[str, tuple[str, object]] = {}


def register_gauge(name: str, help_text: str, read) -> None:
    """Adds a gauge read at each scrape from the shared state (the database, the cache)."""
    _GAUGES[name] = (help_text, read)


def _queue_length() -> int | None:
    from celery import current_app as app

    if app.conf.task_always_eager:
        return 0
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=0, timeout=0.5)
            return conn.default_channel.client.llen(app.conf.task_default_queue)
    except Exception:  # noqa: BLE001 (broker down: no value rather than a failed scrape)
        return None


def registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        reg = CollectorRegistry()
        multiprocess.MultiProcessCollector(reg)
    else:
        reg = CollectorRegistry()
        for collector in (REQUEST_LATENCY, RESPONSES):
            reg.register(collector)
    reg.register(SharedCollector())
    return reg


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    return client_ip(request) in settings.METRICS_ALLOWED_ADDRESSES


def metrics(request):
    """The Prometheus exposition, for configured addresses or the token only."""
    if not _allowed(request):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Sets the request id (a valid incoming ``X-Request-ID`` or a new one; echoed in the
    response) and records latency and status per view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            started = time.perf_counter()
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            view = (match.view_name or match._func_path) if match else "unresolved"
            REQUEST_LATENCY.labels(view, request.method).observe(time.perf_counter() - started)
            RESPONSES.labels(view, f"{response.status_code // 100}xx").inc()
            response[REQUEST_ID_HEADER] = rid
            return response
        finally:
            request_id.reset(token)
