"""Redis (cache and broker) goes away for a while: participants keep logging in, reading,
answering quiz questions and completing modules without an error, completions return at once,
and the certificates follow once Redis is back, through the reconciliation task. Runs its own
Redis and web server."""

import html
import urllib.parse

import pytest
from django.db import connection

from certificates.models import Certificate
from certificates.tasks import reconcile_certificates
from tests.factories import (
    UserFactory,
    enroll,
    make_course,
    make_quiz,
    place_quiz,
    restore_migration_data,
)
from tests.faults.services import OwnRedis, WebServer
from tests.training.conftest import QUESTION_RE, TOKEN_RE, correct_values
from training.models import Enrollment, ModuleProgress, Sitting

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


@pytest.fixture
def quiz_world(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the fault tests run the web server on PostgreSQL")
    restore_migration_data()
    course, section, (quiz_module, plain_module) = make_course(modules=2, slug="quizausfall")
    quiz_module = place_quiz(quiz_module, make_quiz())  # single, multiple choice, true/false
    person = UserFactory(username="quizausfall", password=PASSWORD)
    enrollment = enroll(person, course)
    return {
        "quiz_module": quiz_module,
        "plain_module": plain_module,
        "person": person,
        "enrollment": enrollment,
    }


@pytest.fixture
def quiz_web(quiz_world, own_redis, tmp_path):
    server = WebServer(database_url(), own_redis.url, tmp_path).start()
    yield server
    server.stop()


def answer_on_screen(browser, sitting_path: str):
    """Answers the question the attempt page shows, correctly (the ids of tests.factories'
    questions); returns the page and the answer to the post."""
    page = browser.get(sitting_path)
    assert page.status == 200, page.body[:500]
    token = html.unescape(TOKEN_RE.search(page.body).group(1))
    question = QUESTION_RE.search(page.body).group(1)
    answer = browser.post(
        sitting_path,
        {"token": token, "question": question, "answer": correct_values(question)},
        form_page=sitting_path,
    )
    return page, answer


@pytest.mark.django_db(transaction=True)
def test_during_a_redis_outage_participants_answer_quiz_questions_and_complete_the_course(
    quiz_world, own_redis, quiz_web, settings, tmp_path
):
    # given a participant who logged in, read both modules and started the quiz with Redis up
    browser = quiz_web.browser()
    login = browser.post(
        "/konto/anmelden/",
        {"username": "quizausfall", "password": PASSWORD},
        form_page="/konto/anmelden/",
    )
    assert login.status == 302, login.body[:500]
    for module in (quiz_world["plain_module"], quiz_world["quiz_module"]):
        assert browser.post(f"/lernen/module/{module.pk}/gelesen/").status == 302
    started = browser.post(f"/lernen/module/{quiz_world['quiz_module'].pk}/lernkontrolle/")
    assert started.status == 302, started.body[:500]
    sitting_path = urllib.parse.urlsplit(started.location).path
    sitting = Sitting.objects.get(user=quiz_world["person"])
    # and has answered the first of its three questions
    _page, first = answer_on_screen(browser, sitting_path)
    assert first.status == 302, first.body[:500]
    # when Redis (cache, broker) goes away
    own_redis.stop()
    # and the participant reopens the module page and answers the other two questions
    module_page = browser.get(quiz_world["quiz_module"].url)
    answers = [answer_on_screen(browser, sitting_path) for _ in range(2)]
    result = browser.get(urllib.parse.urlsplit(answers[-1][1].location).path)
    dashboard = browser.get("/lernen/")
    # then every page was served and every answer stored, none answered with an error
    assert module_page.status == 200, module_page.body[:500]
    assert [page.status for page, _ in answers] == [200, 200]
    assert [answer.status for _, answer in answers] == [302, 302], [
        a.body[:300] for _, a in answers
    ]
    assert answers[-1][1].location.endswith(f"/lernen/versuche/{sitting.pk}/ergebnis/")
    assert result.status == 200 and "Bestanden" in result.body, result.body[:500]
    assert dashboard.status == 200
    # and the attempt is scored, passed and counted once; the module and the course completed
    sitting.refresh_from_db()
    assert (sitting.complete, sitting.passed, sitting.sequence) == (True, True, 3)
    assert set(sitting.answers) == {"s1", "m1", "t1"}
    assert Sitting.objects.filter(user=quiz_world["person"]).count() == 1
    progress = ModuleProgress.objects.get(
        enrollment=quiz_world["enrollment"], module=quiz_world["quiz_module"]
    )
    assert progress.quiz_passed_at is not None and progress.completed_at is not None
    enrollment = Enrollment.objects.get(pk=quiz_world["enrollment"].pk)
    assert enrollment.completed_at is not None
    # but no certificate yet: the message could not be sent
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    print("timings of the quiz during the Redis outage (s):", browser.timings[-6:])

    # when Redis is back and the beat's reconciliation runs
    own_redis.start()
    settings.MEDIA_ROOT = tmp_path / "media"
    reconcile_certificates(grace_seconds=0)
    # then the certificate follows, and the result page still shows the attempt
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert browser.get(f"/lernen/versuche/{sitting.pk}/ergebnis/").status == 200
