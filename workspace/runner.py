"""The work of the workspace's background jobs, done by a Celery worker (workspace.tasks) or, for
small imports, in the request (workspace.services): running an import or export job once and
purging old jobs. Nothing here queues a task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training.models import Cohort
from workspace import enrolling, exports, imports
from workspace.imports import ImportFileError, ImportRejected
from workspace.jobs import forget_progress, report_progress
from workspace.models import WorkspaceJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Invitations:
    """Whom a finished job leaves to invite (an import's new accounts), and on whose behalf."""

    enrollment_ids: list[int] = field(default_factory=list)
    actor_id: int | None = None


JOB_FAILED_UNEXPECTEDLY = _(
    "Unerwarteter Fehler bei der Verarbeitung (%(error)s). Es wurde nichts geändert; bitte "
    "versuchen Sie es erneut oder wenden Sie sich an den Betrieb."
)

# A job still "running" after this long lost its worker; a redelivered message may restart it.
STALE_AFTER = timedelta(minutes=15)


def _run_import(job: WorkspaceJob) -> tuple[dict, list[int]]:
    """Checks the stored file again and writes it, all or nothing."""
    with job.upload.open("rb") as handle:
        content = handle.read()
    rows = imports.read_table(content, job.upload.name)
    actor = job.created_by
    with transaction.atomic():
        preview = imports.check_rows(rows, default_cohort=job.cohort, actor=actor)
        if preview.errors:
            details = "; ".join(
                f"{r.line}: {imports.row_message(r.problems[0])}"
                for r in preview.rows
                if r.problems
            )
            raise ImportRejected(imports.IMPORT_CHANGED % {"details": details[:500]})
        summary, invite = enrolling.write_import(
            preview=preview,
            actor=actor,
            progress=lambda done, total: report_progress(job.pk, done, total),
        )
    return {**job.result, "summary": summary}, invite


def export_table(*, job_kind: str, cohort: Cohort, params: dict):
    if job_kind == WorkspaceJob.Kind.PARTICIPANTS_EXPORT:
        return exports.participants_table(cohort=cohort)
    return exports.report_table(
        cohort=cohort,
        section_id=params.get("section"),
        status=params.get("status"),
        unit_id=params.get("unit"),
    )


def _run_export(job: WorkspaceJob) -> dict:
    table = export_table(job_kind=job.kind, cohort=job.cohort, params=job.params)
    report_progress(job.pk, 0, table.total)
    with exports.xlsx_tempfile(
        table, progress=lambda done, total: report_progress(job.pk, done, total)
    ) as handle:
        job.result_file.save(f"{table.filename}.xlsx", File(handle), save=False)
    return {"total": table.total, "filename": f"{table.filename}.xlsx"}


def run_job(*, job_id: int) -> Invitations:
    """Runs a queued job once: claims it under a row lock, does the work, records the outcome.

    Idempotent: a job that is done, failed or being run by a live worker is left alone; one
    whose worker died (running longer than ``STALE_AFTER``) is taken over. Failures are recorded
    on the job with their reason rather than raised, so they are not retried blindly.
    Returns whom an import leaves to invite; the caller queues the invitations.
    """
    with transaction.atomic():
        job = WorkspaceJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return Invitations()
        stale = job.status == WorkspaceJob.Status.RUNNING and (
            job.started_at is None or job.started_at < timezone.now() - STALE_AFTER
        )
        if job.status != WorkspaceJob.Status.QUEUED and not stale:
            return Invitations()
        job.status = WorkspaceJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    job = WorkspaceJob.objects.select_related("cohort__course", "created_by").get(pk=job_id)
    invite: list[int] = []
    try:
        if job.kind == WorkspaceJob.Kind.IMPORT:
            result, invite = _run_import(job)
        else:
            result = _run_export(job)
    except (ImportFileError, ImportRejected) as exc:
        _finish(job, status=WorkspaceJob.Status.FAILED, error=str(exc))
    except Exception as exc:  # recorded on the job for the trainer; logged for operations
        logger.exception("workspace job %s failed", job_id)
        _finish(
            job,
            status=WorkspaceJob.Status.FAILED,
            error=str(JOB_FAILED_UNEXPECTEDLY % {"error": type(exc).__name__}),
        )
    else:
        _finish(job, status=WorkspaceJob.Status.DONE, result=result)
    return Invitations(enrollment_ids=invite, actor_id=job.created_by_id)


def _finish(job: WorkspaceJob, *, status: str, result: dict | None = None, error: str = ""):
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    fields = ["status", "error", "finished_at", "result_file"]
    if result is not None:
        job.result = result
        fields.append("result")
    if job.kind == WorkspaceJob.Kind.IMPORT and job.upload:
        # The uploaded list holds personal data: keep it no longer than the import needs it.
        job.upload.delete(save=False)
        fields.append("upload")
    job.save(update_fields=fields)
    forget_progress(job.pk)


def purge_jobs(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Deletes jobs (and their files) older than ``older_than``; returns how many."""
    count = 0
    for job in WorkspaceJob.objects.filter(created_at__lt=timezone.now() - older_than).exclude(
        status__in=[WorkspaceJob.Status.QUEUED, WorkspaceJob.Status.RUNNING]
    ):
        if job.result_file:
            job.result_file.delete(save=False)
        if job.upload:
            job.upload.delete(save=False)
        job.delete()
        count += 1
    return count
