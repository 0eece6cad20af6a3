from audit.models import AuditEntry


def audit_entries(*, action: str = ""):
    entries = AuditEntry.objects.select_related("actor", "subject")
    if action:
        entries = entries.filter(action=action)
    return entries
