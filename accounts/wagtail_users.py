"""Wagtail's users app with our user viewset (``accounts.admin_forms``): its documented way to
change the user forms. Kept apart because app configs load before any model."""

from wagtail.users.apps import WagtailUsersAppConfig


class UsersConfig(WagtailUsersAppConfig):
    user_viewset = "accounts.admin_forms.AccountUserViewSet"
