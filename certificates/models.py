"""The certificate register: one signed certificate per completed enrollment."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


def certificate_upload_to(instance, filename):
    # The UUID is unguessable, so a public storage bucket does not expose certificates by serial.
    return f"zertifikate/{instance.issued_at:%Y}/{instance.pk}.pdf"


class Certificate(models.Model):
    """A certificate as issued. Holder, course, sections and revisions are frozen at issue: later
    edits of names or pages never change what was certified.

    One first certificate per enrollment, then one per completed refresher (``renewal``), each
    naming the certificate it renews (``previous``); the previous one is superseded, not
    revoked: it keeps its own validity and says which certificate followed it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    serial = models.CharField(_("Nummer"), max_length=20, unique=True)
    enrollment = models.ForeignKey(
        "training.Enrollment",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("Einschreibung"),
    )
    renewal = models.OneToOneField(
        "training.Renewal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate",
        verbose_name=_("Auffrischung"),
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name=_("Erneuert das Zertifikat"),
    )
    holder_name = models.CharField(_("Inhaber:in"), max_length=300)
    # The qualification in the form the holder chose (Expertin, Experte, Fachperson), frozen;
    # empty when the course title names no qualification (and for older certificates).
    holder_title = models.CharField(_("Bezeichnung"), max_length=300, blank=True)
    course_title = models.CharField(_("Kurs"), max_length=300)
    # [{"title", "completed_on" (ISO date), "minutes", "teaching_units"}] in course order.
    sections = models.JSONField(_("Lernbereiche"), default=list)
    # [{"module", "title", "page_revision", "quiz", "quiz_revision", "completed_at"}]: what exactly
    # the person read and passed, for audits.
    revisions = models.JSONField(_("Revisionen"), default=list)
    issued_at = models.DateTimeField(_("Ausgestellt am"))
    pdf = models.FileField(_("PDF"), upload_to=certificate_upload_to, max_length=200)
    pdf_sha256 = models.CharField(_("SHA-256 des PDF"), max_length=64, unique=True)
    # The canonical JSON the signature covers, stored byte for byte so anyone can re-check it.
    signed_payload = models.TextField(_("Signierte Angaben"))
    signature = models.CharField(_("Ed25519-Signatur"), max_length=100)
    key_id = models.CharField(_("Schlüssel-ID"), max_length=64)
    token = models.CharField(_("Prüf-Token"), max_length=64, unique=True)
    code = models.CharField(_("Prüfcode"), max_length=16, unique=True)
    emailed_at = models.DateTimeField(_("Per E-Mail versandt"), null=True, blank=True)
    # Frozen at issue from the course's validity in months; empty: valid without end date.
    valid_until = models.DateTimeField(_("Gültig bis"), null=True, blank=True)
    # The Open Badges 3.0 credential (VC-JWT, signed with the same key) and its bit in the
    # revocation status list. Empty for certificates issued before credentials existed.
    credential_jwt = models.TextField(_("Digitaler Nachweis (VC-JWT)"), blank=True)
    status_index = models.PositiveIntegerField(
        _("Index in der Statusliste"), null=True, blank=True, unique=True
    )
    revoked_at = models.DateTimeField(_("Widerrufen am"), null=True, blank=True)
    revocation_reason = models.TextField(_("Grund des Widerrufs"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Widerrufen von"),
    )

    # Nothing links to content through a certificate; skip Wagtail's reference index on save.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("Zertifikat")
        verbose_name_plural = _("Zertifikate")
        ordering = ["-issued_at"]
        permissions = [("revoke_certificate", _("Kann Zertifikate widerrufen"))]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(renewal__isnull=True),
                name="one_first_certificate_per_enrollment",
            ),
            models.CheckConstraint(
                condition=Q(renewal__isnull=True, previous__isnull=True)
                | Q(renewal__isnull=False, previous__isnull=False),
                name="certificate_renewal_names_previous",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="certificate_revocation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(serial__regex=r"^DBS-[0-9]{4}-[0-9]{6}$"),
                name="certificate_serial_format",
            ),
        ]

    def __str__(self):
        return f"{self.serial} – {self.holder_name}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        from django.utils import timezone

        return self.valid_until is not None and (now or timezone.now()) >= self.valid_until

    @property
    def superseded_by(self):
        """The certificate that renewed this one, or None."""
        try:
            return self.successor
        except Certificate.DoesNotExist:
            return None

    @property
    def display_code(self) -> str:
        """The short code in groups of four, as printed: ``K7Q2-M8XH-4TC9``."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class SerialCounter(models.Model):
    """The last serial number handed out per year (gaps are allowed, duplicates are not)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Nummernkreis")
        verbose_name_plural = _("Nummernkreise")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class StatusListCounter(models.Model):
    """The last status-list index handed out (one bit per certificate, never reused)."""

    purpose = models.CharField(primary_key=True, max_length=20)
    last_index = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Statuslisten-Zähler")
        verbose_name_plural = _("Statuslisten-Zähler")

    def __str__(self):
        return f"{self.purpose}: {self.last_index}"


@register_setting(icon="doc-full")
class CertificateText(BaseGenericSetting):
    """What trainers may word on the certificate; everything else is fixed by the issuing."""

    organisation = models.CharField(
        _("Ausstellende Organisation"), max_length=200, default="Bürgerservice-Akademie"
    )
    title = models.CharField(_("Überschrift"), max_length=120, default="Zertifikat")
    explanatory_text = models.TextField(
        _("Erläuternder Text"),
        max_length=1200,
        default=(
            "Die Weiterbildung vermittelt in drei Kompetenzbereichen, wie Verwaltungen ihre "
            "Dienstleistungen für Bürgerinnen und Bürger digital, barrierefrei und verständlich "
            "anbieten. Jedes Modul wurde mit einer bestandenen Lernkontrolle abgeschlossen."
        ),
    )
    signatory_name = models.CharField(_("Unterzeichnet von"), max_length=200, blank=True)
    signatory_role = models.CharField(_("Funktion"), max_length=200, blank=True)
    signature_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("Unterschrift (Bild)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Optional: die eingescannte Unterschrift, auf weissem oder transparentem Grund "
            "(PNG oder JPEG). Sie erscheint über dem Namen."
        ),
    )

    panels = [
        FieldPanel("organisation"),
        FieldPanel("title"),
        FieldPanel("explanatory_text"),
        MultiFieldPanel(
            [
                FieldPanel("signatory_name"),
                FieldPanel("signatory_role"),
                FieldPanel("signature_image"),
            ],
            heading=_("Unterschrift"),
        ),
    ]

    class Meta:
        verbose_name = _("Zertifikatstext")
        verbose_name_plural = _("Zertifikatstexte")


def new_calendar_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class ReminderPreference(models.Model):
    """A person's choice about reminder emails, and the secret of their calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("Person"),
    )
    reminders_enabled = models.BooleanField(_("Erinnerungen per E-Mail"), default=True)
    calendar_token = models.CharField(
        _("Kalender-Token"), max_length=64, unique=True, default=new_calendar_token
    )

    class Meta:
        verbose_name = _("Erinnerungseinstellung")
        verbose_name_plural = _("Erinnerungseinstellungen")

    def __str__(self):
        return str(self.user_id)


class ReminderLog(models.Model):
    """One row per reminder sent: the unique (person, kind, occasion) is the last word that a
    reminder goes out at most once, whatever the number of beats or task retries."""

    class Kind(models.TextChoices):
        EXPIRY = "expiry", _("Ablauf des Zertifikats")
        INACTIVITY = "inactivity", _("Keine Fortschritte")
        COHORT_END = "cohort_end", _("Ende der Kursdurchführung")
        TRAINER_DIGEST = "trainer_digest", _("Wochenübersicht für Trainer:innen")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Person"),
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    occasion = models.CharField(_("Anlass"), max_length=100)
    sent_at = models.DateTimeField(_("Versandt am"))

    class Meta:
        verbose_name = _("Versandte Erinnerung")
        verbose_name_plural = _("Versandte Erinnerungen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "occasion"], name="reminder_once_per_occasion"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.occasion}"
