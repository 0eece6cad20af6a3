"""Benchmark mode (``DJANGO_BENCHMARK_HEADERS=1``): per-response measurements and a bare reference.

In benchmark mode every response carries the number of database queries it ran and the time the
server spent on it (``X-Query-Count``, ``X-Server-Time-Ms``), as Moodle's performance plan records
them; ``bench/`` reads them under load. The bare view is the floor of the stack: the cost of
Django's request/response cycle and middleware with no database and no template.
"""

import time
from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpResponse

QUERY_COUNT_HEADER = "X-Query-Count"
SERVER_TIME_HEADER = "X-Server-Time-Ms"


class _QueryCounter:
    __slots__ = ("count",)

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class BenchmarkHeadersMiddleware:
    """Outermost middleware, so the counts include sessions, authentication and every view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = _QueryCounter()
        start = time.perf_counter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - start) * 1000
        # Streaming responses render later; their queries and time are not included here.
        response[QUERY_COUNT_HEADER] = str(counter.count)
        response[SERVER_TIME_HEADER] = f"{elapsed_ms:.2f}"
        return response


def bare(request):
    """A short plain response: the reference every page is compared with. 404 outside bench mode."""
    if not settings.BENCHMARK_HEADERS:
        raise Http404
    return HttpResponse(b"ok", content_type="text/plain")
