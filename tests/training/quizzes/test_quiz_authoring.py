"""Trainers author quizzes as Wagtail snippets: validation, moderation workflow, drafts."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Workflow

from tests.factories import UserFactory, make_quiz, multiple_choice, single_choice
from training.models import Quiz
from training.quizzes import blocks as quiz_blocks
from training.quizzes.models import SINGLE_ATTEMPT_CONFLICT
from training.quizzes.selectors import module_quiz


def test_quizzes_go_through_the_workflow_fachliche_pruefung(db):
    workflow = Quiz.get_default_workflow()
    assert workflow is not None and workflow.name == "Fachliche Prüfung"
    assert Workflow.objects.filter(name="Fachliche Prüfung").count() == 1
    task = GroupApprovalTask.objects.get(workflow_tasks__workflow=workflow)
    assert [g.name for g in task.groups.all()] == ["Kursleitung"]


def test_a_submitted_quiz_stays_invisible_until_the_course_lead_approves(build_world):
    # given a module whose quiz is a draft submitted to moderation by a trainer
    world = build_world(publish=False)
    trainer = UserFactory(username="trainerin")
    trainer.groups.add(Group.objects.get(name="Trainer:innen"))
    lead = UserFactory(username="kursleitung")
    lead.groups.add(Group.objects.get(name="Kursleitung"))
    quiz = world.quiz
    workflow_state = quiz.get_workflow().start(quiz, trainer)
    # then participants do not see it while it is in moderation
    assert workflow_state.status == "in_progress"
    assert module_quiz(world.module.pk) is None
    # when the course lead approves the task
    task_state = workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, lead, "approve")
    # then the quiz is published and visible
    quiz.refresh_from_db()
    assert quiz.live is True
    assert module_quiz(world.module.pk) == quiz


def test_a_trainer_can_open_the_quiz_editor_and_preview_it(build_world, client):
    world = build_world()
    trainer = UserFactory(username="trainerin")
    trainer.groups.add(Group.objects.get(name="Trainer:innen"))
    client.force_login(trainer)
    edit_url = reverse("wagtailsnippets_training_quiz:edit", args=[world.quiz.pk])
    assert client.get(edit_url).status_code == 200
    # and the preview shows the trainer the questions with their solutions
    request = RequestFactory().get("/")
    request.user = trainer
    preview = world.quiz.serve_preview(request, world.quiz.default_preview_mode)
    page = preview.rendered_content
    assert "Welche Antwort stimmt?" in page and "Die richtige <strong>(richtig)</strong>" in page


def test_a_single_choice_question_needs_exactly_one_correct_answer(db):
    block = quiz_blocks.SingleChoiceBlock()
    value = block.to_python(
        single_choice("s1", answers=[("a", "A", True), ("b", "B", True)])["value"]
    )
    with pytest.raises(ValidationError) as error:
        block.clean(value)
    assert str(quiz_blocks.NEEDS_ONE_CORRECT_ANSWER) in str(error.value.non_block_errors)


def test_a_multiple_choice_question_needs_a_correct_answer(db):
    block = quiz_blocks.MultipleChoiceBlock()
    value = block.to_python(multiple_choice("m1", correct=0, wrong=3)["value"])
    with pytest.raises(ValidationError) as error:
        block.clean(value)
    assert str(quiz_blocks.NEEDS_A_CORRECT_ANSWER) in str(error.value.non_block_errors)


def test_single_attempt_and_more_attempts_contradict_each_other(db):
    quiz = Quiz(title="Widerspruch", single_attempt=True, max_attempts=3, questions="[]")
    with pytest.raises(ValidationError) as error:
        quiz.full_clean()
    assert error.value.message_dict["max_attempts"] == [str(SINGLE_ATTEMPT_CONFLICT)]


def test_the_pass_mark_cannot_exceed_100_percent(db):
    quiz = Quiz(title="Zu streng", pass_mark=101, questions=json.dumps([]))
    with pytest.raises(ValidationError) as error:
        quiz.full_clean()
    assert "pass_mark" in error.value.message_dict


def test_make_quiz_publishes_a_revision_participants_can_take(db):
    quiz = make_quiz()
    assert quiz.live and quiz.live_revision_id is not None
