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


@register.inclusion_tag("training/tags/course_completion.html", takes_context=True)
def course_completion(context, enrollment):
    """*Mein Lernstand*'s card of what completes the course: modules, the final exam (locked,
    open to start, passed) and the transfer tasks per section, each with its state. Nothing
    (and one query) for a course without rules."""
    from training.completion import rules_for
    from training.quizzes.exam import exam_overview
    from training.transfer.selectors import transfer_overview

    if rules_for(enrollment.course_id) is None:
        return {}
    return {
        "request": context.get("request"),
        "enrollment": enrollment,
        "exam": exam_overview(enrollment),
        "transfer": transfer_overview(enrollment),
    }
