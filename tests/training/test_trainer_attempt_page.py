"""The trainer's attempt page shows what the participant answered, and every percentage is
rounded half up (issue 13, defect 7)."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import (
    UserFactory,
    essay,
    make_sitting,
    multiple_choice,
    single_choice,
    true_false,
)
from tests.training.conftest import answer_current, form_of, start
from training.models import Sitting

ESSAY_TEXT = "Ich frage nach, was die Person braucht, und erkläre den Online-Antrag."


@pytest.fixture
def trainer_client(client, db):
    def login(cohort):
        user = UserFactory(username="trainerin-versuch")
        user.groups.add(Group.objects.get(name="Trainer:innen"))
        cohort.trainers.add(user)
        client.force_login(user)
        return client

    return login


def attempt_url(enrollment, sitting) -> str:
    return (
        f"/admin/lernstand/{enrollment.cohort_id}/teilnehmende/{enrollment.pk}"
        f"/versuche/{sitting.pk}/"
    )


def test_the_trainer_sees_each_answer_as_the_participant_gave_it(
    build_world, client, trainer_client
):
    # given an attempt answered through the participant's pages: a wrong single choice, one
    # right and one wrong multiple choice option, "falsch" on a true statement and an essay
    world = build_world(
        questions=[single_choice("s1"), multiple_choice("m1"), true_false("t1"), essay("e1")]
    )
    client.force_login(world.participant)
    sitting = start(client, world.module)
    given = {
        "s1": ["s1-wrong"],
        "m1": ["m1-c1", "m1-w2"],
        "t1": ["false"],
        "e1": [ESSAY_TEXT],
    }
    for _ in range(len(sitting.question_order)):
        question = form_of(client, sitting)["question"]
        response, _ = answer_current(client, sitting, given[question])
        assert response.status_code == 302
    sitting.refresh_from_db()
    # when the cohort's trainer opens the attempt
    page = trainer_client(world.enrollment.cohort).get(attempt_url(world.enrollment, sitting))
    # then each row's answer column (the first <td> after the question) shows the answer given
    assert page.status_code == 200
    rows = page.content.decode().split("<tr")

    def answer_cell(question_text):
        row = next(r for r in rows if question_text in r)
        return row.split("</th>", 1)[1].split("<td>", 1)[1].split("<", 1)[0].strip()

    assert answer_cell("Welche Antwort stimmt?") == "Falsch"
    assert answer_cell("Welche Antworten stimmen?") == "Richtig 1; Falsch 2"
    assert answer_cell("Die Aussage stimmt.") == "falsch"
    assert answer_cell("Beschreiben Sie Ihr Vorgehen.") == ESSAY_TEXT


def test_percentages_are_rounded_half_up(build_world, client, trainer_client):
    # given a finished attempt with 4 of 6 points
    world = build_world()
    sitting = make_sitting(
        enrollment=world.enrollment,
        module_id=world.module.pk,
        quiz=world.quiz,
        score=4,
        max_score=6,
        passed=True,
    )
    assert Sitting.objects.get(pk=sitting.pk).percent == 67
    # when the trainer opens it
    page = trainer_client(world.enrollment.cohort).get(attempt_url(world.enrollment, sitting))
    # then it shows 67 %, not 66 %
    assert "4,00 / 6,00 (67 %)" in page.content.decode()
