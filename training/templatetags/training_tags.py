"""Per-person parts of content pages. cms templates load these tags, so the page content itself
stays the same for everybody (and cacheable per published revision)."""

from django import template

from training.selectors import module_panel

register = template.Library()


@register.inclusion_tag("training/tags/module_progress_panel.html", takes_context=True)
def module_progress_panel(context, page):
    """The participant's state for this module: mark as read, quiz state, completion."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"request": request, "page": page, "panel": module_panel(user, page)}
