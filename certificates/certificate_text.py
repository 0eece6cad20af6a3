"""The wording of every future certificate (the Kursleitung's setting): its fields and the audit
entry for a change."""

from audit.models import AuditAction
from audit.services import record_audit
from certificates.models import CertificateText

CERTIFICATE_TEXT_FIELDS = (
    "organisation",
    "title",
    "explanatory_text",
    "signatory_name",
    "signatory_role",
)


def certificate_text_values(text: CertificateText) -> dict:
    return {name: getattr(text, name) for name in CERTIFICATE_TEXT_FIELDS}


def record_certificate_text_change(*, actor, before: dict, text: CertificateText) -> None:
    """Records in the audit log who changed which wording of every future certificate, with the
    old and new values (they hold no personal data of participants). Nothing changed: no entry."""
    after = certificate_text_values(text)
    changed = {
        name: {"vorher": before.get(name), "nachher": value}
        for name, value in after.items()
        if before.get(name) != value
    }
    if changed:
        record_audit(
            actor=actor,
            action=AuditAction.CERTIFICATE_TEXT_CHANGED,
            target=text,
            details={"changed": changed},
        )
