"""Accounts keep one small table of their own (AccountEmail: is the address confirmed); the person
is Django's user, the second factor
django-otp's TOTP device, the lockouts django-axes' attempts. This model only carries the
permissions of the admin's account screens, which the groups receive in a migration."""

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
