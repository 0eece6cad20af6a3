"""The trainer workspace's own rows: background jobs of imports and exports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkspaceJob(models.Model):
    """A participant import or a report export, run in the request or by a Celery worker.

    An import is validated first (status *preview*, nothing written); confirming it queues the
    import itself. Progress while running lives in the cache (see workspace.jobs).
    """

    class Kind(models.TextChoices):
        IMPORT = "import", _("Import von Teilnehmenden")
        REPORT_EXPORT = "report_export", _("Export des Berichts")
        PARTICIPANTS_EXPORT = "participants_export", _("Export der Teilnehmendenliste")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Wartet")
        RUNNING = "running", _("Läuft")
        PREVIEW = "preview", _("Vorschau bereit")
        DONE = "done", _("Fertig")
        FAILED = "failed", _("Fehlgeschlagen")

    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    cohort = models.ForeignKey(
        "training.Cohort",
        on_delete=models.CASCADE,
        related_name="workspace_jobs",
        verbose_name=_("Kurs"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_jobs"
    )
    params = models.JSONField(default=dict, blank=True)
    upload = models.FileField(upload_to="arbeitsbereich/importe/", blank=True, max_length=255)
    upload_name = models.CharField(max_length=255, blank=True)
    result_file = models.FileField(upload_to="arbeitsbereich/exporte/", blank=True, max_length=255)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("Grund"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had in the training app (moved without copying rows).
        db_table = "training_workspacejob"
        verbose_name = _("Import/Export-Auftrag")
        verbose_name_plural = _("Import/Export-Aufträge")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
