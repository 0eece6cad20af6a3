"""Per-person parts of content pages. cms templates load these tags, so the page content itself
stays the same for everybody (and cacheable per published revision)."""

from django import template

register = template.Library()


@register.inclusion_tag("training/tags/module_progress_panel.html", takes_context=True)
def module_progress_panel(context, page):
    """The participant's state for this module: mark as read, quiz state, completion."""
    request = context.get("request")
    return {"request": request, "page": page, "user": getattr(request, "user", None)}
