"""The xAPI profile of this platform: verbs, activity types, extensions, and the statements
built from them. Pure functions; ids are stable URLs of this deployment."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

VERBS = {
    "experienced": ("http://adlnet.gov/expapi/verbs/experienced", "gelesen", "experienced"),
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "abgeschlossen", "completed"),
    "attempted": ("http://adlnet.gov/expapi/verbs/attempted", "begonnen", "attempted"),
    "answered": ("http://adlnet.gov/expapi/verbs/answered", "beantwortet", "answered"),
    "passed": ("http://adlnet.gov/expapi/verbs/passed", "bestanden", "passed"),
    "failed": ("http://adlnet.gov/expapi/verbs/failed", "nicht bestanden", "failed"),
    "earned": ("http://id.tincanapi.com/verb/earned", "erhalten", "earned"),
    "voided": ("http://adlnet.gov/expapi/verbs/voided", "für ungültig erklärt", "voided"),
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "certificate": "https://w3id.org/xapi/tla/activity-types/credential",
}
INTERACTION_TYPES = {
    "single_choice": "choice",
    "multiple_choice": "choice",
    "true_false": "true-false",
    "essay": "long-fill-in",
}
PLATFORM = "Bürgerservice-Akademie"


def activity_id(base: str, kind: str, *parts) -> str:
    """``<base>/xapi/activities/<kind>/<id>[/<id>…]``: stable as long as the rows live."""
    return "/".join([base.rstrip("/"), "xapi", "activities", kind, *(str(p) for p in parts)])


def extension(base: str, name: str) -> str:
    return f"{base.rstrip('/')}/xapi/extensions/{name}"


def agent(base: str, key) -> dict:
    """The pseudonymous actor: an account on this platform with an opaque name."""
    return {"objectType": "Agent", "account": {"homePage": base.rstrip("/"), "name": str(key)}}


def verb(name: str) -> dict:
    iri, german, english = VERBS[name]
    return {"id": iri, "display": {"de-DE": german, "en-US": english}}


def activity(base: str, kind: str, *parts, interaction: str | None = None) -> dict:
    definition = {"type": ACTIVITY_TYPES[kind]}
    if interaction:
        definition["interactionType"] = interaction
    return {
        "objectType": "Activity",
        "id": activity_id(base, kind, *parts),
        "definition": definition,
    }


def score(raw: Decimal, maximum: Decimal) -> dict:
    raw_f = float(Decimal(raw).quantize(Decimal("0.01")))
    max_f = float(Decimal(maximum).quantize(Decimal("0.01")))
    scaled = round(raw_f / max_f, 4) if max_f else 0.0
    return {"raw": raw_f, "min": 0.0, "max": max_f, "scaled": min(max(scaled, 0.0), 1.0)}


def statement(
    *,
    statement_id,
    base: str,
    actor_key,
    verb_name: str,
    obj: dict,
    timestamp: datetime,
    result: dict | None = None,
    parents: list[dict] | None = None,
    grouping: list[dict] | None = None,
    extensions: dict | None = None,
) -> dict:
    context: dict = {"platform": PLATFORM, "language": "de-DE"}
    activities = {}
    if parents:
        activities["parent"] = [{"id": p["id"], "objectType": "Activity"} for p in parents]
    if grouping:
        activities["grouping"] = [{"id": g["id"], "objectType": "Activity"} for g in grouping]
    if activities:
        context["contextActivities"] = activities
    if extensions:
        context["extensions"] = extensions
    out = {
        "id": str(statement_id),
        "actor": agent(base, actor_key),
        "verb": verb(verb_name),
        "object": obj,
        "context": context,
        "timestamp": timestamp.isoformat(),
    }
    if result is not None:
        out["result"] = result
    return out


def voiding(*, statement_id, base: str, system_key, target_id, timestamp: datetime) -> dict:
    return {
        "id": str(statement_id),
        "actor": agent(base, system_key),
        "verb": verb("voided"),
        "object": {"objectType": "StatementRef", "id": str(target_id)},
        "timestamp": timestamp.isoformat(),
    }
