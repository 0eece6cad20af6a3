"""Prometheus metrics at /metrics (configured addresses or token only) and the request id."""

import json
import logging

import pytest
from django.core.cache import cache

from core.metrics import RECONCILE_REENQUEUED, RequestIdFilter, count_shared
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture(autouse=True)
def _metrics_access(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_ADDRESSES = ["10.9.8.7"]
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("metrics:*")


def scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_metrics_are_hidden_from_everybody_else(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer falsch").status_code == 404
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.9.8.7").status_code == 404
    # a logged-in participant neither
    client.force_login(UserFactory())
    assert client.get("/metrics").status_code == 404


def test_the_configured_address_and_the_token_get_the_metrics(client):
    assert client.get("/metrics", REMOTE_ADDR="10.9.8.7").status_code == 200
    body = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert body.startswith("# HELP") or "# HELP" in body


def test_latency_and_responses_are_recorded_per_view(client):
    # given requests to two views, one of them failing with 404
    client.get("/konto/anmelden/")
    client.get("/zertifikate/pruefen/GIBT-ES-NICHT/")
    # when the metrics are scraped
    body = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    # then both views have a latency histogram and a count per status class
    assert 'bsa_http_request_duration_seconds_count{method="GET",view="login"}' in body
    assert 'bsa_http_responses_total{status="2xx",view="login"}' in body
    assert 'bsa_http_responses_total{status="4xx",view="certificates:verify"}' in body


def test_shared_counters_and_the_register_are_exposed(client):
    # given a reconciliation that re-enqueued two certificates (counted in the shared cache)
    count_shared(RECONCILE_REENQUEUED, "certificates", 2)
    # when the metrics are scraped
    body = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    # then the counter, the register size and the queue length are there
    assert 'bsa_reconcile_reenqueued_total{kind="certificates"} 2.0' in body
    assert "bsa_certificates_issued 0.0" in body
    assert "bsa_celery_queue_length" in body


def test_task_failures_and_retries_of_the_workers_are_counted(client):
    from core.metrics import TASK_FAILURES, TASK_RETRIES

    # given a worker that counted a retry and a failure of the certificate task
    count_shared(TASK_RETRIES, "certificates.issue")
    count_shared(TASK_FAILURES, "certificates.issue")
    # when the metrics are scraped
    body = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    # then every node's counts are there
    assert 'bsa_task_retries_total{task="certificates.issue"} 1.0' in body
    assert 'bsa_task_failures_total{task="certificates.issue"} 1.0' in body


def test_every_response_carries_a_request_id_and_keeps_a_valid_incoming_one(client):
    generated = client.get("/konto/anmelden/").headers["X-Request-ID"]
    kept = client.get("/konto/anmelden/", HTTP_X_REQUEST_ID="proxy-abc-12345").headers
    refused = client.get("/konto/anmelden/", HTTP_X_REQUEST_ID="<script>").headers
    assert len(generated) == 32
    assert kept["X-Request-ID"] == "proxy-abc-12345"
    assert refused["X-Request-ID"] != "<script>"


def test_log_lines_are_json_with_the_request_id():
    from pythonjsonlogger.json import JsonFormatter

    from core.metrics import request_id

    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )
    token = request_id.set("abc123def456")
    try:
        record = logging.LogRecord("training", logging.WARNING, __file__, 1, "Hallo", None, None)
        RequestIdFilter().filter(record)
        line = json.loads(formatter.format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "abc123def456"
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "training", "Hallo")


def test_a_task_enqueued_by_a_request_carries_its_id():
    from config.celery import _carry_request_id
    from core.metrics import request_id

    headers = {}
    token = request_id.set("req-0123456789")
    try:
        _carry_request_id(headers=headers)
    finally:
        request_id.reset(token)
    assert headers["request_id"] == "req-0123456789"
