"""The transfer task's row, in the training app (its label and tables), like the quiz engine's."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def attachment_upload_to(instance, filename):
    # A random name in a folder of its own: never served from the media URL, only through the
    # access-checked download view (training.transfer.views); the original name is kept apart.
    return f"privat/praxisauftraege/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class TransferTask(models.Model):
    """One participant's transfer task for one section of their course."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Eingereicht, wartet auf Rückmeldung")
        REVISION = "revision", _("Überarbeitung erbeten")
        ACCEPTED = "accepted", _("Angenommen")

    enrollment = models.ForeignKey(
        "training.Enrollment", on_delete=models.CASCADE, related_name="transfer_tasks"
    )
    section = models.ForeignKey(
        "cms.SectionPage", on_delete=models.CASCADE, related_name="+", verbose_name=_("Lernbereich")
    )
    text = models.TextField(_("Beschreibung"))
    attachment = models.FileField(
        _("Anhang"), upload_to=attachment_upload_to, blank=True, max_length=255
    )
    attachment_name = models.CharField(_("Name des Anhangs"), max_length=200, blank=True)
    status = models.CharField(_("Stand"), max_length=20, choices=Status.choices)
    # Every change (submission, review) increments it; forms carry the value they showed, so a
    # replayed or stale form changes nothing.
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(_("Eingereicht am"))
    feedback = models.TextField(_("Rückmeldung"), blank=True)
    reviewed_at = models.DateTimeField(_("Rückmeldung am"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Rückmeldung von"),
    )
    reviewer_name = models.CharField(_("Rückmeldung von"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Praxisauftrag")
        verbose_name_plural = _("Praxisaufträge")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "section"], name="one_transfer_task_per_section"
            )
        ]
        indexes = [
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(status="submitted"),
                name="transfer_task_waiting",
            )
        ]
        permissions = [("review_transfer_tasks", _("Kann Praxisaufträge beurteilen"))]

    def __str__(self):
        return f"{self.enrollment_id}/{self.section_id}: {self.status}"
