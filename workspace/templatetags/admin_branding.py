"""The Wagtail admin's name and logo: the deployment's branding setting where there is one
(``core.models.BrandingSettings``: organisation name and logo), else the site name and the
workspace's own neutral logo."""

import logging

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()
logger = logging.getLogger(__name__)


def _branding():
    try:
        from core.models import BrandingSettings
    except ImportError:  # a deployment without the branding setting
        return None
    return BrandingSettings.load()


@register.simple_tag
def admin_site_name() -> str:
    branding = _branding()
    name = getattr(branding, "organisation_name", "") if branding else ""
    return name or getattr(settings, "WAGTAIL_SITE_NAME", "") or "Bürgerservice-Akademie"


@register.simple_tag
def admin_logo_url() -> str:
    branding = _branding()
    logo = getattr(branding, "logo", None) if branding else None
    if logo is not None:
        try:
            return logo.get_rendition("max-160x160").url
        except Exception:  # an unreadable file: the neutral logo instead
            logger.exception("The branding logo could not be rendered for the admin")
    return static("workspace/admin-logo.svg")
