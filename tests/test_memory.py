"""core/memory.py: the web process frees a heavy request's garbage when the request ends."""

import gc
import importlib

import pytest
from django.core.signals import request_finished, request_started

from core import memory


@pytest.fixture
def full_collections():
    """Counts the garbage collector's full (generation 2) collections while the test runs, and
    leaves the process as it was: start-up objects unfrozen, the signal receivers removed."""
    seen = []

    def callback(phase, info):
        if phase == "stop" and info["generation"] == 2:
            seen.append(info["collected"])

    gc.callbacks.append(callback)
    yield seen
    gc.callbacks.remove(callback)
    request_started.disconnect(dispatch_uid="config.memory.start")
    request_finished.disconnect(dispatch_uid="config.memory.finish")
    gc.unfreeze()


def _cycles(n):
    """n reference cycles, as a request's request/response/context objects form them: alive
    while the request runs (so the young collections promote them), garbage at its end."""
    kept = []
    for _ in range(n):
        a, b = {}, {}
        a["b"], b["a"] = b, a
        kept.append(a)
    return kept


def test_the_wsgi_application_installs_the_measures(full_collections):
    import config.wsgi

    # given a process in which neither measure is in place
    request_finished.disconnect(dispatch_uid="config.memory.finish")
    request_started.disconnect(dispatch_uid="config.memory.start")
    gc.unfreeze()

    # when the WSGI module is loaded, as gunicorn loads it
    importlib.reload(config.wsgi)

    # then start-up objects are frozen and heavy requests are followed by a collection
    assert gc.get_freeze_count() > 0
    assert any(key[0] == "config.memory.finish" for key, *_ in request_finished.receivers), (
        "the collection after heavy requests is not connected"
    )


def test_a_heavy_request_is_followed_by_a_full_collection(full_collections):
    memory.install()
    full_collections.clear()

    request_started.send(sender=None)
    objects = _cycles(50_000)  # about 140 young-generation collections
    del objects
    request_finished.send(sender=None)

    assert full_collections, "no full collection after a heavy request"
    assert max(full_collections) >= 10_000, "the request's cycles were not freed"


def test_a_light_request_costs_no_full_collection(full_collections):
    memory.install()
    request_started.send(sender=None)
    gc.collect()  # what a light request leaves: nothing for the young generation to do
    full_collections.clear()
    objects = _cycles(10)
    del objects
    request_finished.send(sender=None)

    assert full_collections == []
