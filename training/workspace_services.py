"""Writes of the trainer workspace: enrolling and unenrolling one person, invitations, and the
import/export jobs. Each function runs in one transaction; side effects (emails, tasks) are
queued after the commit.

Error messages are module constants (German) that views show and tests reuse.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.sso.selectors import asserted_organisation_unit, external_identities
from audit.models import AuditAction
from audit.services import record_audit
from training import exports, imports
from training.models import Cohort, Enrollment, EnrollmentEvent, OrganisationUnit, WorkspaceJob

logger = logging.getLogger(__name__)

ENROLL_EMAIL_INVALID = _("Bitte geben Sie eine gültige E-Mail-Adresse an.")
ENROLL_NAME_MISSING = _("Für ein neues Konto sind Vor- und Nachname nötig.")
ENROLL_EMAIL_AMBIGUOUS = _(
    "Mehrere Konten haben diese E-Mail-Adresse; bitte wenden Sie sich an die Kursleitung."
)
ENROLL_ALREADY_ENROLLED = _("Diese Person ist bereits in dieser Kursdurchführung eingeschrieben.")
ENROLL_OTHER_COHORT = _(
    "Diese Person ist bereits in der Kursdurchführung «%(cohort)s» eingeschrieben."
)
UNENROLL_ALREADY = _("Diese Person ist bereits ausgetragen.")
INVITATION_NOT_NEEDED = _(
    "Diese Person hat ihr Passwort bereits gesetzt; eine Einladung ist nicht nötig."
)
INVITATION_UNENROLLED = _("Ausgetragene Personen erhalten keine Einladung.")
JOB_NOT_CONFIRMABLE = _("Dieser Import kann nicht (mehr) ausgeführt werden.")
JOB_FAILED_UNEXPECTEDLY = _(
    "Unerwarteter Fehler bei der Verarbeitung (%(error)s). Es wurde nichts geändert; bitte "
    "versuchen Sie es erneut oder wenden Sie sich an den Betrieb."
)
EXPORT_FORMAT_UNKNOWN = _("Unbekanntes Exportformat.")

# Work of this size or less runs in the request; more goes to a Celery worker (a few seconds).
INLINE_MAX_ROWS = 300
# A job still "running" after this long lost its worker; a redelivered message may restart it.
STALE_AFTER = timedelta(minutes=15)


# --- One person -----------------------------------------------------------------------------


@transaction.atomic
def enroll_participant(
    *,
    cohort: Cohort,
    email: str,
    first_name: str = "",
    last_name: str = "",
    unit_name: str = "",
    actor,
) -> Enrollment:
    """Enrolls one person (creating an account with an open invitation if needed).

    A person unenrolled earlier from this course is enrolled again with their history; a person
    enrolled in another cohort of the course is refused. Invites new accounts after commit.
    """
    email = " ".join(email.split()).lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(ENROLL_EMAIL_INVALID) from exc
    User = get_user_model()
    users = list(User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))[:2])
    if len(users) > 1:
        raise ValidationError(ENROLL_EMAIL_AMBIGUOUS)
    if users:
        user = users[0]
        # Without a unit given, the one the person's organisation login asserted (accounts.sso).
        unit_name = unit_name or asserted_organisation_unit(user)
    else:
        if not (first_name.strip() and last_name.strip()):
            raise ValidationError(ENROLL_NAME_MISSING)
        user = User(
            username=email,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            password=make_password(None),
        )
        user.full_clean()
        user.save()
    unit = _unit(cohort, unit_name)

    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(user=user, course_id=cohort.course_id)
        .select_related("cohort")
        .first()
    )
    if enrollment is None:
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    user=user, course_id=cohort.course_id, cohort=cohort, organisation_unit=unit
                )
        except IntegrityError as exc:  # enrolled by someone else a moment ago
            raise ValidationError(ENROLL_ALREADY_ENROLLED) from exc
        action = EnrollmentEvent.Action.ENROLLED
    elif enrollment.unenrolled_at is None:
        if enrollment.cohort_id == cohort.pk:
            raise ValidationError(ENROLL_ALREADY_ENROLLED)
        other = enrollment.cohort.name if enrollment.cohort else "—"
        raise ValidationError(ENROLL_OTHER_COHORT % {"cohort": other})
    else:
        enrollment.unenrolled_at = None
        enrollment.cohort = cohort
        enrollment.organisation_unit = unit or enrollment.organisation_unit
        enrollment.save(update_fields=["unenrolled_at", "cohort", "organisation_unit"])
        action = EnrollmentEvent.Action.REENROLLED
    EnrollmentEvent.objects.create(enrollment=enrollment, action=action, actor=actor)
    # People who log in through their organisation set no password here: no invitation to.
    if not user.has_usable_password() and not external_identities(user).exists():
        imports.queue_invitations([enrollment.pk], actor_id=actor.pk)
    return enrollment


def _unit(cohort: Cohort, name: str) -> OrganisationUnit | None:
    name = " ".join(name.split())
    if not name:
        return None
    unit = OrganisationUnit.objects.filter(organisation=cohort.organisation, name__iexact=name)
    return unit.first() or OrganisationUnit.objects.create(
        organisation=cohort.organisation, name=name
    )


@transaction.atomic
def unenroll_participant(*, enrollment: Enrollment, actor) -> Enrollment:
    """Marks the enrollment as unenrolled. Progress, sittings and certificate stay untouched."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.unenrolled_at is not None:
        raise ValidationError(UNENROLL_ALREADY)
    enrollment.unenrolled_at = timezone.now()
    enrollment.save(update_fields=["unenrolled_at"])
    EnrollmentEvent.objects.create(
        enrollment=enrollment, action=EnrollmentEvent.Action.UNENROLLED, actor=actor
    )
    return enrollment


@transaction.atomic
def resend_invitation(*, enrollment: Enrollment, actor) -> None:
    """Queues a fresh invitation link (the old one stays valid until it expires or is used)."""
    enrollment = Enrollment.objects.select_related("user").get(pk=enrollment.pk)
    if enrollment.unenrolled_at is not None:
        raise ValidationError(INVITATION_UNENROLLED)
    if enrollment.user.has_usable_password():
        raise ValidationError(INVITATION_NOT_NEEDED)
    imports.queue_invitations([enrollment.pk], actor_id=actor.pk)


def send_invitations(*, enrollment_ids: list[int], actor_id: int | None = None) -> int:
    """Mails an invitation to each still-invited, enrolled person; records each as an event.

    Safe to repeat: people who set their password meanwhile are skipped.
    """
    from training.invitations import send_invitation_email

    sent = 0
    for enrollment in Enrollment.objects.filter(
        pk__in=enrollment_ids, unenrolled_at__isnull=True
    ).select_related("user", "cohort", "course"):
        if enrollment.user.has_usable_password() or not enrollment.user.email:
            continue
        send_invitation_email(enrollment=enrollment)
        EnrollmentEvent.objects.create(
            enrollment=enrollment, action=EnrollmentEvent.Action.INVITED, actor_id=actor_id
        )
        sent += 1
    return sent


# --- Jobs: progress -------------------------------------------------------------------------


def _progress_key(job_id: int) -> str:
    return f"training:job:{job_id}:progress"


def report_progress(job_id: int, done: int, total: int) -> None:
    # The cache, not the job row: an import writes in one transaction that other connections
    # cannot see into until it commits.
    cache.set(_progress_key(job_id), (done, total), timeout=60 * 60 * 24)


def job_progress(job: WorkspaceJob) -> tuple[int, int]:
    if job.status in (WorkspaceJob.Status.DONE, WorkspaceJob.Status.PREVIEW):
        total = job.result.get("total") or 1
        return total, total
    done, total = cache.get(_progress_key(job.pk)) or (0, job.result.get("total") or 0)
    return done, total


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
            _enqueue(job)
    if inline:
        run_job(job_id=job.pk)
        job.refresh_from_db()
    return job


def _run_import(job: WorkspaceJob) -> dict:
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
            raise imports.ImportRejected(imports.IMPORT_CHANGED % {"details": details[:500]})
        summary = imports.write_import(
            preview=preview,
            actor=actor,
            progress=lambda done, total: report_progress(job.pk, done, total),
        )
    return {**job.result, "summary": summary}


# --- Jobs: exports --------------------------------------------------------------------------


def export_table(*, job_kind: str, cohort: Cohort, params: dict):
    if job_kind == WorkspaceJob.Kind.PARTICIPANTS_EXPORT:
        return exports.participants_table(cohort=cohort)
    return exports.report_table(
        cohort=cohort,
        section_id=params.get("section"),
        status=params.get("status"),
        unit_id=params.get("unit"),
    )


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
        _enqueue(job)
    return job


def _run_export(job: WorkspaceJob) -> dict:
    table = export_table(job_kind=job.kind, cohort=job.cohort, params=job.params)
    report_progress(job.pk, 0, table.total)
    with exports.xlsx_tempfile(
        table, progress=lambda done, total: report_progress(job.pk, done, total)
    ) as handle:
        job.result_file.save(f"{table.filename}.xlsx", File(handle), save=False)
    return {"total": table.total, "filename": f"{table.filename}.xlsx"}


# --- Jobs: running --------------------------------------------------------------------------


def _enqueue(job: WorkspaceJob) -> None:
    from training.tasks import run_workspace_job

    run_workspace_job.delay_on_commit(job.pk)


def run_job(*, job_id: int) -> None:
    """Runs a queued job once: claims it under a row lock, does the work, records the outcome.

    Idempotent: a job that is done, failed or being run by a live worker is left alone; one
    whose worker died (running longer than ``STALE_AFTER``) is taken over. Failures are recorded
    on the job with their reason rather than raised, so they are not retried blindly.
    """
    with transaction.atomic():
        job = WorkspaceJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return
        stale = job.status == WorkspaceJob.Status.RUNNING and (
            job.started_at is None or job.started_at < timezone.now() - STALE_AFTER
        )
        if job.status != WorkspaceJob.Status.QUEUED and not stale:
            return
        job.status = WorkspaceJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    job = WorkspaceJob.objects.select_related("cohort__course", "created_by").get(pk=job_id)
    try:
        if job.kind == WorkspaceJob.Kind.IMPORT:
            result = _run_import(job)
        else:
            result = _run_export(job)
    except (imports.ImportFileError, imports.ImportRejected) as exc:
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
    cache.delete(_progress_key(job.pk))


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
