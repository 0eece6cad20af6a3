"""Erasure sends a voiding statement for each of the person's statements; the outbox forgets
them (see core/privacy.py)."""

from django.utils.translation import gettext_lazy as _

from core import privacy
from training.xapi import services
from training.xapi.models import Actor, Statement


def _export(user) -> list[dict]:
    actor = Actor.objects.filter(user=user).first()
    if actor is None:
        return []
    return [
        {
            "pseudonym": str(actor.key),
            "statement_id": str(row.statement_id),
            "verb": row.payload.get("verb", {}).get("id"),
            "object": row.payload.get("object", {}).get("id"),
            "created_at": row.created_at.isoformat(),
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        }
        for row in Statement.objects.filter(actor=actor).order_by("pk")
    ]


privacy.register(
    Actor,
    title=_("Lernnachweise (xAPI)"),
    policy=(
        "Für jede an den Lernnachweis-Speicher (LRS) gesendete Aussage wird eine "
        "Ungültigkeitserklärung (voiding) gesendet; Pseudonym und Warteschlange werden gelöscht."
    ),
    export=_export,
    erase=services.forget_person,
)
