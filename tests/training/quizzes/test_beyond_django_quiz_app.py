"""What django-quiz-app does not do: attempt limits, per-category draws, several correct answers,
revision pinning, resuming anywhere, and both page layouts without JavaScript."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import essay, multiple_choice, single_choice, true_false
from tests.training.conftest import (
    answer_current,
    correct_values,
    form_of,
    start,
    take_quiz,
)
from training import errors
from training.errors import TrainingError
from training.models import ModuleProgress, Sitting
from training.quizzes import services


def test_max_attempts_allows_that_many_attempts_and_no_more(build_world, client):
    # given a quiz with two attempts
    world = build_world(max_attempts=2)
    client.force_login(world.participant)
    # when the participant fails twice
    take_quiz(client, world.module, correct=False)
    page = client.get(world.module.url).content.decode()
    assert "Noch 1 Versuch möglich." in page
    take_quiz(client, world.module, correct=False)
    # then a third start is refused and the module page says why
    response = client.post(reverse("training:start_quiz", args=[world.module.pk]))
    assert response.status_code == 403
    assert str(errors.NO_ATTEMPTS_LEFT) in response.content.decode()
    assert Sitting.objects.filter(user=world.participant).count() == 2
    assert "alle erlaubten Versuche genutzt" in client.get(world.module.url).content.decode()


def test_questions_per_category_draws_from_each_category(build_world, client):
    # given a pool with three «Recht» and three «Praxis» questions, two drawn of each
    questions = [single_choice(f"s{i}", category="Recht") for i in range(1, 4)] + [
        single_choice(f"s{i}", category="Praxis") for i in range(4, 7)
    ]
    world = build_world(questions=questions, questions_per_category=2)
    client.force_login(world.participant)
    # when the participant starts
    sitting = start(client, world.module)
    # then the attempt has two of each category
    order = sitting.question_order
    assert len(order) == 4
    assert len([q for q in order if q in {"s1", "s2", "s3"}]) == 2
    assert len([q for q in order if q in {"s4", "s5", "s6"}]) == 2


def test_multiple_choice_with_several_correct_answers_earns_partial_credit(build_world, client):
    # given two questions with three correct answers of five: partial credit and all-or-nothing
    world = build_world(
        questions=[
            multiple_choice("m1", correct=3, wrong=2, points=3),
            multiple_choice("m2", correct=3, wrong=2, points=3, scoring="all_or_nothing"),
        ]
    )
    client.force_login(world.participant)
    sitting = start(client, world.module)
    # when the participant ticks two of three correct answers in each
    answer_current(client, sitting, ["m1-c1", "m1-c2"])
    answer_current(client, sitting, ["m2-c1", "m2-c2"])
    sitting.refresh_from_db()
    # then the first earns two points, the second none
    assert sitting.answers["m1"]["points"] == "2.00"
    assert sitting.answers["m2"]["points"] == "0"
    assert sitting.score == 2
    page = client.get(reverse("training:result", args=[sitting.pk])).content.decode()
    assert "Teilweise richtig" in page


def test_an_attempt_stays_on_the_quiz_revision_it_started_on(build_world, client):
    # given an attempt started on the first version of a quiz
    world = build_world(questions=[single_choice("s1", "Alte Frage?"), true_false("t1")])
    client.force_login(world.participant)
    sitting = start(client, world.module)
    answer_current(client, sitting, correct_values("s1"))
    # when a trainer publishes a new version: other question text, t1 now false, pass mark 100
    quiz = world.quiz
    quiz.questions = json.dumps(
        [single_choice("s1", "Neue Frage?"), true_false("t1", correct=False)]
    )
    quiz.pass_mark = 100
    new_revision = quiz.save_revision()
    new_revision.publish()
    # then the running attempt still scores by the old version and keeps its pass mark
    response, _ = answer_current(client, sitting, ["true"])
    sitting.refresh_from_db()
    assert sitting.quiz_revision_id != new_revision.pk
    assert (sitting.score, sitting.passed) == (2, True)
    result = client.get(reverse("training:result", args=[sitting.pk])).content.decode()
    assert "Alte Frage?" in result and "Neue Frage?" not in result
    # and a new attempt uses the new version
    again = start(client, world.module)
    assert again.quiz_revision_id == new_revision.pk
    assert "Neue Frage?" in form_of(client, again)["page"]


def test_a_draft_change_to_a_live_quiz_is_not_seen_until_published(build_world, client):
    world = build_world(questions=[single_choice("s1", "Veröffentlichte Frage?")])
    quiz = world.quiz
    quiz.questions = json.dumps([single_choice("s1", "Entwurf einer Frage?")])
    quiz.save_revision()  # saved as a draft, not published
    client.force_login(world.participant)
    sitting = start(client, world.module)
    page = form_of(client, sitting)["page"]
    assert "Veröffentlichte Frage?" in page and "Entwurf einer Frage?" not in page


def test_an_unfinished_attempt_resumes_on_another_device(build_world, client):
    # given an attempt with one answer, given on the first device, which then logs out
    world = build_world()
    client.force_login(world.participant)
    sitting = start(client, world.module)
    answer_current(client, sitting, correct_values("s1"))
    client.post(reverse("logout"))
    # when the participant logs in on another device and opens the module
    other_device = Client()
    other_device.force_login(world.participant)
    module_page = other_device.get(world.module.url).content.decode()
    assert "Lernkontrolle fortsetzen" in module_page
    assert "1 von 3 Fragen beantwortet" in module_page
    # then starting again resumes the same attempt at the second question
    resumed = start(other_device, world.module)
    assert resumed.pk == sitting.pk
    assert form_of(other_device, resumed)["question"] == sitting.question_order[1]
    for qid in sitting.question_order[1:]:
        answer_current(other_device, resumed, correct_values(qid))
    resumed.refresh_from_db()
    assert (resumed.complete, resumed.passed) == (True, True)


def test_one_question_per_page_without_javascript(build_world, client):
    world = build_world()
    client.force_login(world.participant)
    sitting = start(client, world.module)
    page = form_of(client, sitting)["page"]
    assert page.count('name="question"') == 1
    assert "<script" not in page.split("</main>")[0]
    assert "Frage 1 von 3" in page and "0 von 3 Fragen beantwortet" in page
    assert '<progress id="quiz-fortschritt" value="0" max="3"' in page


def test_all_questions_on_one_page_handed_in_together(build_world, client):
    # given a quiz shown on one page
    world = build_world(
        questions=[single_choice("s1"), multiple_choice("m1"), true_false("t1"), essay("e1")],
        one_question_per_page=False,
    )
    client.force_login(world.participant)
    sitting = start(client, world.module)
    page = form_of(client, sitting)["page"]
    assert "<script" not in page.split("</main>")[0]
    token = form_of(client, sitting)["token"]
    url = reverse("training:sitting", args=[sitting.pk])
    # when one question is left out, the page comes back with the answers kept and marked
    response = client.post(
        url, {"token": token, "answer-s1": "s1-right", "answer-m1": ["m1-c1", "m1-c2"]}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert str(errors.ANSWERS_INCOMPLETE) in body
    assert 'value="s1-right" checked' in body
    assert 'aria-describedby="fehler-t1"' in body
    assert Sitting.objects.get(pk=sitting.pk).answers == {}
    # and when everything is answered, the attempt is finished at once
    response = client.post(
        url,
        {
            "token": token,
            "answer-s1": "s1-right",
            "answer-m1": ["m1-c1", "m1-c2"],
            "answer-t1": "true",
            "answer-e1": "Ich erkläre die nächsten Schritte.",
        },
    )
    assert response.status_code == 302
    sitting.refresh_from_db()
    assert (sitting.complete, sitting.score, sitting.needs_marking) == (True, 4, True)


def test_all_on_one_page_refuses_a_question_not_in_the_attempt(build_world, client):
    world = build_world(one_question_per_page=False)
    client.force_login(world.participant)
    sitting = start(client, world.module)
    token = form_of(client, sitting)["token"]
    response = client.post(
        reverse("training:sitting", args=[sitting.pk]),
        {
            "token": token,
            "answer-s1": "s1-right",
            "answer-m1": "m1-c1",
            "answer-t1": "true",
            "answer-fremd": "x",
        },
    )
    assert response.status_code == 400
    assert str(errors.QUESTION_NOT_IN_SITTING) in response.content.decode()
    assert Sitting.objects.get(pk=sitting.pk).answers == {}


def test_a_retake_after_passing_does_not_undo_the_pass(build_world, client):
    world = build_world()
    client.force_login(world.participant)
    take_quiz(client, world.module, correct=True)
    passed_at = ModuleProgress.objects.get(module=world.module).quiz_passed_at
    take_quiz(client, world.module, correct=False)
    assert ModuleProgress.objects.get(module=world.module).quiz_passed_at == passed_at


def test_services_refuse_an_all_on_one_page_token_for_a_single_question(build_world):
    world = build_world()
    sitting = services.start_sitting(user=world.participant, module_id=world.module.pk)
    token = services.sequence_token(sitting, "s1")
    with pytest.raises(TrainingError) as refused:
        services.submit_all_answers(
            user=world.participant, sitting_id=sitting.pk, token=token, answers={}
        )
    assert refused.value.message == errors.STALE_FORM
