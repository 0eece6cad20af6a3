"""Accounts keep no table of their own: the person is Django's user, the second factor
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
