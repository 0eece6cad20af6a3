"""Per-person parts of content pages. cms templates load these tags, so the page content itself
stays the same for everybody (and cacheable per published revision)."""

from django import template

from training.selectors import module_panel

register = template.Library()


def _panel(context, page) -> dict:
    """The person's state for the module, read once per request (the quiz block and the
    progress panel both show it)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None:
        return module_panel(user, page)
    memo = request.__dict__.setdefault("_module_panels", {})
    if page.pk not in memo:
        memo[page.pk] = module_panel(user, page)
    return memo[page.pk]


@register.inclusion_tag("training/tags/module_progress_panel.html", takes_context=True)
def module_progress_panel(context, page):
    """The participant's state for this module: mark as read, quiz state, completion."""
    return {"request": context.get("request"), "page": page, "panel": _panel(context, page)}


@register.inclusion_tag("training/tags/quiz_actions.html", takes_context=True)
def quiz_actions(context, page, anchor=""):
    """The quiz block's own buttons: start, resume or retry the quiz, and mark the module read
    next to a passed quiz."""
    return {
        "request": context.get("request"),
        "page": page,
        "panel": _panel(context, page),
        "anchor": anchor,
        "csrf_token": context.get("csrf_token"),
    }
