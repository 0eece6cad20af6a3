from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Kursinhalte")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(remember_editor, dispatch_uid="cms.remember_editor")


def remember_editor(sender, request, user, **kwargs):
    """Notes at login whether the person edits pages, so page templates show Wagtail's userbar
    to editors without two permission queries on every participant's page view."""
    if request is not None and hasattr(request, "session"):
        request.session["can_edit_pages"] = user.has_perm("wagtailadmin.access_admin")
