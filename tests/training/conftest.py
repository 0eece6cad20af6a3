"""Fixtures for training's tests: a small course with a quiz and an enrolled participant, and
helpers that take a quiz through the real participant pages."""

import html
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse

from tests.factories import UserFactory, enroll, make_course, make_quiz, place_quiz
from training.models import Sitting

TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
QUESTION_RE = re.compile(r'name="question" value="([^"]+)"')


@dataclass
class QuizWorld:
    course: object
    section: object
    module: object  # has the quiz
    plain_module: object  # no quiz
    quiz: object
    participant: object
    enrollment: object


@pytest.fixture
def build_world(db):
    """Builds a course whose first module carries a quiz made with ``quiz_options``."""

    def build(**quiz_options):
        course, section, (module, plain_module) = make_course(modules=2)
        quiz = make_quiz(**quiz_options)
        module = place_quiz(module, quiz)
        participant = UserFactory(username="teilnehmerin")
        enrollment = enroll(participant, course)
        return QuizWorld(course, section, module, plain_module, quiz, participant, enrollment)

    return build


@pytest.fixture
def world(build_world):
    return build_world()


@pytest.fixture
def participant_client(client, world):
    client.force_login(world.participant)
    return client


def start(client, module) -> Sitting:
    response = client.post(reverse("training:start_quiz", args=[module.pk]))
    assert response.status_code == 302, response.content.decode()[:500]
    return Sitting.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def form_of(client, sitting) -> dict:
    """The hidden fields of the question form the participant currently sees."""
    page = client.get(reverse("training:sitting", args=[sitting.pk])).content.decode()
    token = TOKEN_RE.search(page)
    question = QUESTION_RE.search(page)
    return {
        "token": html.unescape(token.group(1)) if token else None,
        "question": question.group(1) if question else None,
        "page": page,
    }


def answer_current(client, sitting, values):
    """Answers the question on screen with ``values`` (a list of option ids or a text)."""
    form = form_of(client, sitting)
    data = {"token": form["token"], "question": form["question"]}
    if values is not None:
        data["answer"] = values
    return client.post(reverse("training:sitting", args=[sitting.pk]), data), form


def correct_values(question_id: str) -> list[str]:
    """Correct answer ids of the questions built by tests.factories' question helpers."""
    if question_id.startswith("t"):
        return ["true"]
    if question_id.startswith("e"):
        return ["Ich höre zu, kläre das Anliegen und erkläre die nächsten Schritte."]
    if question_id.startswith("m"):
        return [f"{question_id}-c1", f"{question_id}-c2"]
    return [f"{question_id}-right"]


def wrong_values(question_id: str) -> list[str]:
    if question_id.startswith("t"):
        return ["false"]
    if question_id.startswith("e"):
        return ["Keine Ahnung."]
    if question_id.startswith("m"):
        return [f"{question_id}-w1", f"{question_id}-w2"]
    return [f"{question_id}-wrong"]


def take_quiz(client, module, *, correct=True) -> Sitting:
    """Starts an attempt and answers every question (one per page) right or wrong."""
    sitting = start(client, module)
    pick = correct_values if correct else wrong_values
    for _ in range(len(sitting.question_order)):
        form = form_of(client, sitting)
        response, _ = answer_current(client, sitting, pick(form["question"]))
        assert response.status_code == 302, response.content.decode()[:800]
    sitting.refresh_from_db()
    return sitting
