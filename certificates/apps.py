from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Zertifikate")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from certificates.tasks import enqueue_certificate
        from training.services import on_enrollment_completed

        # training announces completions after the commit, so a rolled-back completion sends
        # nothing; this subscribes the certificate task to that one event.
        on_enrollment_completed(enqueue_certificate)
