"""The holder's renewal page: what a refresher involves, starting it, and its progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from certificates import renewals
from cms.selectors import attach_site
from training import renewals as training_renewals

RENEWAL_STARTED = _(
    "Ihre Auffrischung hat begonnen. Wiederholen Sie die aufgeführten Module; danach erhalten "
    "Sie Ihr erneuertes Zertifikat."
)
RENEWAL_ALREADY_RUNNING = _("Ihre Auffrischung läuft bereits.")


def _page(request, certificate, *, error=None, status=200):
    attach_site(request)  # the page links to the modules
    renewal_status = renewals.renewal_status(certificate)
    overview = None
    if renewal_status.state in ("eligible", "running", "awaiting") and renewal_status.renewal:
        overview = training_renewals.renewal_overview(renewal_status.renewal)
    modules = (
        overview.modules
        if overview
        else [
            training_renewals.RenewalModule(module=m, progress=None)
            for m in training_renewals.modules_to_repeat(certificate.enrollment_id)
        ]
    )
    next_module = next((m.module for m in modules if not m.complete), None)
    response = render(
        request,
        "certificates/renewal.html",
        {
            "certificate": certificate,
            "status": renewal_status,
            "overview": overview,
            "modules": modules,
            "next_module": next_module,
            "error": error,
        },
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def renewal(request, certificate_id):
    """GET: the page; POST: start the refresher (a repeat returns the running one)."""
    try:
        certificate = renewals.holders_certificate(user=request.user, certificate_id=certificate_id)
    except renewals.RenewalRefused as refusal:
        response = render(
            request, "training/error.html", {"message": refusal.message}, status=refusal.status
        )
        response["Cache-Control"] = "private, no-store"
        return response
    if request.method == "GET":
        return _page(request, certificate)
    try:
        _renewal, created = renewals.start_renewal(user=request.user, certificate_id=certificate.pk)
    except renewals.RenewalRefused as refusal:
        return _page(request, certificate, error=refusal.message, status=refusal.status)
    messages.success(request, RENEWAL_STARTED if created else RENEWAL_ALREADY_RUNNING)
    return redirect("certificates:renewal", certificate.pk)
