"""The course lead's «Neu bewerten» link per question, and the note on an attempt's page that a
regrade applied to it."""

from django import template
from django.urls import reverse

from training.models import QuestionRegrade
from training.quizzes.regrade import can_regrade

register = template.Library()


@register.inclusion_tag("workspace/_regrade_link.html", takes_context=True)
def regrade_link(context, quiz, question):
    request = context.get("request")
    shown = (
        request is not None
        and can_regrade(request.user)
        and not getattr(question, "is_essay", False)
        and not getattr(question, "removed", False)
    )
    url = reverse("training_workspace:regrade", args=[quiz.pk, question.id]) if shown else ""
    return {"url": url}


@register.inclusion_tag("workspace/_regrade_note.html")
def regrade_note(sitting):
    order = list(sitting.question_order or [])
    regrades = [
        (order.index(r.question_id) + 1, r)
        for r in QuestionRegrade.objects.filter(quiz_revision_id=sitting.quiz_revision_id)
        if r.question_id in order
    ]
    return {"regrades": sorted(regrades, key=lambda pair: pair[0])}
