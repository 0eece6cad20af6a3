"""Writing statements to the outbox (in the caller's transaction) and delivering them.

Guarantees: a statement row exists exactly when the change it describes was committed; each
person's statements reach the LRS in the order they were written, one at a time, by ``PUT``
with their statement id, so a repeated delivery cannot store a statement twice; an LRS that is
down only delays delivery (the task retries with backoff, a beat task picks up the rest).
Nothing is written when no LRS is configured.
"""

from __future__ import annotations

import functools
import logging
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from training.xapi import statements as profile
from training.xapi.delivery import (  # noqa: F401 (delivery is part of this service's API)
    DeliveryFailed,
    actors_with_pending,
    deliver_pending,
    enabled,
    put_statement,
)
from training.xapi.models import Actor, Statement
from training.xapi.tasks import deliver_statements

logger = logging.getLogger(__name__)

SYSTEM_KEY = uuid.UUID("00000000-0000-4000-8000-000000000000")


def base_url() -> str:
    return (getattr(settings, "XAPI_ACTIVITY_BASE", "") or settings.WAGTAILADMIN_BASE_URL).rstrip(
        "/"
    )


def _actor_for(user_id: int) -> Actor:
    actor = Actor.objects.filter(user_id=user_id).first()
    if actor is None:
        try:
            with transaction.atomic():
                actor = Actor.objects.create(user_id=user_id)
        except IntegrityError:
            actor = Actor.objects.get(user_id=user_id)
    return actor


def system_actor() -> Actor:
    actor, _created = Actor.objects.get_or_create(key=SYSTEM_KEY, defaults={"user": None})
    return actor


def _enqueue(actor_id: int) -> None:
    """After commit. The change that wrote a statement never fails for its delivery: an
    unreachable broker is logged and counted (``delay_or_log``); in-process mode (no broker)
    runs the task right here, and an unreachable LRS leaves the row for the beat task."""
    try:
        deliver_statements.delay_or_log(actor_id)
    except Exception:
        logger.warning("xAPI delivery for actor %s failed; the beat task retries", actor_id)


def _record(user_id, verb_name: str, obj: dict, **fields) -> Statement | None:
    if not enabled() or user_id is None:
        return None
    actor = _actor_for(user_id)
    statement_id = uuid.uuid4()
    payload = profile.statement(
        statement_id=statement_id,
        base=base_url(),
        actor_key=actor.key,
        verb_name=verb_name,
        obj=obj,
        timestamp=timezone.now(),
        **fields,
    )
    row = Statement.objects.create(statement_id=statement_id, actor=actor, payload=payload)
    transaction.on_commit(functools.partial(_enqueue, actor.pk))
    return row


# --- What the apps record -----------------------------------------------------------------


def _course(course_id):
    return profile.activity(base_url(), "course", course_id)


def _module(module_id):
    return profile.activity(base_url(), "module", module_id)


def module_experienced(*, user_id: int, module_id: int, course_id: int):
    return _record(user_id, "experienced", _module(module_id), grouping=[_course(course_id)])


def module_completed(*, user_id: int, module_id: int, course_id: int):
    return _record(
        user_id,
        "completed",
        _module(module_id),
        grouping=[_course(course_id)],
        result={"completion": True},
    )


def course_completed(*, user_id: int, course_id: int):
    return _record(user_id, "completed", _course(course_id), result={"completion": True})


def _quiz(quiz_id):
    return profile.activity(base_url(), "quiz", quiz_id)


def _attempt_extensions(attempt: int, revision_id) -> dict:
    base = base_url()
    return {
        profile.extension(base, "attempt"): attempt,
        profile.extension(base, "quiz-revision"): revision_id,
    }


def quiz_attempted(*, user_id, quiz_id, module_id, attempt: int, revision_id):
    parents = [_module(module_id)] if module_id else None
    return _record(
        user_id,
        "attempted",
        _quiz(quiz_id),
        parents=parents,
        extensions=_attempt_extensions(attempt, revision_id),
    )


def question_answered(
    *, user_id, quiz_id, question_id: str, kind: str, earned: Decimal | None, points: Decimal,
    attempt: int, revision_id,
):  # fmt: skip
    result: dict = {"completion": True}
    if earned is not None:
        result["score"] = profile.score(earned, points)
        result["success"] = earned == points
    obj = profile.activity(
        base_url(), "question", quiz_id, question_id, interaction=profile.INTERACTION_TYPES[kind]
    )
    return _record(
        user_id,
        "answered",
        obj,
        result=result,
        parents=[_quiz(quiz_id)],
        extensions=_attempt_extensions(attempt, revision_id),
    )


def quiz_finished(
    *, user_id, quiz_id, module_id, passed: bool, score: Decimal, max_score: Decimal,
    attempt: int, revision_id,
):  # fmt: skip
    parents = [_module(module_id)] if module_id else None
    return _record(
        user_id,
        "passed" if passed else "failed",
        _quiz(quiz_id),
        result={"score": profile.score(score, max_score), "success": passed, "completion": True},
        parents=parents,
        extensions=_attempt_extensions(attempt, revision_id),
    )


# One-line hooks for the quiz engine: they read attributes of a sitting (user_id, quiz_id,
# module_id, attempt_number, quiz_revision_id, passed, score, max_score) and of a question (id,
# kind, points) without importing training, so the engine can move within training freely.


def sitting_started(sitting):
    return quiz_attempted(
        user_id=sitting.user_id,
        quiz_id=sitting.quiz_id,
        module_id=sitting.module_id,
        attempt=sitting.attempt_number,
        revision_id=sitting.quiz_revision_id,
    )


def sitting_answered(sitting, question, earned: Decimal | None):
    return question_answered(
        user_id=sitting.user_id,
        quiz_id=sitting.quiz_id,
        question_id=question.id,
        kind=question.kind,
        earned=earned,
        points=question.points,
        attempt=sitting.attempt_number,
        revision_id=sitting.quiz_revision_id,
    )


def sitting_scored(sitting, was_passed):
    """«passed»/«failed» when an attempt's outcome is (newly) known; nothing while essays wait."""
    if sitting.passed is None or sitting.passed == was_passed:
        return None
    return quiz_finished(
        user_id=sitting.user_id,
        quiz_id=sitting.quiz_id,
        module_id=sitting.module_id,
        passed=sitting.passed,
        score=sitting.score,
        max_score=sitting.max_score,
        attempt=sitting.attempt_number,
        revision_id=sitting.quiz_revision_id,
    )


def certificate_earned(*, user_id: int, course_id: int):
    """The course's certificate (the credential, not the person's document: its serial and
    code would lead to the holder's name on the public verification page)."""
    obj = profile.activity(base_url(), "certificate", course_id)
    return _record(user_id, "earned", obj, grouping=[_course(course_id)])


# --- Erasure ------------------------------------------------------------------------------


def forget_person(user) -> int:
    """Voids every statement of the person (sent or not: a delivery whose acknowledgement was
    lost may have reached the LRS) and deletes their pseudonym and outbox rows. The voiding
    statements are the platform's own and name only statement ids. Returns how many."""
    actor = Actor.objects.select_for_update().filter(user=user).first()
    if actor is None:
        return 0
    ids = list(actor.statements.order_by("pk").values_list("statement_id", flat=True))
    system = system_actor()
    now = timezone.now()
    for target in ids:
        statement_id = uuid.uuid4()
        Statement.objects.create(
            statement_id=statement_id,
            actor=system,
            payload=profile.voiding(
                statement_id=statement_id,
                base=base_url(),
                system_key=system.key,
                target_id=target,
                timestamp=now,
            ),
        )
    actor.delete()
    if ids and enabled():
        transaction.on_commit(functools.partial(_enqueue, system.pk))
    return len(ids)
