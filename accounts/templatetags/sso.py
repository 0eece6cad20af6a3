"""The organisation login on the login page: ``{% sso_login_buttons next %}`` and whether the
local form is shown (``{% local_login_enabled as local %}``)."""

from django import template

from accounts.sso import views

register = template.Library()


@register.inclusion_tag("accounts/sso/login_buttons.html")
def sso_login_buttons(next_url=""):
    return {"buttons": views.provider_buttons(next_url or "")}


@register.simple_tag
def local_login_enabled() -> bool:
    return views.local_login_enabled()
