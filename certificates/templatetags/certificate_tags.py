"""Certificate state for training's dashboard (templates may load this; Python imports of
training never point at certificates)."""

from django import template

from certificates.selectors import certificate_for_enrollment

register = template.Library()


@register.inclusion_tag("certificates/tags/certificate_status.html", takes_context=True)
def certificate_status(context, enrollment):
    """Nothing before completion; *Zertifikat wird erstellt …* while the task runs; then the
    download link (or the revocation)."""
    certificate = certificate_for_enrollment(enrollment.pk) if enrollment.completed_at else None
    return {"enrollment": enrollment, "certificate": certificate, "request": context.get("request")}
