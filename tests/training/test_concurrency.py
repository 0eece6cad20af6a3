"""Races, with real threads on PostgreSQL: the database's locks and constraints decide."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories import single_choice
from training import errors, events, services
from training.errors import TrainingError
from training.models import Enrollment, ModuleProgress, Sitting
from training.quizzes import services as quiz_services

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite has none)"
)


@pytest.fixture(autouse=True)
def _committed_for_real(restorable_database, django_db_serialized_rollback, transactional_db):
    """Threads see only committed rows: these tests commit (and restore the migrated state,
    root page, locale and groups, which an earlier transactional test's flush removed)."""


def run_concurrently(count, action):
    """Runs ``action(i)`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", action(i))
        except TrainingError as exc:
            results[i] = ("refused", exc.message)
        except Exception as exc:  # anything else is a failure the test reports
            results[i] = ("crashed", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_single_attempt_holds_under_ten_concurrent_starts(build_world):
    # given a single-attempt quiz
    world = build_world(single_attempt=True)
    # when the participant starts it ten times at once (double clicks, several tabs)
    results = run_concurrently(
        10,
        lambda _: quiz_services.start_sitting(user=world.participant, module_id=world.module.pk).pk,
    )
    # then exactly one attempt exists and every request got that same attempt
    assert Sitting.objects.filter(user=world.participant).count() == 1
    only = Sitting.objects.get(user=world.participant).pk
    assert results == [("ok", only)] * 10

    # and once it is finished, ten concurrent starts are all refused
    sitting = Sitting.objects.get(pk=only)
    for qid in sitting.question_order:
        sitting.refresh_from_db()
        quiz_services.submit_answer(
            user=world.participant,
            sitting_id=sitting.pk,
            question_id=qid,
            token=quiz_services.sequence_token(sitting, qid),
            values=["true"] if qid == "t1" else [f"{qid}-w1" if qid == "m1" else f"{qid}-wrong"],
        )
    results = run_concurrently(
        10,
        lambda _: quiz_services.start_sitting(user=world.participant, module_id=world.module.pk).pk,
    )
    assert results == [("refused", errors.NO_ATTEMPTS_LEFT)] * 10
    assert Sitting.objects.filter(user=world.participant).count() == 1


def test_the_database_itself_refuses_a_second_attempt_number_or_a_second_open_attempt(
    build_world,
):
    # given an open attempt
    world = build_world(single_attempt=True)
    sitting = quiz_services.start_sitting(user=world.participant, module_id=world.module.pk)
    fields = {
        "user": world.participant,
        "quiz": world.quiz,
        "quiz_revision_id": sitting.quiz_revision_id,
        "question_order": sitting.question_order,
    }
    # then inserting past the Python checks is stopped by the unique constraints
    with pytest.raises(IntegrityError), transaction.atomic():
        Sitting.objects.create(attempt_number=1, complete=True, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sitting.objects.create(attempt_number=2, **fields)


def test_two_concurrent_final_submits_count_once(build_world):
    # given an attempt with only its last question left, the other module already complete,
    # and a listener for completed enrollments
    world = build_world(questions=[single_choice("s1"), single_choice("s2")])
    services.mark_module_read(user=world.participant, module_id=world.plain_module.pk)
    services.mark_module_read(user=world.participant, module_id=world.module.pk)
    sitting = quiz_services.start_sitting(user=world.participant, module_id=world.module.pk)
    quiz_services.submit_answer(
        user=world.participant,
        sitting_id=sitting.pk,
        question_id="s1",
        token=quiz_services.sequence_token(sitting, "s1"),
        values=["s1-right"],
    )
    sitting.refresh_from_db()
    token = quiz_services.sequence_token(sitting, "s2")
    announced = []
    events.subscribe(announced.append)
    try:
        # when the final answer is sent twice at the same moment (right, then wrong)
        results = run_concurrently(
            2,
            lambda i: (
                quiz_services.submit_answer(
                    user=world.participant,
                    sitting_id=sitting.pk,
                    question_id="s2",
                    token=token,
                    values=["s2-right" if i == 0 else "s2-wrong"],
                ).score
            ),
        )
    finally:
        events.unsubscribe(announced.append)
    # then one submit counted and the other was refused
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["ok", "refused"], results
    refused = next(value for kind, value in results if kind == "refused")
    assert refused in (errors.SITTING_FINISHED, errors.ALREADY_ANSWERED)
    sitting.refresh_from_db()
    assert sitting.complete and sitting.sequence == 2
    assert set(sitting.answers) == {"s1", "s2"}
    winner = sitting.answers["s2"]["response"]
    assert sitting.score == (2 if winner == ["s2-right"] else 1)
    # and a pass completed the module and the course once
    if sitting.passed:
        assert ModuleProgress.objects.get(module=world.module).completed_at is not None
        assert Enrollment.objects.get(pk=world.enrollment.pk).completed_at is not None
        assert announced == [world.enrollment.pk]
    else:
        assert announced == []


def test_two_concurrent_all_on_one_page_submits_count_once(build_world):
    world = build_world(one_question_per_page=False)
    sitting = quiz_services.start_sitting(user=world.participant, module_id=world.module.pk)
    token = quiz_services.sequence_token(sitting, quiz_services.ALL_QUESTIONS)
    answers = {"s1": ["s1-right"], "m1": ["m1-c1", "m1-c2"], "t1": ["true"]}
    results = run_concurrently(
        2,
        lambda _: (
            quiz_services.submit_all_answers(
                user=world.participant, sitting_id=sitting.pk, token=token, answers=answers
            ).score
        ),
    )
    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    sitting.refresh_from_db()
    assert (sitting.complete, sitting.sequence, sitting.score) == (True, 1, 4)
