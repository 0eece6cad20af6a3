"""The id of the current request, or of the request that enqueued the running task: set by
``core.metrics.MetricsMiddleware`` and the Celery signals in ``config.celery``, added to every
log record by ``RequestIdFilter`` (imported by the logging settings, so it imports nothing of
Django)."""

import logging
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record (for the JSON formatter)."""

    def filter(self, record):
        record.request_id = request_id.get()
        return True
