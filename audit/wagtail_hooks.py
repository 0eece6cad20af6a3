from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from audit.admin_views import VIEW_AUDIT, AuditIndexView


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("protokoll/", AuditIndexView.as_view(), name="audit_index")]


class AuditMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_AUDIT)


@hooks.register("register_admin_menu_item")
def register_audit_menu_item():
    return AuditMenuItem(
        _("Zugriffsprotokoll"), reverse("audit_index"), icon_name="history", order=910
    )
