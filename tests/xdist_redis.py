"""Loaded with ``-p tests.xdist_redis`` (pyproject's addopts), before Django reads its settings.

Under pytest-xdist every worker gets its own Redis database, as pytest-django gives every worker
its own test database (``test_<name>_gw0``, …): worker ``gwN`` uses the database number of
``REDIS_URL`` minus N (``make test`` starts at 15), so one worker's purge, queue or cache never
touches another's. Without xdist, or without ``REDIS_URL``, nothing changes."""

import os

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_url = os.environ.get("REDIS_URL", "")
if _worker.startswith("gw") and _url:
    _base, _, _number = _url.rpartition("/")
    _index = int(_worker[2:])
    _first = int(_number) if _number.isdigit() else 0
    if _index > _first:
        raise RuntimeError(f"REDIS_URL's database {_first} leaves no database for worker {_worker}")
    os.environ["REDIS_URL"] = f"{_base}/{_first - _index}"
