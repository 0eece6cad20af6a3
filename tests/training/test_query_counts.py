"""Every participant page runs at most 13 queries, and the same number whatever the size of the
course and the participant's history (modules, questions, attempts). (12 until sessions moved
from Redis to PostgreSQL only, so that a Redis outage logs nobody out and no stale session comes
back after one: reading the session is now one indexed query per request.)"""

import html
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.models import ModulePage
from tests.factories import multiple_choice, single_choice, true_false
from tests.training.conftest import (
    QUESTION_RE,
    TOKEN_RE,
    correct_values,
    start,
    take_quiz,
)
from training.models import Sitting

MAX_QUERIES = 13


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def participant_pages(world, sitting, finished) -> dict[str, str]:
    return {
        "dashboard": reverse("training:dashboard"),
        "progress": reverse("training:progress"),
        "module with quiz": world.module.url,
        "module without quiz": world.plain_module.url,
        "question": reverse("training:sitting", args=[sitting.pk]),
        "result": reverse("training:result", args=[finished.pk]),
    }


def query_counts(client, pages) -> dict[str, int]:
    counts = {}
    for name, url in pages.items():
        client.get(url)  # warm: session read, body fragment cached, as for every later view
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(captured.captured_queries)
    return counts


def grow(world, participant_client):
    """More modules in the same section, a longer quiz pool and more attempts."""
    for m in range(12):
        world.section.add_child(
            instance=ModulePage(title=f"Zusatzmodul {m}", slug=f"zusatz-{m}", body="[]")
        )
    quiz = world.quiz
    quiz.questions = json.dumps(
        [single_choice(f"s{i}") for i in range(8)]
        + [multiple_choice(f"m{i}") for i in range(4)]
        + [true_false(f"t{i}") for i in range(4)]
    )
    quiz.save_revision().publish()
    for _ in range(3):
        take_quiz(participant_client, world.module, correct=False)


def test_participant_pages_stay_within_thirteen_queries_as_course_and_history_grow(
    build_world, client
):
    # given an enrolled participant with one finished and one open attempt
    world = build_world()
    client.force_login(world.participant)
    finished = take_quiz(client, world.module, correct=False)
    sitting = start(client, world.module)
    pages = participant_pages(world, sitting, finished)
    before = query_counts(client, pages)

    # when the section gets twelve more modules and the participant three more attempts
    # (the open one is finished by them and a new one started)
    grow(world, client)
    sitting = start(client, world.module)
    pages = participant_pages(world, sitting, finished)
    after = query_counts(client, pages)

    # then every page stays within the limit, with exactly as many queries as before
    assert all(n <= MAX_QUERIES for n in after.values()), after
    assert after == before


def test_a_question_page_and_an_answer_post_read_the_attempt_alone(build_world, client):
    # given a participant in an attempt (its quiz revision parsed once by the first page view)
    world = build_world()
    client.force_login(world.participant)
    sitting = start(client, world.module)
    url = reverse("training:sitting", args=[sitting.pk])
    client.get(url)

    # when the question is shown and answered
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(url)
    form = {
        "token": html.unescape(TOKEN_RE.search(page.content.decode()).group(1)),
        "question": QUESTION_RE.search(page.content.decode()).group(1),
    }
    with CaptureQueriesContext(connection) as post_queries:
        response = client.post(url, {**form, "answer": correct_values(form["question"])})

    # then neither reads the quiz's or the module's row: the rules and questions come from the
    # revision pinned to the attempt
    assert response.status_code == 302
    assert Sitting.objects.get(pk=sitting.pk).answers.keys() == {form["question"]}
    for name, captured in (("page", page_queries), ("post", post_queries)):
        tables = " ".join(q["sql"] for q in captured.captured_queries)
        assert '"training_quiz"' not in tables, (name, tables)
        assert '"cms_modulepage"' not in tables, (name, tables)
