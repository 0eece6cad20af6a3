"""A small course (three sections, five modules) and helpers to complete it, a fresh signing key
and media directory per test, and a broker without a running worker."""

import base64
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from wagtail.models import Locale, Page

from cms.models import CompetenceArea, CoursePage, ModulePage, SectionPage
from cms.services import ensure_home_page
from config.celery import app as celery_app
from tests.factories import SECTION_TITLES, UserFactory, complete_modules
from training import services as training_services
from training.models import Cohort, Enrollment

# Minutes per module in each section: 125 min → 3 UE, 95 min → 2 UE, 30 min → 1 UE.
SECTION_MINUTES = ((35, 90), (95,), (15, 15))
COMPLETION_DAYS = ("2027-03-01", "2027-03-05", "2027-03-09")


def new_private_key_b64() -> str:
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


@pytest.fixture(autouse=True)
def _certificate_settings(settings, tmp_path):
    """Each test stores PDFs in its own directory and signs with its own key."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CERTIFICATE_SIGNING_KEY = new_private_key_b64()
    settings.WAGTAILADMIN_BASE_URL = "https://akademie.example.ch"
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 1000
    # Test accounts need no slow password hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Course:
    page: CoursePage
    sections: list[SectionPage]
    modules: list[ModulePage]
    cohort: Cohort


@pytest.fixture
def course(db, django_user_model):
    if Page.get_first_root_node() is None:  # a transactional test flushed Wagtail's root page
        Locale.objects.get_or_create(language_code="de")
        Page.add_root(instance=Page(title="Root", slug="root"))
    home = ensure_home_page()
    page = home.add_child(instance=CoursePage(title="Experte für digitalen Bürgerservice"))
    sections, modules = [], []
    areas = list(CompetenceArea.values)
    for i, (title, minutes) in enumerate(zip(SECTION_TITLES, SECTION_MINUTES, strict=True)):
        section = page.add_child(
            instance=SectionPage(title=title, competence_area=areas[i], order=i + 1)
        )
        sections.append(section)
        for j, mins in enumerate(minutes):
            module = section.add_child(
                instance=ModulePage(title=f"Modul {i + 1}.{j + 1}", estimated_minutes=mins)
            )
            module.save_revision().publish()
            module.refresh_from_db()
            modules.append(module)
    trainer = UserFactory(username="trainerin-a")
    cohort = Cohort.objects.create(name="Einwohnerdienste A", organisation="Stadt A", course=page)
    cohort.trainers.add(trainer)
    return Course(page=page, sections=sections, modules=modules, cohort=cohort)


@pytest.fixture
def enrollment(course):
    user = UserFactory(
        username="juergen", first_name="Jürgen", last_name="Weißmüller-Größ", email="jw@example.org"
    )
    return training_services.enroll(user=user, cohort=course.cohort)


def enroll_someone(course, username: str) -> Enrollment:
    user = UserFactory(username=username)
    return training_services.enroll(user=user, cohort=course.cohort)


def complete(enrollment: Enrollment, course: Course, *, except_last: bool = False) -> None:
    """Reads and passes every module (as the quiz services would record it) and completes it
    through training's service; the last one completes the enrollment. Each section's modules
    are completed on its fixed day of ``COMPLETION_DAYS``, so the certificate shows fixed dates."""

    def done(module):
        section_index = next(
            i for i, s in enumerate(course.sections) if module.path.startswith(s.path)
        )
        return timezone.make_aware(
            datetime.fromisoformat(COMPLETION_DAYS[section_index] + "T10:00")
        )

    complete_modules(enrollment, course.modules[:-1] if except_last else course.modules, at=done)


def queue_length() -> int:
    with celery_app.connection_for_write() as conn:
        return conn.default_channel.client.llen("celery")


def idle_broker() -> bool:
    """Nothing waiting and nothing delivered but unacknowledged (tasks ack late, when done)."""
    with celery_app.connection_for_write() as conn:
        client = conn.default_channel.client
        return client.llen("celery") == 0 and client.hlen("unacked") == 0


@pytest.fixture
def broker(transactional_db, redis_url):
    """Tasks go to the real Redis broker, and no worker runs until a test starts one."""
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
    celery_app.control.purge()
    yield
    celery_app.control.purge()
    celery_app.conf.task_always_eager = True


@contextmanager
def running_worker(concurrency: int = 2):
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        celery_app,
        pool="threads",
        concurrency=concurrency,
        perform_ping_check=False,
        shutdown_timeout=10,
    ) as worker:
        yield worker


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush that also empties what migrations created (Wagtail's
    root page and locale, the editor groups). Tests that run later in the same session (the
    browser tests) expect that data, so it is put back after the flush. These tests are marked
    ``serialized_rollback=True``, which makes pytest-django keep a copy at database setup."""
    yield
    marker = item.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction") or nextitem is None:
        return  # (the last test: the test database is already gone, nothing runs later)
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(contents)
