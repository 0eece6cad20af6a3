"""Which changes write which statements (the outbox rows), and that nothing is written when no
LRS is configured. Delivery is tested against Ralph in test_lrs.py."""

from decimal import Decimal

import pytest
from django.db import transaction

from tests.training.conftest import take_quiz
from training import services as training_services
from training.quizzes import marking
from training.xapi import delivery
from training.xapi.models import Statement

BASE = "https://akademie.example.org"
VERB = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def lrs(settings):
    """An LRS configured (at a closed port: these tests look at the outbox only)."""
    settings.XAPI_LRS_ENDPOINT = "http://127.0.0.1:9/xAPI"
    settings.XAPI_ACTIVITY_BASE = BASE
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _verbs():
    return [
        (row.payload["verb"]["id"].rsplit("/", 1)[-1], row.payload["object"]["id"])
        for row in Statement.objects.order_by("pk")
    ]


def test_nothing_is_written_when_no_lrs_is_configured(world, participant_client, settings):
    settings.XAPI_LRS_ENDPOINT = ""
    take_quiz(participant_client, world.module)
    training_services.mark_module_read(user=world.participant, module_id=world.module.pk)
    assert Statement.objects.count() == 0


def test_a_passed_quiz_and_a_completed_course_write_their_statements(
    lrs, world, participant_client, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    # given a participant who read the plain module
    training_services.mark_module_read(user=world.participant, module_id=world.plain_module.pk)
    # when they read the quiz module and pass its quiz (the certificate is issued after commit)
    training_services.mark_module_read(user=world.participant, module_id=world.module.pk)
    with django_capture_on_commit_callbacks(execute=True):
        sitting = take_quiz(participant_client, world.module)
    # then the outbox holds the statements in the order things happened
    quiz = f"{BASE}/xapi/activities/quiz/{world.quiz.pk}"
    module = f"{BASE}/xapi/activities/module/{world.module.pk}"
    verbs = _verbs()
    assert verbs[:4] == [
        ("experienced", f"{BASE}/xapi/activities/module/{world.plain_module.pk}"),
        ("completed", f"{BASE}/xapi/activities/module/{world.plain_module.pk}"),
        ("experienced", module),
        ("attempted", quiz),
    ]
    answered = [v for v in verbs if v[0] == "answered"]
    assert len(answered) == len(sitting.question_order)
    assert verbs[4 + len(answered) :] == [
        ("passed", quiz),
        ("completed", module),
        ("completed", f"{BASE}/xapi/activities/course/{world.course.pk}"),
        ("earned", f"{BASE}/xapi/activities/certificate/{world.course.pk}"),
    ]
    passed = Statement.objects.get(payload__verb__id=VERB + "passed").payload
    assert passed["result"]["success"] is True
    assert passed["result"]["score"]["raw"] == float(sitting.score)
    assert passed["result"]["score"]["max"] == float(sitting.max_score)
    assert passed["context"]["contextActivities"]["parent"] == [
        {"id": module, "objectType": "Activity"}
    ]
    assert passed["context"]["extensions"][f"{BASE}/xapi/extensions/attempt"] == 1


def test_a_failed_quiz_writes_failed_with_its_score(lrs, world, participant_client):
    sitting = take_quiz(participant_client, world.module, correct=False)
    failed = Statement.objects.get(payload__verb__id=VERB + "failed").payload
    assert failed["result"]["success"] is False
    assert Decimal(str(failed["result"]["score"]["raw"])) == sitting.score
    answered = Statement.objects.filter(payload__verb__id=VERB + "answered")
    assert {s.payload["result"]["success"] for s in answered} == {False}


def test_a_rolled_back_change_writes_no_statement(lrs, world):
    with pytest.raises(RuntimeError), transaction.atomic():
        training_services.mark_module_read(user=world.participant, module_id=world.module.pk)
        raise RuntimeError
    assert Statement.objects.count() == 0


def test_the_version_header_follows_the_setting(lrs, settings):
    assert delivery._headers()["X-Experience-API-Version"] == "1.0.3"
    settings.XAPI_VERSION = "2.0.0"
    assert delivery._headers()["X-Experience-API-Version"] == "2.0.0"


def test_an_essay_attempt_is_passed_or_failed_only_once_marked(lrs, build_world, client):
    from tests.factories import editor, essay

    # given an attempt whose only question is an essay
    world = build_world(questions=[essay("e1")])
    client.force_login(world.participant)
    sitting = take_quiz(client, world.module)
    # then no outcome is stated while the essay waits
    outcomes = [VERB + "passed", VERB + "failed"]
    assert not Statement.objects.filter(payload__verb__id__in=outcomes).exists()
    # when a trainer marks it
    marking.mark_essay(
        sitting_id=sitting.pk, block_id="e1", points=4, feedback="", marked_by=editor()
    )
    # then «passed» is stated once, with the marked score
    passed = Statement.objects.get(payload__verb__id__in=outcomes).payload
    assert passed["verb"]["id"] == VERB + "passed"
    assert passed["result"]["score"]["raw"] == 4.0


def test_a_regrade_that_turns_a_failed_attempt_into_a_pass_states_passed(
    lrs, db, client, settings, tmp_path
):
    from tests.factories import UserFactory, make_course, make_quiz, place_quiz
    from tests.training.quizzes.test_regrade import (
        QUESTIONS,
        fail_on_faulty_question,
        lead_client,
        post_regrade,
    )

    settings.MEDIA_ROOT = tmp_path
    # given a participant who failed only on a faulty question
    course, _section, (module,) = make_course(modules=1)
    quiz = make_quiz(questions=QUESTIONS, pass_mark=100)
    module = place_quiz(module, quiz)
    _enrollment, sitting = fail_on_faulty_question(client, UserFactory(), course, module)
    assert [v for v, _ in _verbs()][-1] == "failed"
    before = Statement.objects.count()
    # when the course lead regrades the question
    client, _lead = lead_client(client)
    assert post_regrade(client, quiz, sitting).status_code == 302
    # then the attempt is stated as passed with its new score, and the module and course as
    # completed, in that order (the certificate follows after commit)
    after = [v for v in _verbs()[before:] if v[0] != "earned"]
    assert after == [
        ("passed", f"{BASE}/xapi/activities/quiz/{quiz.pk}"),
        ("completed", f"{BASE}/xapi/activities/module/{module.pk}"),
        ("completed", f"{BASE}/xapi/activities/course/{course.pk}"),
    ]
    passed = Statement.objects.get(payload__verb__id=VERB + "passed").payload
    assert passed["result"]["score"]["raw"] == passed["result"]["score"]["max"]
