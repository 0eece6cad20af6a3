"""An append-only record of what trainers saw and did with participants' data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    PARTICIPANT_VIEWED = "participant_viewed", _("Teilnehmerdaten angesehen")
    SITTING_VIEWED = "sitting_viewed", _("Versuch angesehen")
    ANSWER_MARKED = "answer_marked", _("Antwort bewertet")
    CERTIFICATE_REVOKED = "certificate_revoked", _("Zertifikat widerrufen")
    REPORT_EXPORTED = "report_exported", _("Bericht exportiert")
    LOGIN_UNLOCKED = "login_unlocked", _("Anmeldesperre aufgehoben")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Zwei-Faktor-Anmeldung zurückgesetzt")
    ACCOUNT_ERASED = "account_erased", _("Konto gelöscht")
    CERTIFICATE_TEXT_CHANGED = "certificate_text_changed", _("Zertifikatstext geändert")
    ENROLLMENT_CONFLICT = (
        "enrollment_conflict",
        _("Einschreibung verlangt, Person schon in anderer Kursdurchführung"),
    )
    QUIZ_REGRADED = "quiz_regraded", _("Lernkontrolle neu bewertet")
    SSO_ACCOUNT_CREATED = "sso_account_created", _("Konto bei Organisations-Anmeldung angelegt")
    SSO_MAPPING_CHANGED = "sso_mapping_changed", _("Rollen oder Einheit vom Anmeldedienst geändert")
    SSO_SUBJECT_CONFLICT = "sso_subject_conflict", _("Anmeldung mit geänderter Kennung abgewiesen")
    SSO_IDENTITY_MOVED = "sso_identity_moved", _("Kennung beim Anmeldedienst umgezogen")
    TRANSFER_TASK_VIEWED = "transfer_task_viewed", _("Praxisauftrag angesehen")
    TRANSFER_TASK_REVIEWED = "transfer_task_reviewed", _("Praxisauftrag beurteilt")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ausgeführt von"),
    )
    action = models.CharField(_("Aktion"), max_length=40, choices=AuditAction.choices)
    # What was seen or changed, as "app_label.model" and primary key: a row may be deleted later,
    # the record of the access stays.
    target_type = models.CharField(_("Objekttyp"), max_length=100, blank=True)
    target_id = models.CharField(_("Objekt-ID"), max_length=64, blank=True)
    # The participant whose data it was, so their data export lists who looked at it and an
    # erasure can anonymise the entry.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Betroffene Person"),
    )
    details = models.JSONField(_("Einzelheiten"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokolleinträge")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["subject", "created_at"], name="audit_subject_created")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"
