"""What every request reads from the page tree, kept per process until the tree changes.

Participant pages need the same tree facts on every request: the site for the host, the page at a
URL, the view restrictions above it, its breadcrumbs, the course outline. They change only when a
trainer publishes, unpublishes, moves or deletes a page, or edits a site or a view restriction.

- The **tree version** is a value in Django's cache (Redis when ``REDIS_URL`` is set, so it is
  shared by every web process and worker). Every such change sets a new one: at once (so the writing
  transaction reads its own changes fresh) and again after the commit (so a reader that built from
  the old rows in between cannot keep them). The signal handlers are in ``cms.apps``.
- ``memoised(key, build)`` keeps the result of ``build()`` in this process under the current
  version; a new version empties the memo. Inside a transaction that changed the tree nothing is
  memoised, so rows that may still roll back never serve another request.
- Within one request the version is read from the cache once (``RequestTreeVersionMiddleware``).
- Without the cache (a Redis outage: reads are misses, writes are dropped) every request gets a
  version of its own, so the memo is rebuilt from the tree on every request. A change made
  while Redis was unreachable but kept its data could leave another process's memo on the old
  version once Redis answers again: the memo is therefore never older than
  ``MEMO_MAX_AGE_SECONDS``.

Memoised values are shared by the requests a process serves: callers read them, never change them.
"""

import threading
import time
from contextvars import ContextVar
from uuid import uuid4

from django.core.cache import cache
from django.db import connection, transaction

VERSION_KEY = "cms:tree-version"
MEMO_MAX_ENTRIES = 2000
MEMO_MAX_AGE_SECONDS = 5 * 60

_memo: dict = {}
_memo_version: list = [None]
_memo_started: list = [0.0]  # time.monotonic() when the memo was last emptied
_lock = threading.Lock()
# Within a request: a one-item list holding the version the request has read (None before its
# first read); None outside requests.
_request_version: ContextVar[list | None] = ContextVar("cms_tree_version", default=None)
# Set while a transaction that changed the tree is open on this thread.
_changed_in_transaction = threading.local()


def tree_version() -> str:
    scope = _request_version.get()
    if scope is not None and scope[0] is not None:
        return scope[0]
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or uuid4().hex
    if scope is not None:
        scope[0] = version
    return version


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid4().hex, timeout=None)
    scope = _request_version.get()
    if scope is not None:
        scope[0] = None


def _committed() -> None:
    _changed_in_transaction.value = False
    _new_version()


def tree_changed(**kwargs) -> None:
    """Signal handler: the tree, a site or a view restriction changed."""
    _new_version()
    if connection.in_atomic_block:
        _changed_in_transaction.value = True
        transaction.on_commit(_committed)


def _may_memoise() -> bool:
    return not (connection.in_atomic_block and getattr(_changed_in_transaction, "value", False))


def memoised(key, build, keep_none: bool = True):
    """``build()``'s result for ``key`` under the current tree version (built once per process;
    a None result is built anew each time unless ``keep_none``)."""
    version = tree_version()
    with _lock:
        now = time.monotonic()
        if _memo_version[0] != version or now - _memo_started[0] > MEMO_MAX_AGE_SECONDS:
            _memo.clear()
            _memo_version[0] = version
            _memo_started[0] = now
        try:
            return _memo[key]
        except KeyError:
            pass
    value = build()
    if (value is not None or keep_none) and _may_memoise():
        with _lock:
            if _memo_version[0] == version:
                if len(_memo) >= MEMO_MAX_ENTRIES:
                    _memo.clear()
                _memo[key] = value
    return value


def reset() -> None:
    """Forget the memo and the version (tests do this between cases; rolled-back rows stay out)."""
    with _lock:
        _memo.clear()
        _memo_version[0] = None
    _changed_in_transaction.value = False
    scope = _request_version.get()
    if scope is not None:
        scope[0] = None
    cache.delete(VERSION_KEY)


class RequestTreeVersionMiddleware:
    """Reads the tree version at most once per request (on the first memoised lookup, so
    requests that need no tree facts do not read it at all)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_version.set([None])
        try:
            return self.get_response(request)
        finally:
            _request_version.reset(token)
