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
