"""The deployment's branding on every page and in every mail (``core.models.BrandingSettings``).

- ``current(request)`` gives the setting's values (``Brand``) from the shared cache, read from
  the database (one query) after a change; a database that cannot answer gives the defaults,
  so an outage page still renders.
- The accent colour reaches the pages without inline styles: the base template links
  ``/marke/<rrggbb>.css``, a stylesheet generated from the colour in its own URL. A new colour is
  a new URL, so the stylesheet can be cached for a year.
- Swiss spelling: ``language_for(code)`` turns German into ``de-ch``, whose catalogue
  (``locale/de_CH``, written by ``core.swiss``) spells "ss" for "ß".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from core import colours

logger = logging.getLogger(__name__)

REQUEST_ATTRIBUTE = "_branding"
SWISS_GERMAN = "de-ch"
YEAR = 365 * 24 * 3600


CACHE_KEY = "core:branding:v1"
# Saving the setting (or an image) forgets the cached values at once and after the commit; a
# value written by a transaction that rolled back lives at most this long.
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Brand:
    """What the pages show of the branding: plain values, kept in the shared cache so a page
    view needs no query for them."""

    organisation_name: str
    logo_url: str
    logo_width: int | None
    logo_height: int | None
    logo_alt: str
    accent_colour: str
    favicon_url: str
    footer_contact: str
    swiss_spelling: bool


def _brand(row) -> Brand:
    logo, favicon = row.logo if row.logo_id else None, row.favicon if row.favicon_id else None
    return Brand(
        organisation_name=row.organisation_name,
        logo_url=logo.file.url if logo else "",
        logo_width=logo.width if logo else None,
        logo_height=logo.height if logo else None,
        logo_alt=row.logo_alt,
        accent_colour=row.accent_colour,
        favicon_url=favicon.file.url if favicon else "",
        footer_contact=row.footer_contact,
        swiss_spelling=row.swiss_spelling,
    )


def defaults() -> Brand:
    from core.models import BrandingSettings

    return _brand(BrandingSettings())


def load() -> Brand:
    """The branding (the defaults before anyone saved it, or while the database is down)."""
    from core.models import BrandingSettings

    cached = cache.get(CACHE_KEY)
    if isinstance(cached, Brand):
        return cached
    try:
        row = BrandingSettings.objects.select_related("logo", "favicon").order_by("pk").first()
    except DatabaseError:
        logger.warning("branding unavailable, using the defaults", exc_info=True)
        return defaults()
    brand = _brand(row or BrandingSettings())
    cache.set(CACHE_KEY, brand, CACHE_SECONDS)
    return brand


def forget(**kwargs) -> None:
    """Signal receiver: the branding or one of its images changed."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def current(request=None) -> Brand:
    if request is None:
        return load()
    branding = getattr(request, REQUEST_ATTRIBUTE, None)
    if branding is None:
        branding = load()
        setattr(request, REQUEST_ATTRIBUTE, branding)
    return branding


def language_for(language: str, request=None) -> str:
    """The language to activate for ``language``: Swiss German when the deployment writes
    "ss" for "ß" and the language is German."""
    if language.split("-")[0] == "de" and current(request).swiss_spelling:
        return SWISS_GERMAN
    return language


def mail_language(request=None) -> str:
    """The language of the German mails (``translation.override(mail_language())``)."""
    return language_for("de", request)


def context(request):
    """Template context: ``branding`` (the setting) and ``accent_path`` (its colour's CSS)."""
    branding = current(request)
    return {"branding": branding, "accent_path": accent_path(branding.accent_colour)}


def offline_context(request) -> dict:
    """The same without a query, for error pages that must not touch the database: what the
    request already read, else the defaults."""
    branding = getattr(request, REQUEST_ATTRIBUTE, None) or defaults()
    return {"branding": branding, "accent_path": accent_path(branding.accent_colour)}


def accent_path(colour: str) -> str:
    from django.urls import reverse

    return reverse("brand_stylesheet", args=[colour.lstrip("#").lower()])


def accent_css(colour: str) -> str:
    """KERN's action colour (buttons, links, focus of choice controls) and ours, in the accent
    colour; hover and pressed shades are darker mixes, the tint a light one for backgrounds."""
    dark = colours.mix(colour, "#000000", 0.25)
    tint = colours.mix(colour, "#ffffff", 0.9)
    return (
        ":root, [data-kern-theme=light] {\n"
        f"  --kern-color-action-default: {colour};\n"
        f"  --kern-color-decorative-brand-default: {colour};\n"
        f"  --accent: {colour};\n"
        f"  --accent-dark: {dark};\n"
        f"  --accent-tint: {tint};\n"
        "}\n"
    )


@require_safe
def stylesheet(request, colour: str):
    """``/marke/<rrggbb>.css``: refuses (404) a colour that is not readable on white."""
    value = f"#{colour.lower()}"
    try:
        readable = colours.readable_on_white(value)
    except ValueError:
        readable = False
    if not readable:
        raise Http404
    response = HttpResponse(accent_css(value), content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
    return response
