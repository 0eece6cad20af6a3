"""Fixtures shared by the whole suite.

The test run differs from production only by environment values (see the Makefile) and these
overrides: tasks run in-process unless a test asks for a real worker with ``celery_worker``.
"""

import os
import time

import pytest
from django.core.management import call_command

from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def _tasks_in_process(settings):
    """Tests that do not start a worker see a task's effect at once (after commit)."""
    celery_app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tests do not depend on collectstatic having run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
    celery_app.conf.task_always_eager = not bool(os.environ.get("REDIS_URL"))


@pytest.fixture(autouse=True)
def _fresh_tree_memo():
    """Each test starts without the page tree's memo (``cms.tree_cache``) and the parsed quiz
    revisions (``training.services``): rows that an earlier test created and rolled back must
    not be served from them."""
    from cms import tree_cache
    from training.quizzes.pinning import forget_pinned_quizzes

    tree_cache.reset()
    forget_pinned_quizzes()
    yield
    tree_cache.reset()
    forget_pinned_quizzes()


@pytest.fixture(autouse=True)
def _admin_second_factor(request, settings):
    """Tests log editors in with ``force_login`` and open the admin. The second factor that the
    admin requires (``ADMIN_REQUIRE_2FA``, on in production) is off here unless a test is marked
    ``@pytest.mark.second_factor``, as the tests of that requirement are."""
    settings.ADMIN_REQUIRE_2FA = request.node.get_closest_marker("second_factor") is not None


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail(
            "REDIS_URL is not set: this test needs the real Redis broker "
            "(run the suite with `make test`, which points it at redis://127.0.0.1:6379/15)."
        )
    return url


@pytest.fixture
def celery_worker(transactional_db, redis_url):
    """A real Celery worker (threads pool) of the project's own app, on the real Redis broker."""
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
            celery_app.control.purge()
    except Exception as exc:  # a missing broker must fail loudly, never skip
        pytest.fail(f"Redis at {redis_url} is not reachable: {exc}")
    with start_worker(
        celery_app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=10
    ) as worker:
        yield worker
    celery_app.conf.task_always_eager = True


def wait_for(predicate, timeout=15.0, interval=0.05):
    """Polls until predicate() is truthy; returns its value or fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")


@pytest.fixture
def demo(db):
    """The full demo course, quizzes, cohort and accounts, as `seed_demo` creates them."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from django.contrib.auth import get_user_model

    from cms.models import CoursePage

    User = get_user_model()
    return {
        "course": CoursePage.objects.get(),
        "trainer": User.objects.get(username="trainerin"),
        "lead": User.objects.get(username="kursleitung"),
        "participant": User.objects.get(username="teilnehmer"),
    }


# --- Transactional tests and what migrations created ---------------------------------------
# A transactional test ends with a flush. Without serialized rollback, post_migrate then re-creates
# content types and permissions under new ids; with it, the tables stay empty. Either way the
# Wagtail root page, locale, editor groups and workflow that data migrations created are gone.
# So after every transactional test the database is put back to exactly the migrated state (same
# rows, same ids): the next test (transactional or not, in any order, on any xdist worker) starts
# from it, and a serialized-rollback test's own restore only re-saves rows that are already there.

_MIGRATED: dict = {}


def _serialized_contents():
    from django.db import connection

    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        _MIGRATED["contents"] = contents
    return _MIGRATED.get("contents")


@pytest.fixture(scope="session")
def migrated_content(django_db_setup):
    """What the migrations created, serialized when the test database was set up."""
    return _serialized_contents()


@pytest.fixture
def restorable_database(migrated_content):
    """Lets Django's serialized rollback restore the migrated state for this test.

    Playwright's sync API switches greenlets, after which tests see a fresh connection object
    without the serialized contents, so Django would silently skip the restore. Hand them over.
    Request it before `django_db_serialized_rollback`."""
    from django.db import connection

    if migrated_content is not None:
        connection._test_serialized_contents = migrated_content


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return (
        "transactional_db" in names
        or "live_server" in names
        or bool(marker and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield
    _serialized_contents()  # keeps the migrated state once the test database exists


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's own flush: empty every table (no post_migrate) and load the
    migrated state serialized at database setup."""
    yield
    if nextitem is None or not _transactional(item):
        return  # after the last test the session's teardown has dropped the test database
    contents = _serialized_contents()
    if not contents:
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        call_command(
            "flush",
            interactive=False,
            inhibit_post_migrate=True,
            reset_sequences=False,
            verbosity=0,
        )
        # Content types first, under their migrated ids, and a cache that knows only those: the
        # post_migrate of a plain flush cached new ids, and saving the other rows (signal
        # handlers such as Wagtail's search index) looks content types up while loading.
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.bulk_create(_migrated_content_types(contents))
        ContentType.objects.clear_cache()
        connection.creation.deserialize_db_from_string(contents)
        ContentType.objects.clear_cache()


def _migrated_content_types(contents: str):
    import json

    from django.contrib.contenttypes.models import ContentType

    if "content_types" not in _MIGRATED:
        _MIGRATED["content_types"] = [
            (row["pk"], row["fields"])
            for row in json.loads(contents)
            if row["model"] == "contenttypes.contenttype"
        ]
    return [ContentType(pk=pk, **fields) for pk, fields in _MIGRATED["content_types"]]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Transactional tests run after the others (a cheaper order: the others share one database
    state inside transactions)."""
    others = [item for item in items if not _transactional(item)]
    transactional = [item for item in items if _transactional(item)]
    items[:] = others + transactional
