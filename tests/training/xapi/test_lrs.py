"""Statements reach a real LRS (Ralph on loopback) and are read back from its API.

What was tested, given the file-system backend's one write per data file (see conftest): the
worker test delivers one statement; the others deliver one statement per call and move the
data file aside in between, which exercises order, PUT by statement id, retries after an
unreachable LRS and voiding on erasure against Ralph's own validation and storage.
"""

import json

import pytest
from django.db import transaction

from tests.conftest import wait_for
from tests.factories import UserFactory, enroll, make_course, make_quiz, place_quiz
from training import services as training_services
from training.xapi import services as xapi
from training.xapi.models import Actor, Statement


def _participant_with_quiz_module():
    course, _section, (module, _plain) = make_course(modules=2)
    module = place_quiz(module, make_quiz())
    user = UserFactory(username="lernende", email="lernende@example.org", first_name="Erika")
    enroll(user, course)
    return user, course, module


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_module_read_reaches_ralph_through_the_worker(
    restorable_database, django_db_serialized_rollback, ralph, celery_worker
):
    # given a participant and a module with a quiz (reading it does not complete it)
    user, course, module = _participant_with_quiz_module()
    # when they mark the module read
    training_services.mark_module_read(user=user, module_id=module.pk)
    # then the worker delivers the statement «experienced»
    row = Statement.objects.get()
    wait_for(lambda: Statement.objects.filter(pk=row.pk, sent_at__isnull=False).exists())
    stored = ralph.statement(row.statement_id)
    # and Ralph holds exactly what the outbox held
    for key in ("id", "actor", "verb", "object", "context"):
        assert stored[key] == row.payload[key]
    assert stored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert (
        stored["object"]["id"] == f"https://akademie.example.org/xapi/activities/module/{module.pk}"
    )
    # and the actor is a pseudonymous account: no email, no name, no username anywhere
    actor = Actor.objects.get(user=user)
    assert stored["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://akademie.example.org", "name": str(actor.key)},
    }
    everything = json.dumps(ralph.statements())
    for personal in ("lernende", "Erika", 'example.org"', str(user.pk) + '"'):
        assert personal not in everything.replace("akademie.example.org", "")


@pytest.mark.django_db
def test_statements_arrive_in_order_and_a_repeated_put_stores_nothing_twice(ralph):
    # given three statements of one person in the outbox
    user = UserFactory()
    with transaction.atomic():
        rows = [
            xapi.course_completed(user_id=user.pk, course_id=7),
            xapi.certificate_earned(user_id=user.pk, course_id=7),
            xapi.module_experienced(user_id=user.pk, module_id=3, course_id=7),
        ]
    actor = Actor.objects.get(user=user)
    # when they are delivered one per call
    for _ in rows:
        assert xapi.deliver_pending(actor_id=actor.pk, limit=1) == 1
        ralph.rotate()
    # then Ralph stored them in the order they were written
    stored = [s for s in ralph.statements() if s["actor"]["account"]["name"] == str(actor.key)]
    by_time = sorted(stored, key=lambda s: s["stored"])
    assert [s["id"] for s in by_time] == [str(r.statement_id) for r in rows]
    # when an acknowledgement was lost and the first statement is delivered again
    Statement.objects.filter(pk=rows[0].pk).update(sent_at=None)
    assert xapi.deliver_pending(actor_id=actor.pk) == 1
    # then the LRS still holds it once
    again = [s for s in ralph.statements() if s["id"] == str(rows[0].statement_id)]
    assert len(again) == 1


@pytest.mark.django_db
def test_an_unreachable_lrs_only_delays_delivery(ralph, settings):
    # given an LRS that cannot be reached when the statement is written
    user = UserFactory()
    real_endpoint = settings.XAPI_LRS_ENDPOINT
    settings.XAPI_LRS_ENDPOINT = "http://127.0.0.1:9/xAPI"
    with transaction.atomic():
        row = xapi.course_completed(user_id=user.pk, course_id=1)
    # when delivery runs
    with pytest.raises(xapi.DeliveryFailed):
        xapi.deliver_pending(actor_id=row.actor_id)
    # then the statement waits in the outbox, with the failure noted
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 1 and "not reachable" in row.last_error
    # when the LRS is back
    settings.XAPI_LRS_ENDPOINT = real_endpoint
    assert xapi.deliver_pending(actor_id=row.actor_id) == 1
    # then it arrives unchanged
    assert ralph.statement(row.statement_id)["id"] == str(row.statement_id)


@pytest.mark.django_db
def test_erasure_voids_every_statement_and_the_outbox_forgets_the_person(ralph):
    # given a person with one delivered and one pending statement
    from accounts.services import erase_account

    user = UserFactory()
    with transaction.atomic():
        delivered = xapi.module_experienced(user_id=user.pk, module_id=1, course_id=2)
    xapi.deliver_pending(actor_id=delivered.actor_id)
    ralph.rotate()
    with transaction.atomic():
        pending = xapi.module_completed(user_id=user.pk, module_id=1, course_id=2)
    # when the account is erased
    erase_account(user=user, actor=None)
    # then nothing of theirs is left in the outbox
    assert not Actor.objects.filter(user=user).exists()
    assert not Statement.objects.filter(
        statement_id__in=[delivered.statement_id, pending.statement_id]
    ).exists()
    # and a voiding statement waits for each of their statements
    system = xapi.system_actor()
    voids = list(Statement.objects.filter(actor=system).order_by("pk"))
    assert [v.payload["object"]["id"] for v in voids] == [
        str(delivered.statement_id),
        str(pending.statement_id),
    ]
    # when they are delivered
    for _ in voids:
        xapi.deliver_pending(actor_id=system.pk, limit=1)
        ralph.rotate()
    # then Ralph holds the voiding statements, by the platform, naming only statement ids
    for void in voids:
        stored = ralph.statement(void.statement_id)
        assert stored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"
        assert stored["object"] == {
            "objectType": "StatementRef",
            "id": void.payload["object"]["id"],
        }
        assert stored["actor"]["account"]["name"] == str(xapi.SYSTEM_KEY)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_beat_task_delivers_a_statement_whose_message_was_lost(
    restorable_database, django_db_serialized_rollback, ralph, celery_worker
):
    import uuid

    from django.utils import timezone

    from training.xapi import statements as profile
    from training.xapi.tasks import deliver_pending_statements

    # given a statement in the outbox whose delivery message never reached the broker
    actor = Actor.objects.create(user=UserFactory())
    statement_id = uuid.uuid4()
    row = Statement.objects.create(
        statement_id=statement_id,
        actor=actor,
        payload=profile.statement(
            statement_id=statement_id,
            base=xapi.base_url(),
            actor_key=actor.key,
            verb_name="experienced",
            obj=profile.activity(xapi.base_url(), "module", 5),
            timestamp=timezone.now(),
        ),
    )
    # when the beat task runs
    deliver_pending_statements.delay()
    # then the worker delivers it, and Ralph holds it
    wait_for(lambda: Statement.objects.filter(pk=row.pk, sent_at__isnull=False).exists())
    assert ralph.statement(statement_id)["actor"]["account"]["name"] == str(actor.key)
