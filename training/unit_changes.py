"""A change of organisation unit that the person's organisation login asserts, applied to their
enrollments (``accounts.sso`` calls ``follow_asserted_unit`` through the callback that
``training.apps`` registers)."""

from audit.models import AuditAction
from audit.services import record_audit
from training.models import Enrollment
from training.services import unit_named


def follow_asserted_unit(*, user, old_unit: str, new_unit: str) -> list[int]:
    """The person's organisation login asserted a new unit (``accounts.sso`` calls this inside
    the login's transaction): their current enrollments whose unit came from the provider (no
    unit, or the one asserted before) move to the new unit of the cohort's organisation,
    completed ones too (unit leads see their current staff); a unit a trainer chose otherwise
    stays, as does every unit when the provider stops sending one. Audited per enrollment;
    returns the ids of the moved enrollments."""
    if not " ".join(new_unit.split()):
        return []
    old_name = " ".join(old_unit.split()).lower()
    moved = []
    enrollments = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(user=user, unenrolled_at__isnull=True)
        .select_related("cohort", "organisation_unit")
        .order_by("pk")
    )
    for enrollment in enrollments:
        current = enrollment.organisation_unit
        if current is not None and current.name.lower() != old_name:
            continue
        unit = unit_named(enrollment.cohort, new_unit)
        if current is not None and unit.pk == current.pk:
            continue
        enrollment.organisation_unit = unit
        enrollment.save(update_fields=["organisation_unit"])
        record_audit(
            actor=None,
            action=AuditAction.SSO_MAPPING_CHANGED,
            target=enrollment,
            details={
                "organisation_unit": {"from": current.name if current else "", "to": unit.name}
            },
        )
        moved.append(enrollment.pk)
    return moved
