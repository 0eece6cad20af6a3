"""Recording who saw or changed participants' data. Other apps call ``record_audit``."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction

from audit.models import AuditAction, AuditEntry

UNKNOWN_ACTION = "Unbekannte Protokollaktion: %(action)s"


@transaction.atomic
def record_audit(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    subject=None,
    details: dict | None = None,
) -> AuditEntry:
    """Appends one entry to the audit log, in the caller's transaction (so a rolled-back action
    leaves no entry).

    ``actor`` is the logged-in user who acted (``None`` for the system). ``target`` is the row
    seen or changed; ``subject`` the participant it concerns, taken from ``target`` when
    ``target`` is a user or has a ``user`` attribute. ``details`` must be JSON-serialisable and
    should hold ids and reasons, not names (the entry outlives the participant's account).
    """
    if action not in AuditAction.values:
        raise ValidationError(UNKNOWN_ACTION, params={"action": action})
    User = get_user_model()
    if subject is None and target is not None:
        subject = target if isinstance(target, User) else getattr(target, "user", None)
        if not isinstance(subject, User):
            subject = None
    entry = AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        subject=subject,
        details=details or {},
    )
    entry.full_clean()
    entry.save()
    return entry


def purge_audit_entries(*, before) -> int:
    """Deletes entries older than ``before`` (the log's retention period has passed)."""
    deleted, _ = AuditEntry.objects.filter(created_at__lt=before).delete()
    return deleted
