"""Accounts keep few tables of their own: the person is Django's user, the second factor
django-otp's TOTP device, the lockouts django-axes' attempts. ``AccountAdministration`` only
carries the permissions of the admin's account screens, which the groups receive in a migration;
``AccountEmail`` says whether the account's address is confirmed; ``ExternalIdentity`` links an
account to its login at an organisation's identity provider."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountAdministration(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("Kontenverwaltung")
        permissions = [
            ("unlock_login", _("Gesperrte Anmeldungen entsperren")),
            ("reset_second_factor", _("Zwei-Faktor-Anmeldung zurücksetzen")),
            ("erase_account", _("Konten auf Antrag löschen")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class AccountEmail(models.Model):
    """Whether the account's email address is confirmed (the person proved they read it).

    Set when an email change is confirmed with the link sent to the new address, and when an
    invitation is accepted. Enrolling and importing by email never attach to an account whose
    address is unconfirmed. ``displaced_email`` keeps an address that the migration making
    addresses unique took from this account because an older account had it too."""

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="email_state", primary_key=True
    )
    confirmed_at = models.DateTimeField(_("E-Mail-Adresse bestätigt am"), null=True, blank=True)
    displaced_email = models.EmailField(_("Entfernte doppelte E-Mail-Adresse"), blank=True)

    class Meta:
        verbose_name = _("E-Mail-Status")
        verbose_name_plural = _("E-Mail-Status")

    def __str__(self):
        return f"{self.user_id}: {'bestätigt' if self.confirmed_at else 'unbestätigt'}"


class ExternalIdentity(models.Model):
    """A person's account at an organisation's identity provider (single sign-on), linked to
    their account here.

    Keyed on what the provider guarantees never to change or reassign: the OIDC ``sub``/``oid``
    or the SAML persistent NameID (or a configured attribute). Never on email or username: an
    address changes with a marriage or a reorganisation and is sometimes reassigned, so matching
    on it would lock people out or hand one person's learning record to another."""

    provider = models.CharField(_("Anmeldedienst"), max_length=50)
    subject = models.CharField(_("Kennung beim Anmeldedienst"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("Konto"),
    )
    # What the provider last asserted, kept for the cohort and unit views and the data download.
    organisation_unit = models.CharField(_("Organisationseinheit"), max_length=200, blank=True)
    groups = models.JSONField(_("Gruppen beim Anmeldedienst"), default=list, blank=True)
    created_at = models.DateTimeField(_("Verknüpft am"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("Letzte Anmeldung"), null=True, blank=True)

    class Meta:
        verbose_name = _("Externe Anmeldung")
        verbose_name_plural = _("Externe Anmeldungen")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="one_account_per_external_subject"
            )
        ]

    def __str__(self):
        return f"{self.provider}: {self.subject}"


class QualificationForm(models.TextChoices):
    """How the holder's qualification is worded on their certificate (the course title's first
    word): neutral unless the person chooses otherwise before the certificate is issued."""

    NEUTRAL = "fachperson", _("Fachperson (neutral)")
    EXPERTIN = "expertin", _("Expertin")
    EXPERTE = "experte", _("Experte")


class Profile(models.Model):
    """What a person chooses about themself beyond Django's user: for now the form of the
    qualification printed on their certificate."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_profile",
        primary_key=True,
        verbose_name=_("Konto"),
    )
    qualification_form = models.CharField(
        _("Bezeichnung auf dem Zertifikat"),
        max_length=20,
        choices=QualificationForm.choices,
        default=QualificationForm.NEUTRAL,
    )

    class Meta:
        verbose_name = _("Profil")
        verbose_name_plural = _("Profile")

    def __str__(self):
        return f"{self.user_id}: {self.qualification_form}"


class Notification(models.Model):
    """One thing that happened to the person (an essay marked, a certificate issued, an
    enrollment), listed in *Mein Konto*. The text is written when shown, from ``kind`` and
    ``params``, so it follows the reader's language; ``occasion`` makes a repeated service call
    (a task retry) write one entry."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("Eingeschrieben")
        ESSAY_MARKED = "essay_marked", _("Freitext bewertet")
        CERTIFICATE_ISSUED = "certificate_issued", _("Zertifikat ausgestellt")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("Person"),
    )
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    params = models.JSONField(_("Angaben"), default=dict, blank=True)
    link = models.CharField(_("Link"), max_length=300, blank=True)
    occasion = models.CharField(_("Anlass"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("Zeitpunkt"), db_index=True)
    # Set once the entry went out by email too (for the kinds that are mailed): the sent-log
    # that keeps a retried task from mailing twice.
    emailed_at = models.DateTimeField(_("Per E-Mail versandt"), null=True, blank=True)

    class Meta:
        verbose_name = _("Benachrichtigung")
        verbose_name_plural = _("Benachrichtigungen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "occasion"],
                condition=~models.Q(occasion=""),
                name="notification_once_per_occasion",
            )
        ]

    def __str__(self):
        return f"{self.user_id}: {self.kind}"
