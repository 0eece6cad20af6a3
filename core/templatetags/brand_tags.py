from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter(needs_autoescape=True)
def with_brand(title, name, autoescape=True):
    """A page title followed by the organisation's name, once: a page titled like the
    organisation (the home page) is not "Name · Name"."""
    escape = conditional_escape if autoescape else str
    title = escape(title).strip()
    name = escape(name or "").strip()
    if not title or title == name:
        return mark_safe(name)  # noqa: S308 (both parts escaped above)
    return mark_safe(f"{title} · {name}" if name else title)  # noqa: S308
