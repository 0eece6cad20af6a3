"""Redis (cache and broker) goes away for a while: participants keep logging in, reading and
completing modules without an error, completions return at once, and the certificates follow
once Redis is back, through the reconciliation task. Runs its own Redis and web server."""

import pytest
from django.db import connection

from certificates.models import Certificate
from certificates.tasks import reconcile_certificates
from tests.factories import UserFactory, enroll, make_course, restore_migration_data
from tests.faults.services import OwnRedis, WebServer
from training.models import Enrollment

PASSWORD = "Sicheres-Passwort-2026"


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def own_redis():
    redis = OwnRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def course_world(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the fault tests run the web server on PostgreSQL")
    restore_migration_data()
    course, section, modules = make_course(modules=2, slug="ausfall")
    person = UserFactory(username="ausfall", password=PASSWORD)
    enrollment = enroll(person, course)
    return {"course": course, "modules": modules, "person": person, "enrollment": enrollment}


@pytest.fixture
def web(course_world, own_redis, tmp_path):
    server = WebServer(database_url(), own_redis.url, tmp_path).start()
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_a_redis_outage_is_a_cache_miss_and_completions_wait_for_nobody(
    course_world, own_redis, web, settings, tmp_path
):
    # given a participant, and Redis (cache, broker) that goes away
    browser = web.browser()
    assert browser.get("/").status == 200  # the site works with Redis
    own_redis.stop()
    # when, during the outage, the participant logs in, reads and completes both modules
    login = browser.post(
        "/konto/anmelden/",
        {"username": "ausfall", "password": PASSWORD},
        form_page="/konto/anmelden/",
    )
    pages = [browser.get(path) for path in ("/", course_world["course"].url, "/lernen/")]
    reading = [browser.get(m.url) for m in course_world["modules"]]
    completions = [browser.post(f"/lernen/module/{m.pk}/gelesen/") for m in course_world["modules"]]
    dashboard = browser.get("/lernen/")
    health = browser.get("/healthz")
    # then nothing failed: logged in, every page served, every completion stored
    assert login.status == 302, login.body[:500]
    assert [p.status for p in pages + reading] == [200] * 5
    assert [c.status for c in completions] == [302, 302]
    assert dashboard.status == 200 and "ausfall" not in dashboard.location
    # and the health check says the site is degraded, not down
    assert health.status == 200 and '"status": "degraded"' in health.body
    enrollment = Enrollment.objects.get(pk=course_world["enrollment"].pk)
    assert enrollment.completed_at is not None
    # but no certificate yet: the message could not be sent
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    print("timings during the Redis outage (s):", [(p, round(t, 3)) for p, t in browser.timings])

    # when Redis is back and the beat's reconciliation runs
    own_redis.start()
    settings.MEDIA_ROOT = tmp_path / "media"
    reconcile_certificates(grace_seconds=0)
    # then the certificate follows
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert browser.get("/lernen/").status == 200
