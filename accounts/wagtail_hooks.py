from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts import admin_views

admin_urlpatterns = [
    path("", admin_views.AccountsIndexView.as_view(), name="index"),
    path("entsperren/", admin_views.unlock, name="unlock"),
    path(
        "<int:user_id>/zwei-faktor-zuruecksetzen/",
        admin_views.reset_second_factor,
        name="reset_second_factor",
    ),
    path("<int:user_id>/loeschen/", admin_views.EraseAccountView.as_view(), name="erase"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("konten/", include((admin_urlpatterns, "accounts_admin")))]


class AccountsMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return any(
            user.has_perm(perm)
            for perm in (admin_views.UNLOCK, admin_views.RESET, admin_views.ERASE)
        )


@hooks.register("register_admin_menu_item")
def register_accounts_menu_item():
    return AccountsMenuItem(
        _("Konten und Sperren"), reverse("accounts_admin:index"), icon_name="user", order=900
    )
