"""Memory of long-running web workers (gunicorn): what is loaded once stays out of the
garbage collector's way, and a heavy request's garbage is freed when it ends.

Two measures, installed by ``config/wsgi.py`` (web processes only):

- After start-up (settings, apps, URLconf) every object that exists is moved to the collector's
  permanent generation (``gc.freeze()``). A full collection then only walks what was created
  since, and CPython schedules full collections by the size of that young part instead of
  waiting for the long-lived half million objects of Django and Wagtail to grow by a quarter.
- A request that allocated many objects (a trainer's report over hundreds of participants
  runs the young generation's collection many times, a participant page once or not at all)
  is followed by a full collection once its response has been sent. Its reference cycles
  (request, response, template context) would otherwise be promoted to the oldest generation
  and stay allocated until a rare full collection, leaving the worker's memory at the
  high-water mark of the heaviest requests it served.
"""

import gc
import threading

from django.core.signals import request_finished, request_started

# Young-generation collections during one request from which it counts as heavy. A participant
# page runs 0–1 (the first request of a worker a few), the cohort report of 500 people 15–40.
HEAVY_REQUEST_COLLECTIONS = 10

# Per thread, for servers that run requests in threads (runserver, gthread workers).
_request = threading.local()


def _young_collections() -> int:
    return gc.get_stats()[0]["collections"]


def _note_request_start(**kwargs) -> None:
    _request.young_collections_at_start = _young_collections()


def _collect_after_heavy_request(**kwargs) -> None:
    start = getattr(_request, "young_collections_at_start", None)
    if start is not None and _young_collections() - start >= HEAVY_REQUEST_COLLECTIONS:
        gc.collect()


def freeze_startup_objects() -> None:
    """Loads the URLconf (which imports every view module) and moves everything that exists
    now to the permanent generation."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and the modules it names
    gc.collect()
    gc.freeze()


def install() -> None:
    # The receivers keep their ids from before the module moved to core/ (tests and operators
    # disconnect them by these names).
    request_started.connect(_note_request_start, dispatch_uid="config.memory.start")
    request_finished.connect(_collect_after_heavy_request, dispatch_uid="config.memory.finish")
    freeze_startup_objects()
