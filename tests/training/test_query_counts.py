"""Every participant page runs at most 12 queries, and the same number whatever the size of the
course and the participant's history (modules, questions, attempts)."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.models import ModulePage
from tests.factories import multiple_choice, single_choice, true_false
from tests.training.conftest import start, take_quiz

MAX_QUERIES = 12


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


def test_participant_pages_stay_within_twelve_queries_as_course_and_history_grow(
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
