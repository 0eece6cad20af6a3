from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Zertifikate")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from certificates.tasks import enqueue_certificate
        from training import events

        # training announces completions after the commit, so a rolled-back completion sends
        # nothing; this subscribes the certificate task to that one event.
        events.subscribe(enqueue_certificate)

        from core.metrics import register_gauge

        register_gauge(
            "bsa_certificates_issued",
            "Certificates in the register (revoked ones included)",
            _certificates_issued,
        )


def _certificates_issued() -> int:
    from certificates.models import Certificate

    return Certificate.objects.count()
