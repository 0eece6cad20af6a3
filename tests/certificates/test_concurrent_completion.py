"""The last answer of a course sent several times at the same moment (double click, two tabs,
a flaky connection that resends), over HTTP in real threads on PostgreSQL, with a real Celery
worker: one answer counts, the others are refused with a German message, and exactly one
certificate and one email follow."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from certificates.models import Certificate
from tests.certificates.conftest import idle_broker
from tests.conftest import wait_for
from tests.factories import UserFactory, enroll, make_course, make_quiz, place_quiz, single_choice
from training import errors, services
from training.models import Enrollment, ModuleProgress, Sitting
from training.quizzes import services as quiz_services

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite has none)"
    ),
]

SENDERS = 8


@pytest.fixture
def last_answer_left(restorable_database, django_db_serialized_rollback, celery_worker):
    """A participant who has read both modules and answered all but the last question of the
    quiz, the only thing between them and the certificate; committed, so threads see it."""
    course, _section, (module, plain_module) = make_course(modules=2)
    module = place_quiz(module, make_quiz(questions=[single_choice("s1"), single_choice("s2")]))
    participant = UserFactory(username="teilnehmerin", email="teilnehmerin@example.org")
    enrollment = enroll(participant, course)
    services.mark_module_read(user=participant, module_id=plain_module.pk)
    services.mark_module_read(user=participant, module_id=module.pk)
    sitting = quiz_services.start_sitting(user=participant, module_id=module.pk)
    quiz_services.submit_answer(
        user=participant,
        sitting_id=sitting.pk,
        question_id="s1",
        token=quiz_services.sequence_token(sitting, "s1"),
        values=["s1-right"],
    )
    sitting.refresh_from_db()
    return participant, enrollment, module, sitting


def post_at_once(count, participant, url, data):
    """``count`` clients of the same participant post ``data`` at the same moment."""
    barrier = threading.Barrier(count)
    responses = [None] * count

    def send(i):
        client = Client()
        client.force_login(participant)
        try:
            barrier.wait(timeout=30)
            responses[i] = client.post(url, data)
        except Exception as exc:  # reported by the test, not lost in the thread
            responses[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_the_last_answer_sent_eight_times_at_once_gives_one_certificate(last_answer_left):
    # given a participant one correct answer away from the certificate
    participant, enrollment, module, sitting = last_answer_left
    data = {
        "token": quiz_services.sequence_token(sitting, "s2"),
        "question": "s2",
        "answer": ["s2-right"],
    }
    # when that answer is posted eight times at the same moment
    url = reverse("training:sitting", args=[sitting.pk])
    responses = post_at_once(SENDERS, participant, url, data)
    # then one post was taken (on to the result), the others were refused with a German message
    assert not [r for r in responses if isinstance(r, Exception)], responses
    taken = [r for r in responses if r.status_code == 302]
    refused = [r for r in responses if r.status_code != 302]
    assert len(taken) == 1, [r.status_code for r in responses]
    assert taken[0]["Location"] == reverse("training:result", args=[sitting.pk])
    assert len(refused) == SENDERS - 1
    for response in refused:
        assert response.status_code < 500
        body = response.content.decode()
        assert str(errors.SITTING_FINISHED) in body or str(errors.ALREADY_ANSWERED) in body
    # and the attempt, the module and the course were completed once
    sitting.refresh_from_db()
    assert (sitting.complete, sitting.sequence, sitting.score, sitting.passed) == (
        True,
        2,
        2,
        True,
    )
    assert Sitting.objects.filter(user=participant).count() == 1
    assert ModuleProgress.objects.get(enrollment=enrollment, module=module).completed_at
    completed_at = Enrollment.objects.get(pk=enrollment.pk).completed_at
    assert completed_at is not None
    # and the worker issued exactly one certificate and sent one email
    wait_for(lambda: Certificate.objects.filter(enrollment=enrollment).exists(), timeout=30)
    wait_for(lambda: len(mail.outbox) == 1, timeout=30)
    wait_for(idle_broker, timeout=30)
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert [m.to for m in mail.outbox] == [["teilnehmerin@example.org"]]
    assert Enrollment.objects.get(pk=enrollment.pk).completed_at == completed_at
