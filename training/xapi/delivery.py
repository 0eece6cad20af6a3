"""Delivering the outbox to the LRS: each person's statements in the order they were written,
one at a time, by ``PUT`` with their statement id (the tasks call this; ``services`` writes)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from training.xapi.models import Actor, Statement

DELIVERED_STATUSES = {200, 204}
# The LRS already holds a statement with this id: stored by an earlier delivery whose
# acknowledgement we lost. Statement ids are ours and unique, so it is this statement.
ALREADY_STORED = 409
TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    """The LRS did not take the statement; it stays in the outbox."""


def enabled() -> bool:
    return bool(getattr(settings, "XAPI_LRS_ENDPOINT", ""))


def _headers() -> dict:
    key = getattr(settings, "XAPI_LRS_KEY", "")
    secret = getattr(settings, "XAPI_LRS_SECRET", "")
    headers = {
        "Content-Type": "application/json",
        "X-Experience-API-Version": getattr(settings, "XAPI_VERSION", "1.0.3") or "1.0.3",
    }
    if key or secret:
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return headers


def put_statement(payload: dict) -> int:
    """PUTs one statement; returns the HTTP status. Raises :class:`DeliveryFailed`."""
    endpoint = settings.XAPI_LRS_ENDPOINT.rstrip("/")
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise DeliveryFailed("XAPI_LRS_ENDPOINT must be an http(s) URL")
    url = f"{endpoint}/statements?" + urllib.parse.urlencode({"statementId": payload["id"]})
    body = json.dumps(payload).encode()
    request = urllib.request.Request(url, data=body, method="PUT", headers=_headers())  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
        if status != ALREADY_STORED:
            detail = error.read(300).decode("utf-8", "replace")
            raise DeliveryFailed(f"LRS answered {status}: {detail}") from error
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryFailed(f"LRS not reachable: {error}") from error
    if status not in DELIVERED_STATUSES and status != ALREADY_STORED:
        raise DeliveryFailed(f"LRS answered {status}")
    return status


def deliver_pending(*, actor_id: int, limit: int = 100) -> int:
    """Delivers the actor's unsent statements in order and returns how many were sent.

    Locks the actor row for the run, so two workers never interleave one person's statements
    and an erasure waits for a delivery in flight. Stops at the first failure, records it on
    the row and raises :class:`DeliveryFailed` (later statements wait for the earlier one)."""
    if not enabled():
        return 0
    sent = 0
    failure: DeliveryFailed | None = None
    with transaction.atomic():
        actor = Actor.objects.select_for_update().filter(pk=actor_id).first()
        if actor is None:  # erased meanwhile: nothing of theirs is left to send
            return 0
        rows = actor.statements.filter(sent_at__isnull=True).order_by("pk")[:limit]
        for row in rows:
            try:
                put_statement(row.payload)
            except DeliveryFailed as error:
                Statement.objects.filter(pk=row.pk).update(
                    attempts=F("attempts") + 1, last_error=str(error)[:500]
                )
                failure = error
                break
            Statement.objects.filter(pk=row.pk).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
            sent += 1
    if failure is not None:
        raise failure
    return sent


def actors_with_pending() -> list[int]:
    return list(
        Statement.objects.filter(sent_at__isnull=True)
        .values_list("actor_id", flat=True)
        .distinct()
        .order_by("actor_id")
    )
