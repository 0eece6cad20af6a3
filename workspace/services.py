"""Writes of the trainer workspace: starting and confirming import and export jobs (enrolling one
person is training.services'). Each function runs in one transaction; side effects (emails, tasks)
are queued after the commit. Tasks are queued only from here (and by the job task, which hands an
import's invitations on to the invitation task); the work the tasks do lives in
workspace.runner.

Error messages are module constants (German) that views show and tests reuse.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction
from audit.services import record_audit
from training.models import Cohort
from training.tasks import queue_invitations
from workspace import imports, runner
from workspace.models import WorkspaceJob
from workspace.tasks import run_workspace_job

JOB_NOT_CONFIRMABLE = _("Dieser Import kann nicht (mehr) ausgeführt werden.")
EXPORT_FORMAT_UNKNOWN = _("Unbekanntes Exportformat.")

# Work of this size or less runs in the request; more goes to a Celery worker (a few seconds).
INLINE_MAX_ROWS = 300


# --- Jobs: imports --------------------------------------------------------------------------


def start_import(*, cohort: Cohort, upload, actor) -> WorkspaceJob:
    """Stores the uploaded file and checks every row (nothing is imported yet).

    Returns the job in status *preview* (rows and their problems in ``job.result``). Raises
    ``imports.ImportFileError`` when the file as a whole cannot be read; then nothing is stored.
    """
    content = upload.read(imports.IMPORT_MAX_BYTES + 1)
    rows = imports.read_table(content, upload.name)
    preview = imports.check_rows(rows, default_cohort=cohort, actor=actor)
    with transaction.atomic():
        job = WorkspaceJob(
            kind=WorkspaceJob.Kind.IMPORT,
            cohort=cohort,
            created_by=actor,
            status=WorkspaceJob.Status.PREVIEW,
            upload_name=upload.name[:255],
            result={**preview.as_json(), "total": len(rows)},
        )
        job.upload.save(_safe_upload_name(upload.name), ContentFile(content), save=False)
        job.full_clean()
        job.save()
    return job


def _safe_upload_name(name: str) -> str:
    return "teilnehmende.xlsx" if name.lower().endswith(".xlsx") else "teilnehmende.csv"


def confirm_import(*, job: WorkspaceJob, actor) -> WorkspaceJob:
    """Queues a previewed import. Small imports run at once; larger ones on a worker."""
    with transaction.atomic():
        job = WorkspaceJob.objects.select_for_update().get(pk=job.pk)
        preview = imports.preview_from_json(job.result)
        if (
            job.kind != WorkspaceJob.Kind.IMPORT
            or job.status != WorkspaceJob.Status.PREVIEW
            or not preview.can_import
        ):
            raise ValidationError(JOB_NOT_CONFIRMABLE)
        job.status = WorkspaceJob.Status.QUEUED
        job.confirmed_at = timezone.now()
        job.save(update_fields=["status", "confirmed_at"])
        inline = preview.to_import <= INLINE_MAX_ROWS
        if not inline:
            run_workspace_job.delay_on_commit(job.pk)
    if inline:
        invitations = runner.run_job(job_id=job.pk)
        queue_invitations(invitations.enrollment_ids, actor_id=invitations.actor_id)
        job.refresh_from_db()
    return job


# --- Jobs: exports --------------------------------------------------------------------------


EXPORT_KINDS = (WorkspaceJob.Kind.REPORT_EXPORT, WorkspaceJob.Kind.PARTICIPANTS_EXPORT)


def record_export(
    *, cohort: Cohort, kind: str, fmt: str, params: dict, actor, job: WorkspaceJob | None = None
) -> None:
    """Writes to the audit log that ``actor`` exported the cohort's report or participant list
    (``kind`` as a job's kind, ``fmt`` "csv" or "xlsx", ``params`` the filters applied)."""
    if kind not in EXPORT_KINDS:
        raise ValidationError(EXPORT_FORMAT_UNKNOWN)
    details = {"kind": str(kind), "format": fmt, "params": params}
    if job is not None:
        details["job"] = job.pk
    record_audit(actor=actor, action=AuditAction.REPORT_EXPORTED, target=cohort, details=details)


def start_export(*, cohort: Cohort, kind: str, params: dict, actor) -> WorkspaceJob:
    """Queues an XLSX export on a worker; the job page offers the file when it is done. The
    export is audited as it is created (in the same transaction)."""
    if kind not in EXPORT_KINDS:
        raise ValidationError(EXPORT_FORMAT_UNKNOWN)
    with transaction.atomic():
        job = WorkspaceJob.objects.create(
            kind=kind, cohort=cohort, created_by=actor, params=params, result={}
        )
        record_export(cohort=cohort, kind=kind, fmt="xlsx", params=params, actor=actor, job=job)
        run_workspace_job.delay_on_commit(job.pk)
    return job
