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
    from tests.factories import restore_migration_data

    # seed_demo acts as the demo trainer (she reviews transfer tasks): the editor groups need
    # their rights, gone from a reused database that an earlier session's flush left behind.
    restore_migration_data()
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


# --- Transactional tests that need what migrations created ----------------------------------
# A transactional test ends with a flush, which removes the root page, locale, groups and
# workflow the migrations created. Tests that need them request `restorable_database` together
# with `django_db_serialized_rollback`; they run before the other transactional tests (see the
# hook below), because after a plain flush post_migrate re-creates content types under new ids
# that the restore would collide with.


@pytest.fixture(scope="session")
def migrated_content(django_db_setup):
    """What the migrations created, serialized when the test database was set up."""
    from django.db import connection

    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture
def restorable_database(migrated_content):
    """Lets Django's serialized rollback restore the migrated state for this test.

    Playwright's sync API switches greenlets, after which tests see a fresh connection object
    without the serialized contents, so Django would silently skip the restore. Hand them over.
    Request it before `django_db_serialized_rollback`."""
    from django.db import connection

    if migrated_content is not None:
        connection._test_serialized_contents = migrated_content


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Moves tests with serialized rollback to the front of the transactional tests."""

    def restores(item):
        return "django_db_serialized_rollback" in getattr(item, "fixturenames", ())

    def transactional(item):
        marker = item.get_closest_marker("django_db")
        names = getattr(item, "fixturenames", ())
        return (
            "transactional_db" in names
            or "live_server" in names
            or bool(marker and marker.kwargs.get("transaction"))
        )

    restoring = [item for item in items if restores(item)]
    if not restoring:
        return
    others = [item for item in items if not restores(item)]
    first = next((i for i, item in enumerate(others) if transactional(item)), len(others))
    items[:] = others[:first] + restoring + others[first:]
