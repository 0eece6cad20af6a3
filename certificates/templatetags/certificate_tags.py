"""Certificate state for training's dashboard (templates may load this; Python imports of
training never point at certificates)."""

from django import template

register = template.Library()


@register.inclusion_tag("certificates/tags/certificate_status.html", takes_context=True)
def certificate_status(context, enrollment):
    return {"enrollment": enrollment, "request": context.get("request")}
