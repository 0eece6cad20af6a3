from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from core import privacy


def _anonymise_entries_about(user) -> None:
    # The entry keeps that a trainer acted, and when; it no longer says about whom.
    AuditEntry.objects.filter(subject=user).update(subject=None, details={})


privacy.register(
    AuditEntry,
    title=_("Wer Ihre Daten angesehen oder bearbeitet hat"),
    policy=(
        "Einträge über die Person verlieren den Bezug zu ihr und ihre Einzelheiten; Einträge "
        "über ihr eigenes Handeln als Trainer:in bleiben beim anonymisierten Konto."
    ),
    export=privacy.rows(
        "subject",
        ["created_at", "action", "actor__username", "target_type", "target_id"],
        model=AuditEntry,
    ),
    erase=_anonymise_entries_about,
)
