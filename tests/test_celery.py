"""A real task path: the project's Celery app, a real worker, the real Redis broker."""

import pytest
from django.core.cache import cache
from django.db import transaction

from config.celery import HEARTBEAT_CACHE_KEY, app, heartbeat
from tests.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_the_heartbeat_task_from_redis(celery_worker):
    # given no heartbeat recorded and tasks going through the broker
    cache.delete(HEARTBEAT_CACHE_KEY)
    assert app.conf.task_always_eager is False
    # when the task is sent
    result = heartbeat.delay()
    # then the worker runs it and its effect is visible
    returned = result.get(timeout=15)
    assert wait_for(lambda: cache.get(HEARTBEAT_CACHE_KEY)) == returned


def test_delay_on_commit_sends_the_task_only_after_the_commit(celery_worker):
    # given no heartbeat recorded
    cache.delete(HEARTBEAT_CACHE_KEY)
    # when the task is scheduled inside a transaction
    with transaction.atomic():
        heartbeat.delay_on_commit()
        # then nothing is on the broker yet
        with app.connection_for_write() as conn:
            assert conn.default_channel.client.llen("celery") == 0
    # and after the commit the worker runs it
    assert wait_for(lambda: cache.get(HEARTBEAT_CACHE_KEY))


def test_the_retry_budget_bridges_a_five_minute_outage():
    from core.task_base import RETRY_CAP_SECONDS, RETRY_LIMIT, retry_countdown

    # given the countdowns of every retry, drawn many times (they are jittered)
    draws = [[retry_countdown(n) for n in range(RETRY_LIMIT)] for _ in range(200)]
    # then no wait exceeds the cap, each is at least half its step, and even the shortest
    # schedule waits more than five minutes in all before the task gives up
    assert max(max(d) for d in draws) <= RETRY_CAP_SECONDS
    assert min(sum(d) for d in draws) > 5 * 60
    assert max(sum(d) for d in draws) < 15 * 60
    # and the waits are spread, not equal for every worker
    assert len({round(d[3], 3) for d in draws}) > 100


def test_certificate_and_xapi_tasks_use_the_budget():
    from certificates.tasks import issue_certificate, send_certificate_email
    from core.task_base import RETRY_LIMIT
    from training.xapi.tasks import deliver_statements

    assert issue_certificate.max_retries == RETRY_LIMIT
    assert send_certificate_email.max_retries == RETRY_LIMIT
    assert deliver_statements.max_retries == RETRY_LIMIT
