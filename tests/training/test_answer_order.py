"""Answer order of choice questions (issue 13, defect 3): random per attempt by default and
pinned in the attempt, "wie eingegeben" still selectable, and guessing by position fails."""

import re

from django.db import connection

from tests.factories import (
    UserFactory,
    enroll,
    make_course,
    make_quiz,
    place_quiz,
    single_choice,
)
from tests.training.conftest import answer_current, form_of, start
from training.quizzes.demo import question_block, read_quizzes

OPTION_RE = re.compile(r'<input type="(?:radio|checkbox)" id="[^"]+" name="answer" value="([^"]+)"')
ATTEMPTS_PER_QUIZ = 3  # the seeds: every attempt shuffles anew (and one demo quiz allows 3)


def shown_options(client, sitting) -> list[str]:
    return OPTION_RE.findall(form_of(client, sitting)["page"])


def eight_options(qid, **extra):
    block = single_choice(
        qid,
        answers=[(f"{qid}-{n}", f"Antwort {n}", n == 1) for n in range(1, 9)],
    )
    block["value"].update(extra)
    return block


def test_options_are_shuffled_per_attempt_by_default_and_stay_put_on_reload(build_world, client):
    # given a question saved without an order setting (as every block before this option)
    world = build_world(questions=[eight_options("s1")], max_attempts=None)
    client.force_login(world.participant)
    authored = [f"s1-{n}" for n in range(1, 9)]
    orders = []
    for _ in range(4):
        # when the participant starts an attempt and reloads the page
        sitting = start(client, world.module)
        first = shown_options(client, sitting)
        # then a reload shows the same order, and the options are all there
        assert shown_options(client, sitting) == first
        assert sorted(first) == sorted(authored)
        orders.append(first)
        response, _ = answer_current(client, sitting, [first[0]])
        assert response.status_code == 302
    # and the attempts do not all show the order as entered, nor all the same order
    assert any(order != authored for order in orders)
    assert len({tuple(order) for order in orders}) > 1


def test_as_entered_stays_selectable_for_a_question(build_world, client):
    # given a question whose order the trainer set to "wie eingegeben"
    world = build_world(questions=[eight_options("s1", answer_order="authored")])
    client.force_login(world.participant)
    for _ in range(3):
        # when attempts are started
        sitting = start(client, world.module)
        # then the options come as entered
        assert shown_options(client, sitting) == [f"s1-{n}" for n in range(1, 9)]
        answer_current(client, sitting, ["s1-1"])


def demo_quiz(data: dict):
    """A demo quiz as training.quizzes.demo loads it, with fixed block ids so that the attempts'
    shuffles (seeded by attempt and block id) are the same on every run."""
    stem = data["module"]
    blocks = []
    for number, question in enumerate(data["questions"], start=1):
        block = question_block(question, data["_source"])
        block["id"] = f"{stem}-{number}"
        for index, answer in enumerate(block["value"].get("answers", []), start=1):
            answer["id"] = f"{stem}-{number}-{index}"
        blocks.append(block)
    return make_quiz(
        questions=blocks,
        title=data["title"],
        pass_mark=data.get("pass_mark", 60),
        random_order=data.get("random_order", False),
        max_attempts=data.get("max_attempts"),
    )


def first_attempt_id(number: int) -> None:
    """The next attempt gets id ``number``: the shuffles are seeded by attempt and block id, so
    fixing both makes every run see the same orders. Set high, it collides with no other test."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('training_sitting', 'id'), %s, false)",
            [number],
        )


def test_always_picking_the_first_shown_option_fails_every_demo_quiz(client, db):
    # given the demo quizzes in their modules, with the default answer order, and fixed seeds
    quizzes = read_quizzes()
    course, _, modules = make_course(modules=len(quizzes))
    placed = [
        (place_quiz(m, demo_quiz(d)), d) for m, d in zip(modules, quizzes.values(), strict=True)
    ]
    participant = UserFactory(username="rateprofi")
    enroll(participant, course)
    client.force_login(participant)
    first_attempt_id(5_000_000)
    results = []
    for module, data in placed:
        for _ in range(ATTEMPTS_PER_QUIZ):
            # when the participant answers every question with the first option shown (and
            # writes a line into an essay)
            sitting = start(client, module)
            for _ in range(len(sitting.question_order)):
                options = shown_options(client, sitting)
                response, _ = answer_current(client, sitting, options[:1] or ["Weiß nicht."])
                assert response.status_code == 302
            sitting.refresh_from_db()
            results.append((data["module"], sitting.pk, sitting.score, sitting.max_score))
            # then the attempt fails: the points scored stay below the pass mark
            assert not sitting.passed, results[-1]
            assert sitting.score * 100 < data.get("pass_mark", 60) * sitting.max_score
    assert len(results) == len(quizzes) * ATTEMPTS_PER_QUIZ
