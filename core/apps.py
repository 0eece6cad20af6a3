from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Grundlagen")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.images import get_image_model

        from core.branding import forget
        from core.models import BrandingSettings

        for model in (BrandingSettings, get_image_model()):
            for signal in (post_save, post_delete):
                signal.connect(forget, sender=model, dispatch_uid=f"core.branding.{model}.{signal}")
