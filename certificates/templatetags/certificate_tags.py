"""Certificate state for training's dashboard (templates may load this; Python imports of
training never point at certificates)."""

from django import template

from certificates.renewals import renewal_status
from certificates.selectors import certificate_for_enrollment

register = template.Library()


@register.inclusion_tag("certificates/tags/certificate_status.html", takes_context=True)
def certificate_status(context, enrollment):
    """Nothing before completion; *Zertifikat wird erstellt …* while the task runs; then the
    download link of the current certificate (or the revocation), and for one with an end
    date the way to renew it."""
    certificate = certificate_for_enrollment(enrollment.pk) if enrollment.completed_at else None
    renewal = None
    if certificate is not None and certificate.valid_until and not certificate.is_revoked:
        renewal = renewal_status(certificate)
    return {
        "enrollment": enrollment,
        "certificate": certificate,
        "renewal": renewal,
        "request": context.get("request"),
    }
