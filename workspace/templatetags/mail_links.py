"""Links in Wagtail's notification mails on the one configured base URL (``core.links``)."""

from django import template

from core.links import absolute_url, base_url

register = template.Library()


@register.filter
def public_url(page) -> str:
    """The page's public address on the configured base URL, not on the host of Wagtail's site
    record (which says ``localhost`` until someone edits it)."""
    parts = page.get_url_parts() if page is not None else None
    if not parts or not parts[2]:
        return base_url() + "/"
    return absolute_url(parts[2])
