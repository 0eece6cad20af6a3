from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Lernfortschritt und Lernkontrollen")

    def ready(self):
        from accounts.sso.services import on_organisation_unit_changed
        from training.unit_changes import follow_asserted_unit

        # A unit the organisation login asserts anew reaches the enrollments at that login.
        on_organisation_unit_changed(follow_asserted_unit)
