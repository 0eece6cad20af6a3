"""Browser tests: Playwright (PyPI) driving Debian's chromium against Django's live server."""

import os
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by fixtures
# here are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def migrated_data(django_db_setup):
    """What the migrations created (root page, site, editor groups), as pytest-django serialized
    it when it set up the test database. Read before the browser starts: Playwright's event loop
    gives later fixtures another database connection object, without this attribute."""
    from django.db import connection

    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture(scope="session")
def browser(migrated_data):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `apt-get install chromium` (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-CH", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def live_demo(restorable_database, django_db_serialized_rollback, transactional_db, live_server):
    """The seeded demo served by a live server; returns its base URL."""
    from wagtail.models import Site

    from tests.factories import restore_migration_data

    # seed_demo acts as the demo trainer (she reviews transfer tasks): the editor groups need
    # their rights, which an earlier transactional test's flush may have removed.
    restore_migration_data()
    call_command("seed_demo", stdout=StringIO())

    # Pages link to the site's own host and port, so point the default site at the live server.
    host, port = live_server.url.split("//", 1)[1].split(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(port))
    return live_server.url
