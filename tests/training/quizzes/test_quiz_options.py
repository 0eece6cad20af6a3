"""Every option of django-quiz-app, each shown working through the participant's pages."""

import re

import pytest
from django.urls import reverse

from tests.factories import (
    UserFactory,
    enroll,
    essay,
    multiple_choice,
    single_choice,
    true_false,
)
from tests.training.conftest import (
    answer_current,
    correct_values,
    form_of,
    start,
    take_quiz,
    wrong_values,
)
from training import errors
from training.models import ModuleProgress, Sitting
from training.quizzes import services

SIX = [single_choice(f"s{i}", f"Frage Nummer {i}?") for i in range(1, 7)]


def test_random_order_shuffles_the_questions_per_attempt(build_world):
    # given a quiz of six questions in random order, and ten participants
    world = build_world(questions=SIX, random_order=True)
    users = [UserFactory() for _ in range(10)]
    for user in users:
        enroll(user, world.course)
    # when each starts an attempt
    orders = {
        tuple(services.start_sitting(user=u, module_id=world.module.pk).question_order)
        for u in users
    }
    # then the attempts do not all share one order, and each has all six questions
    assert len(orders) > 1
    assert all(sorted(order) == [f"s{i}" for i in range(1, 7)] for order in orders)


def test_without_random_order_questions_come_in_authored_order(build_world):
    world = build_world(questions=SIX, random_order=False)
    sitting = services.start_sitting(user=world.participant, module_id=world.module.pk)
    assert sitting.question_order == [f"s{i}" for i in range(1, 7)]


def test_max_questions_draws_that_many_from_a_larger_pool(build_world, client):
    # given a pool of six questions of which each attempt gets three
    world = build_world(questions=SIX, max_questions=3)
    client.force_login(world.participant)
    # when the participant starts
    sitting = start(client, world.module)
    # then the attempt has three of the six questions and is scored out of three
    assert len(sitting.question_order) == 3
    assert set(sitting.question_order) <= {f"s{i}" for i in range(1, 7)}
    assert sitting.max_score == 3
    assert "Frage 1 von 3" in form_of(client, sitting)["page"]


def test_feedback_follows_each_answer_unless_answers_at_end(build_world, client):
    # given the default quiz (feedback after each answer)
    world = build_world()
    client.force_login(world.participant)
    sitting = start(client, world.module)
    # when the first question is answered
    response, form = answer_current(client, sitting, wrong_values("s1"))
    page = client.get(response["Location"]).content.decode()
    # then the next page shows the first question's solution and explanation
    assert "Rückmeldung zu Frage 1" in page
    assert "Erklärung zu s1" in page
    assert "Rückmeldung s1-wrong" in page


def test_answers_at_end_hides_feedback_until_the_result_page(build_world, client):
    # given a quiz with answers at the end
    world = build_world(answers_at_end=True)
    client.force_login(world.participant)
    sitting = start(client, world.module)
    # when the first question is answered (even asking for its feedback explicitly)
    response, _ = answer_current(client, sitting, wrong_values("s1"))
    assert "rueckmeldung" not in response["Location"]
    page = client.get(reverse("training:sitting", args=[sitting.pk]) + "?rueckmeldung=s1")
    # then no solution is shown before the end
    assert "Erklärung zu s1" not in page.content.decode()
    assert "Rückmeldung zu Frage" not in page.content.decode()
    # and the result page shows the review of every question
    for _ in range(2):
        answer_current(client, sitting, correct_values(form_of(client, sitting)["question"]))
    result = client.get(reverse("training:result", args=[sitting.pk])).content.decode()
    for qid in ("s1", "m1", "t1"):
        assert f"Erklärung zu {qid}" in result


def test_exam_paper_keeps_every_answer_for_trainers(build_world, client):
    world = build_world(exam_paper=True)
    client.force_login(world.participant)
    sitting = take_quiz(client, world.module, correct=False)
    assert sitting.answers_discarded is False
    assert sitting.answers["s1"]["response"] == ["s1-wrong"]
    assert sitting.answers["m1"]["response"] == ["m1-w1", "m1-w2"]


def test_without_exam_paper_only_score_and_result_are_kept(build_world, client):
    # given a quiz that keeps no exam papers
    world = build_world(exam_paper=False)
    client.force_login(world.participant)
    # when an attempt is finished
    sitting = take_quiz(client, world.module, correct=True)
    # then its answers are gone, its score and result stay
    assert (sitting.answers, sitting.answers_discarded) == ({}, True)
    assert (sitting.score, sitting.max_score, sitting.passed) == (4, 4, True)
    result = client.get(reverse("training:result", args=[sitting.pk])).content.decode()
    assert "werden nicht aufbewahrt" in result


def test_single_attempt_refuses_a_second_attempt(build_world, client):
    # given a single-attempt quiz the participant has failed
    world = build_world(single_attempt=True)
    client.force_login(world.participant)
    take_quiz(client, world.module, correct=False)
    # when they try to start again
    response = client.post(reverse("training:start_quiz", args=[world.module.pk]))
    # then it is refused with a German message and no attempt is created
    assert response.status_code == 403
    assert str(errors.NO_ATTEMPTS_LEFT) in response.content.decode()
    assert Sitting.objects.filter(user=world.participant).count() == 1
    # and the module page says so instead of offering a start button
    page = client.get(world.module.url).content.decode()
    assert "Sie haben alle erlaubten Versuche genutzt" in page
    assert "Erneut versuchen" not in page


def _three_of_four(client, sitting):
    """Answers s1 right, m1 half right (1 of 2 points), t1 right: 3 of 4 points."""
    for _ in range(3):
        qid = form_of(client, sitting)["question"]
        values = ["m1-c1"] if qid == "m1" else correct_values(qid)
        answer_current(client, sitting, values)
    sitting.refresh_from_db()
    return sitting


def test_pass_mark_decides_pass_or_fail(build_world, client):
    # given two quizzes with pass marks of 75 % and 80 %
    world = build_world(pass_mark=75)
    client.force_login(world.participant)
    # when the participant scores 3 of 4 points (75 %)
    sitting = _three_of_four(client, start(client, world.module))
    # then they pass at 75 %
    assert (sitting.score, sitting.percent, sitting.passed) == (3, 75, True)
    # and, with the pass mark raised to 80 % and published, the next attempt fails
    world.quiz.pass_mark = 80
    world.quiz.save_revision().publish()
    again = _three_of_four(client, start(client, world.module))
    assert (again.score, again.passed) == (3, False)


def test_success_and_fail_texts_are_shown_on_the_result_page(build_world, client):
    world = build_world(success_text="Hervorragend gemacht!", fail_text="Lesen Sie nochmals.")
    client.force_login(world.participant)
    failed = take_quiz(client, world.module, correct=False)
    page = client.get(reverse("training:result", args=[failed.pk])).content.decode()
    assert "Lesen Sie nochmals." in page and "Hervorragend gemacht!" not in page
    assert "Nicht bestanden" in page
    passed = take_quiz(client, world.module, correct=True)
    page = client.get(reverse("training:result", args=[passed.pk])).content.decode()
    assert "Hervorragend gemacht!" in page and "Lesen Sie nochmals." not in page


def test_a_draft_quiz_is_invisible_to_participants(build_world, client):
    # given a module whose quiz was never published
    world = build_world(publish=False)
    client.force_login(world.participant)
    # then the module page offers no quiz and starting one is refused
    page = client.get(world.module.url).content.decode()
    assert "Lernkontrolle starten" not in page
    response = client.post(reverse("training:start_quiz", args=[world.module.pk]))
    assert response.status_code == 404
    assert str(errors.QUIZ_UNAVAILABLE) in response.content.decode()
    # and reading the module completes it: a draft quiz is no requirement
    client.post(reverse("training:mark_read", args=[world.module.pk]))
    assert ModuleProgress.objects.get(module=world.module).completed_at is not None


def test_an_unpublished_quiz_disappears_for_participants(build_world, client):
    world = build_world()
    world.quiz.unpublish()
    client.force_login(world.participant)
    response = client.post(reverse("training:start_quiz", args=[world.module.pk]))
    assert response.status_code == 404


def test_progress_per_competence_area_sums_points_like_django_quiz_apps_progress_page(
    build_world, client
):
    # given a quiz in the competence area Fachkompetenz, failed once and passed once
    world = build_world(category="fachkompetenz")
    client.force_login(world.participant)
    take_quiz(client, world.module, correct=False)
    take_quiz(client, world.module, correct=True)
    # when the participant opens the progress page
    response = client.get(reverse("training:progress"))
    page = response.content.decode()
    # then Fachkompetenz shows 4 of 8 points (50 %) and one of two attempts passed
    rows = {c.category: c for c in response.context["categories"]}
    fach = rows["fachkompetenz"]
    assert (fach.score, fach.max_score, fach.percent, fach.passed, fach.sittings) == (
        4,
        8,
        50,
        1,
        2,
    )
    assert rows["personale_kompetenz"].sittings == 0
    assert "Fachkompetenz" in page and "4 von 8" in page
    # and both exam papers are listed
    assert len(response.context["papers"]) == 2


def test_an_essay_holds_the_result_until_a_trainer_marks_it(build_world, client):
    # given a quiz with an essay
    world = build_world(questions=[single_choice("s1"), essay("e1")])
    client.force_login(world.participant)
    # when the participant answers everything
    sitting = take_quiz(client, world.module, correct=True)
    # then the attempt is finished but its result is pending
    assert (sitting.complete, sitting.needs_marking, sitting.passed) == (True, True, None)
    assert sitting.answers["e1"]["points"] is None
    result = client.get(reverse("training:result", args=[sitting.pk])).content.decode()
    assert "Ergebnis ausstehend" in result
    dashboard = client.get(reverse("training:dashboard")).content.decode()
    assert "Ihre Freitextantwort wird von einer Trainerin oder einem Trainer bewertet" in dashboard
    # and the module is not complete yet
    client.post(reverse("training:mark_read", args=[world.module.pk]))
    assert ModuleProgress.objects.get(module=world.module).completed_at is None


def test_question_kinds_render_as_radio_checkbox_and_text_fields(build_world, client):
    world = build_world(
        questions=[single_choice("s1"), multiple_choice("m1"), true_false("t1"), essay("e1")],
        one_question_per_page=False,
    )
    client.force_login(world.participant)
    sitting = start(client, world.module)
    page = form_of(client, sitting)["page"]
    # (options come in random order per attempt by default, so match any position)
    assert re.search(r'type="radio" id="feld-s1-\d" name="answer-s1" value="s1-right"', page)
    assert re.search(r'type="checkbox" id="feld-m1-\d" name="answer-m1" value="m1-c1"', page)
    assert 'name="answer-t1" value="true"' in page
    assert '<textarea id="feld-e1" name="answer-e1"' in page


def _option_order(page, qid):
    return re.findall(rf'name="answer" value="({qid}-[a-z0-9]+)"', page)


def test_answer_order_random_shuffles_per_attempt_and_stays_put_within_one(build_world, client):
    # given a question whose six answers are shown in random order
    question = multiple_choice("m1", correct=3, wrong=3)
    question["value"]["answer_order"] = "random"
    world = build_world(questions=[question])
    orders = set()
    for n in range(8):
        user = UserFactory(username=f"person-order-{n}")
        enroll(user, world.course)
        client.force_login(user)
        sitting = start(client, world.module)
        first = _option_order(form_of(client, sitting)["page"], "m1")
        # then a reload shows the same order
        assert _option_order(form_of(client, sitting)["page"], "m1") == first
        orders.add(tuple(first))
    # and the attempts do not all share one order
    assert len(orders) > 1


def test_answer_order_alphabetical_sorts_the_answers(build_world, client):
    question = single_choice(
        "s1", answers=[("s1-c", "Zebra", True), ("s1-a", "Apfel", False), ("s1-b", "birne", False)]
    )
    question["value"]["answer_order"] = "alphabetical"
    world = build_world(questions=[question])
    client.force_login(world.participant)
    sitting = start(client, world.module)
    assert _option_order(form_of(client, sitting)["page"], "s1") == ["s1-a", "s1-b", "s1-c"]


def test_a_question_figure_is_shown_with_its_alternative_text(
    build_world, client, settings, tmp_path
):
    # given a question with a figure (django-quiz-app's «figure»)
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    settings.MEDIA_ROOT = tmp_path
    image = Image.objects.create(title="Ablauf", file=get_test_image_file())
    question = single_choice("s1")
    question["value"].update({"figure": image.pk, "figure_alt": "Ablauf einer Ummeldung"})
    world = build_world(questions=[question])
    client.force_login(world.participant)
    # when the participant sees the question
    page = form_of(client, start(client, world.module))["page"]
    # then the figure is there with its text alternative
    assert re.search(r'<img alt="Ablauf einer Ummeldung"[^>]+src="[^"]+"', page)


def test_a_figure_without_alternative_text_is_refused_when_authoring(db, settings, tmp_path):
    from wagtail.blocks import StructBlockValidationError
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from training.quizzes.blocks import NEEDS_FIGURE_ALT, SingleChoiceBlock

    settings.MEDIA_ROOT = tmp_path
    image = Image.objects.create(title="Ablauf", file=get_test_image_file())
    block = SingleChoiceBlock()
    value = block.to_python({**single_choice("s1")["value"], "figure": image.pk, "figure_alt": ""})
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(value)
    assert [e.message for e in error.value.block_errors["figure_alt"].error_list] == [
        NEEDS_FIGURE_ALT
    ]
