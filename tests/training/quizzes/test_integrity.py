"""Integrity of an exam: every forged, repeated, stale, late or malformed submit is refused with a
German message and a 400/403/404, and the attempt stays exactly as it was."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, enroll, essay, single_choice
from tests.training.conftest import (
    answer_current,
    correct_values,
    form_of,
    start,
    take_quiz,
    wrong_values,
)
from training import errors
from training.models import Sitting
from training.quizzes import services

SNAPSHOT_FIELDS = (
    "answers",
    "score",
    "max_score",
    "passed",
    "complete",
    "needs_marking",
    "sequence",
    "finished_at",
    "question_order",
)


def snapshot(sitting):
    sitting = Sitting.objects.get(pk=sitting.pk)
    return {name: getattr(sitting, name) for name in SNAPSHOT_FIELDS}


@pytest.fixture
def attempt(participant_client, world):
    """An attempt with its first question answered; the form shows the second question."""
    sitting = start(participant_client, world.module)
    answer_current(participant_client, sitting, correct_values("s1"))
    sitting.refresh_from_db()
    return sitting


def post(client, sitting, data):
    return client.post(reverse("training:sitting", args=[sitting.pk]), data)


def test_scoring_ignores_any_score_the_browser_sends(participant_client, attempt):
    # given the form of the second question
    form = form_of(participant_client, attempt)
    # when the browser adds its own idea of the score to a wrong answer
    post(
        participant_client,
        attempt,
        {**form, "answer": wrong_values("m1"), "points": "99", "score": "99", "correct": "1"},
    )
    # then the server scored the answer itself
    attempt.refresh_from_db()
    assert attempt.answers["m1"]["points"] == "0"


def test_no_correct_answer_feedback_or_explanation_is_in_a_page_before_answering(
    participant_client, world
):
    # given a fresh attempt
    sitting = start(participant_client, world.module)
    pages = []
    # when every question page is fetched before it is answered
    for _ in range(3):
        form = form_of(participant_client, sitting)
        pages.append((form["question"], form["page"]))
        answer_current(participant_client, sitting, wrong_values(form["question"]))
    # then none of them carries a correct flag, a per-answer feedback or the explanation
    for qid, page in pages:
        form_part = page.split('class="quiz-form"', 1)[1]
        assert f"Erklärung zu {qid}" not in form_part
        assert f"Rückmeldung {qid}-" not in form_part
        assert "correct" not in form_part and "✓" not in form_part
    # (and the first page, shown before any answer, has no solution anywhere)
    assert "Rückmeldung" not in pages[0][1] and "Erklärung" not in pages[0][1]


def test_the_all_on_one_page_form_carries_no_solution(build_world, client):
    world = build_world(one_question_per_page=False)
    client.force_login(world.participant)
    sitting = start(client, world.module)
    page = client.get(reverse("training:sitting", args=[sitting.pk])).content.decode()
    assert "Erklärung zu" not in page
    assert "Rückmeldung" not in page
    assert "✓" not in page


def test_a_second_submit_of_the_same_question_is_refused(participant_client, world):
    # given the first question was answered with the form on screen
    sitting = start(participant_client, world.module)
    response, first_form = answer_current(participant_client, sitting, wrong_values("s1"))
    assert response.status_code == 302
    before = snapshot(sitting)
    # when the same form is sent again with a different answer
    again = post(participant_client, sitting, {**first_form, "answer": correct_values("s1")})
    # then it is refused and the first answer stands
    assert again.status_code == 400
    assert str(errors.ALREADY_ANSWERED) in again.content.decode()
    assert snapshot(sitting) == before
    assert before["answers"]["s1"]["response"] == ["s1-wrong"]


def test_a_submit_to_a_finished_attempt_is_refused(participant_client, world):
    sitting = take_quiz(participant_client, world.module, correct=False)
    before = snapshot(sitting)
    response = post(
        participant_client, sitting, {"token": "x", "question": "s1", "answer": ["s1-right"]}
    )
    assert response.status_code == 400
    assert str(errors.SITTING_FINISHED) in response.content.decode()
    assert snapshot(sitting) == before


def test_a_submit_for_another_users_attempt_is_refused(participant_client, world, client):
    # given another participant's attempt
    other = UserFactory(username="andere")
    enroll(other, world.course)
    theirs = services.start_sitting(user=other, module_id=world.module.pk)
    before = snapshot(theirs)
    token = services.sequence_token(theirs, theirs.question_order[0])
    # when our participant posts to it (even with a valid token) or opens it
    response = post(
        participant_client,
        theirs,
        {"token": token, "question": theirs.question_order[0], "answer": ["s1-right"]},
    )
    page = participant_client.get(reverse("training:sitting", args=[theirs.pk]))
    result = participant_client.get(reverse("training:result", args=[theirs.pk]))
    # then everything is forbidden and nothing changed
    assert (response.status_code, page.status_code, result.status_code) == (403, 403, 403)
    assert str(errors.NOT_YOUR_SITTING) in response.content.decode()
    assert snapshot(theirs) == before


def test_an_unknown_attempt_is_not_found(participant_client, world):
    response = participant_client.post(reverse("training:sitting", args=[999999]), {})
    assert response.status_code == 404
    assert str(errors.SITTING_NOT_FOUND) in response.content.decode()


def test_an_unknown_answer_id_is_refused(participant_client, attempt):
    form = form_of(participant_client, attempt)
    before = snapshot(attempt)
    response = post(participant_client, attempt, {**form, "answer": ["m1-c1", "erfunden"]})
    assert response.status_code == 400
    assert str(errors.UNKNOWN_ANSWER) in response.content.decode()
    assert snapshot(attempt) == before


def test_a_question_not_in_the_attempt_is_refused(participant_client, attempt):
    form = form_of(participant_client, attempt)
    before = snapshot(attempt)
    response = post(participant_client, attempt, {**form, "question": "s9", "answer": ["s9-right"]})
    assert response.status_code == 400
    assert str(errors.QUESTION_NOT_IN_SITTING) in response.content.decode()
    assert snapshot(attempt) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answer": None}, errors.MISSING_ANSWER),
        ({"answer": [""]}, errors.MISSING_ANSWER),
        ({"token": None}, errors.MALFORMED_FORM),
        ({"token": "kaputt"}, errors.MALFORMED_FORM),
        ({"token": "1.0.m1:gefälscht"}, errors.MALFORMED_FORM),
        ({"question": None}, errors.MALFORMED_FORM),
    ],
)
def test_a_missing_or_malformed_field_is_refused(participant_client, attempt, change, message):
    form = form_of(participant_client, attempt)
    data = {"token": form["token"], "question": form["question"], "answer": ["m1-c1"]}
    for key, value in change.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    before = snapshot(attempt)
    response = post(participant_client, attempt, data)
    assert response.status_code == 400
    assert str(message) in response.content.decode()
    assert snapshot(attempt) == before


def test_a_single_choice_answer_with_two_options_is_refused(participant_client, world):
    sitting = start(participant_client, world.module)
    form = form_of(participant_client, sitting)
    before = snapshot(sitting)
    response = post(participant_client, sitting, {**form, "answer": ["s1-right", "s1-wrong"]})
    assert response.status_code == 400
    assert str(errors.TOO_MANY_ANSWERS) in response.content.decode()
    assert snapshot(sitting) == before


def test_a_refused_answer_shows_the_question_again_with_the_message(participant_client, attempt):
    form = form_of(participant_client, attempt)
    response = post(participant_client, attempt, {"token": form["token"], "question": "m1"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page and str(errors.MISSING_ANSWER) in page
    assert 'name="question" value="m1"' in page


def test_a_stale_form_from_the_back_button_is_refused_with_an_explanation(
    participant_client, world
):
    # given the participant opened question 2 in two tabs and answered it in the first
    sitting = start(participant_client, world.module)
    answer_current(participant_client, sitting, correct_values("s1"))
    tab_two = form_of(participant_client, sitting)
    answer_current(participant_client, sitting, correct_values("m1"))
    before = snapshot(sitting)
    # when the second tab sends its (older) form for question 2
    response = post(participant_client, sitting, {**tab_two, "answer": wrong_values("m1")})
    # then it is refused (the question is answered) and the later answer is not overwritten
    assert response.status_code == 400
    assert str(errors.ALREADY_ANSWERED) in response.content.decode()
    assert snapshot(sitting) == before


def test_a_replayed_token_for_the_current_question_is_stale(participant_client, world):
    # given a token issued for the current question at an earlier sequence number
    sitting = start(participant_client, world.module)
    old_token = services.sequence_token(sitting, "m1")  # sequence 0, m1 not yet current
    answer_current(participant_client, sitting, correct_values("s1"))
    before = snapshot(sitting)
    # when it is replayed for that question, now current
    response = post(
        participant_client, sitting, {"token": old_token, "question": "m1", "answer": ["m1-c1"]}
    )
    # then the sequence check refuses it and explains why
    assert response.status_code == 400
    assert str(errors.STALE_FORM) in response.content.decode()
    assert snapshot(sitting) == before
    # and the page offers the current question with a fresh token
    assert 'name="question" value="m1"' in response.content.decode()


def test_a_stale_all_on_one_page_form_is_refused(build_world, client):
    world = build_world(one_question_per_page=False)
    client.force_login(world.participant)
    sitting = start(client, world.module)
    token = services.sequence_token(sitting, services.ALL_QUESTIONS)
    Sitting.objects.filter(pk=sitting.pk).update(sequence=1)  # e.g. a second tab handed in
    before = snapshot(sitting)
    response = post(
        client,
        sitting,
        {"token": token, "answer-s1": "s1-right", "answer-m1": "m1-c1", "answer-t1": "true"},
    )
    assert response.status_code == 400
    assert str(errors.STALE_FORM) in response.content.decode()
    assert snapshot(sitting) == before


def test_the_time_limit_is_enforced_on_the_server_at_submit(build_world, client):
    # given a 10-minute attempt whose time ran out (plus grace) with one question answered
    world = build_world(time_limit_minutes=10)
    client.force_login(world.participant)
    sitting = start(client, world.module)
    assert sitting.deadline_at is not None
    answer_current(client, sitting, correct_values("s1"))
    form = form_of(client, sitting)
    late = timezone.now() - services.TIME_LIMIT_GRACE - timedelta(seconds=1)
    Sitting.objects.filter(pk=sitting.pk).update(deadline_at=late)
    # when the next answer arrives
    response = post(client, sitting, {**form, "answer": correct_values("m1")})
    # then it is refused, and the attempt is closed and scored with the answer given in time
    assert response.status_code == 400
    assert str(errors.TIME_UP) in response.content.decode()
    sitting.refresh_from_db()
    assert (sitting.complete, sitting.timed_out) == (True, True)
    assert list(sitting.answers) == ["s1"]
    assert (sitting.score, sitting.max_score, sitting.passed) == (1, 4, False)


def test_an_answer_within_the_time_limit_counts(build_world, client):
    world = build_world(time_limit_minutes=10)
    client.force_login(world.participant)
    sitting = take_quiz(client, world.module, correct=True)
    assert (sitting.timed_out, sitting.passed) == (False, True)


def test_opening_an_expired_attempt_closes_it_and_shows_the_result(build_world, client):
    world = build_world(time_limit_minutes=5)
    client.force_login(world.participant)
    sitting = start(client, world.module)
    Sitting.objects.filter(pk=sitting.pk).update(deadline_at=timezone.now() - timedelta(hours=1))
    response = client.get(reverse("training:sitting", args=[sitting.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("training:result", args=[sitting.pk])
    sitting.refresh_from_db()
    assert (sitting.complete, sitting.timed_out, sitting.passed) == (True, True, False)


@pytest.mark.parametrize("name", ["sitting", "result"])
def test_quiz_and_result_pages_are_private_and_not_stored(participant_client, world, name):
    sitting = take_quiz(participant_client, world.module) if name == "result" else None
    sitting = sitting or start(participant_client, world.module)
    response = participant_client.get(reverse(f"training:{name}", args=[sitting.pk]))
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"private", "no-store"}


def test_error_responses_are_private_and_not_stored_too(participant_client, attempt):
    response = post(participant_client, attempt, {})
    assert response.status_code == 400
    assert {d.strip() for d in response["Cache-Control"].split(",")} == {"private", "no-store"}


def test_an_essay_longer_than_allowed_is_refused(build_world, client):
    world = build_world(questions=[essay("e1")])
    client.force_login(world.participant)
    sitting = start(client, world.module)
    form = form_of(client, sitting)
    before = snapshot(sitting)
    response = post(client, sitting, {**form, "answer": "x" * 10_001})
    assert response.status_code == 400
    assert str(errors.ANSWER_TOO_LONG) in response.content.decode()
    assert snapshot(sitting) == before


def test_anonymous_visitors_are_sent_to_the_login(client, world):
    sitting = services.start_sitting(user=world.participant, module_id=world.module.pk)
    response = client.post(reverse("training:sitting", args=[sitting.pk]), {"answer": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_participant_not_enrolled_in_the_course_cannot_start(client, world):
    stranger = UserFactory(username="fremd")
    client.force_login(stranger)
    response = client.post(reverse("training:start_quiz", args=[world.module.pk]))
    assert response.status_code == 403
    assert str(errors.NOT_ENROLLED) in response.content.decode()
    assert not Sitting.objects.filter(user=stranger).exists()


def test_starting_on_an_unknown_module_is_not_found(participant_client, world):
    response = participant_client.post(reverse("training:start_quiz", args=[999999]))
    assert response.status_code == 404
    assert str(errors.MODULE_NOT_FOUND) in response.content.decode()


def test_get_is_not_allowed_to_start_or_mark_read(participant_client, world):
    assert (
        participant_client.get(reverse("training:start_quiz", args=[world.module.pk])).status_code
        == 405
    )
    assert (
        participant_client.get(reverse("training:mark_read", args=[world.module.pk])).status_code
        == 405
    )
    assert not Sitting.objects.exists()


def test_an_all_on_one_page_form_is_refused_for_a_one_question_per_page_attempt(
    build_world, client
):
    # given a one-question-per-page attempt, when an all-on-one-page form is forged for it
    world = build_world(questions=[single_choice("s1"), single_choice("s2")])
    client.force_login(world.participant)
    sitting = start(client, world.module)
    before = snapshot(sitting)
    token = services.sequence_token(sitting, services.ALL_QUESTIONS)
    response = post(client, sitting, {"token": token, "question": "*", "answer-s1": "s1-right"})
    # then it is refused as malformed
    assert response.status_code == 400
    assert str(errors.MALFORMED_FORM) in response.content.decode()
    assert snapshot(sitting) == before


def test_a_single_question_form_is_refused_for_an_all_on_one_page_attempt(build_world, client):
    # given an all-on-one-page attempt, when a one-question form is forged for it
    world = build_world(
        questions=[single_choice("s1"), single_choice("s2")], one_question_per_page=False
    )
    client.force_login(world.participant)
    sitting = start(client, world.module)
    before = snapshot(sitting)
    token = services.sequence_token(sitting, "s1")
    response = post(client, sitting, {"token": token, "question": "s1", "answer": "s1-right"})
    # then it is refused as malformed and nothing is stored
    assert response.status_code == 400
    assert str(errors.MALFORMED_FORM) in response.content.decode()
    assert snapshot(sitting) == before
