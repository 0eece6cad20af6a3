"""Writes a checked participant import (workspace.imports): the new accounts (through
accounts.services), enrollments and their history, all or nothing."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.invitations import create_invited_accounts
from accounts.notifications import notify_many
from training.models import Cohort, Enrollment, EnrollmentEvent, OrganisationUnit
from training.services import enrolled_notification
from workspace.imports import (
    IMPORT_CHANGED,
    IMPORT_HAS_PROBLEMS,
    IMPORT_NOTHING_TO_DO,
    ImportRejected,
    Preview,
)


def write_import(
    *, preview: Preview, actor, progress=None, chunk_size: int = 500
) -> tuple[dict, list[int]]:
    """Creates the new accounts and enrollments of a checked preview, all or nothing.

    Runs in one transaction; a unique constraint (one enrollment per person and course, one
    account per username) rejects the whole import if someone else enrolled the same people
    meanwhile. Returns the summary and the enrollments of new accounts, whom the caller invites
    (workspace.services queues the invitations; nothing here enqueues).
    """
    if preview.errors:
        raise ImportRejected(IMPORT_HAS_PROBLEMS)
    if not preview.to_import:
        raise ImportRejected(IMPORT_NOTHING_TO_DO)
    try:
        with transaction.atomic():
            return _write(preview, actor, progress, chunk_size)
    except IntegrityError as exc:
        raise ImportRejected(str(IMPORT_CHANGED) % {"details": _("gleichzeitiger Import")}) from exc


def _write(preview: Preview, actor, progress, chunk_size) -> tuple[dict, list[int]]:
    rows = [r for r in preview.rows if r.action in ("create", "enroll")]
    cohorts = Cohort.objects.in_bulk({r.cohort_id for r in rows})
    units = {}
    for row in rows:
        if row.unit:
            cohort = cohorts[row.cohort_id]
            key = (cohort.organisation, row.unit.casefold())
            if key not in units:
                units[key] = _unit(cohort.organisation, row.unit)

    total = len(rows)
    created_users = 0
    invite = []
    done = 0
    for start in range(0, total, chunk_size):
        chunk = rows[start : start + chunk_size]
        new = [r for r in chunk if r.action == "create"]
        accounts = create_invited_accounts(new)
        for row, account in zip(new, accounts, strict=True):
            row.user_id = account.pk
        created_users += len(accounts)
        enrollments = Enrollment.objects.bulk_create(
            [
                Enrollment(
                    user_id=r.user_id,
                    course_id=cohorts[r.cohort_id].course_id,
                    cohort_id=r.cohort_id,
                    organisation_unit=units.get(
                        (cohorts[r.cohort_id].organisation, r.unit.casefold())
                    ),
                )
                for r in chunk
            ]
        )
        EnrollmentEvent.objects.bulk_create(
            [
                EnrollmentEvent(enrollment=e, action=EnrollmentEvent.Action.IMPORTED, actor=actor)
                for e in enrollments
            ]
        )
        notify_many(
            enrolled_notification(e, cohorts[r.cohort_id])
            for r, e in zip(chunk, enrollments, strict=True)
        )
        invite += [e.pk for r, e in zip(chunk, enrollments, strict=True) if r.action == "create"]
        done += len(chunk)
        if progress:
            progress(done, total)
    summary = {
        "enrolled": total,
        "new_accounts": created_users,
        "skipped": preview.skipped,
        "invited": len(invite),
    }
    return summary, invite


def _unit(organisation: str, name: str) -> OrganisationUnit:
    unit = OrganisationUnit.objects.filter(organisation=organisation, name__iexact=name).first()
    return unit or OrganisationUnit.objects.create(organisation=organisation, name=name)
