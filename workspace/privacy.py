"""How the trainer workspace's per-person data is exported and erased (see core/privacy.py): a
trainer's import and export jobs, which list other people, are deleted with their files; in other
trainers' imports the person's row loses name and address."""

import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import privacy
from workspace.models import WorkspaceJob

IMPORT_DISCARDED = _(
    "Dieser Import wurde verworfen, weil das Konto einer darin aufgeführten Person gelöscht "
    "wurde. Bitte laden Sie die Liste erneut hoch."
)


def _export_jobs(user) -> list[dict]:
    # The person's own imports and exports; their results list other people and stay out.
    return list(
        WorkspaceJob.objects.filter(created_by=user)
        .order_by("pk")
        .values(
            "id",
            "kind",
            "status",
            "cohort__name",
            "upload_name",
            "created_at",
            "finished_at",
        )
    )


def _names_person(row: dict, user, keys: set[str]) -> bool:
    return row.get("user_id") == user.pk or (row.get("email") or "").lower() in keys


def _redact(value, addresses: set[str], label: str):
    """``value`` (JSON) with each of ``addresses`` replaced by ``label`` in every string."""
    if isinstance(value, str):
        for address in addresses:
            value = re.sub(re.escape(address), label, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_redact(item, addresses, label) for item in value]
    if isinstance(value, dict):
        return {key: _redact(item, addresses, label) for key, item in value.items()}
    return value


def _erase_jobs(user) -> None:
    # The person's own jobs hold lists of other people and their files: deleted.
    for job in WorkspaceJob.objects.filter(created_by=user):
        privacy.delete_file_on_commit(job.upload)
        privacy.delete_file_on_commit(job.result_file)
        job.delete()
    # Other trainers' imports that list the person (kept a week, see purge_jobs): the person's
    # row loses name and address; an import still waiting for confirmation is discarded, as
    # its stored file lists the person.
    keys = {key.lower() for key in (user.email, user.username) if key}
    addresses = {key for key in keys if "@" in key}
    label = privacy.erased_person_label()
    for job in WorkspaceJob.objects.select_for_update().filter(kind=WorkspaceJob.Kind.IMPORT):
        rows = [row for row in job.result.get("rows") or [] if _names_person(row, user, keys)]
        if not rows:
            continue
        for row in rows:
            row.update(
                first_name=label,
                last_name="",
                email="",
                user_id=None,
                problems=_redact(row.get("problems", []), addresses, label),
                notes=_redact(row.get("notes", []), addresses, label),
            )
        job.error = _redact(job.error, addresses, label)
        fields = ["result", "error"]
        if job.status in (WorkspaceJob.Status.PREVIEW, WorkspaceJob.Status.QUEUED):
            privacy.delete_file_on_commit(job.upload)
            job.upload = ""
            job.status = WorkspaceJob.Status.FAILED
            job.error = str(IMPORT_DISCARDED)
            job.finished_at = timezone.now()
            fields += ["upload", "status", "finished_at"]
        job.save(update_fields=fields)


privacy.register(
    WorkspaceJob,
    title=_("Ihre Import- und Exportaufträge"),
    policy=(
        "Aufträge der Person werden mit ihren Dateien gelöscht (sie enthalten Listen anderer "
        "Personen); in Importen anderer verliert die Zeile der Person Name und E-Mail-Adresse."
    ),
    export=_export_jobs,
    erase=_erase_jobs,
)
