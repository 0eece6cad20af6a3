"""Participant download, public verification (page, JSON, PDF upload) and the public keys."""

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from certificates import selectors, signing
from certificates.models import Certificate
from core.security import client_ip, count_hit

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_TOO_LARGE = _("Die Datei ist zu gross (höchstens 5 MB).")
UPLOAD_NOT_PDF = _("Bitte laden Sie eine PDF-Datei hoch.")
CODE_REQUIRED = _("Bitte geben Sie den Prüfcode ein.")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Prüfcode"),
        max_length=64,
        help_text=_("Steht unten auf dem Zertifikat, z. B. K7Q2-M8XH-4TC9."),
        error_messages={"required": CODE_REQUIRED},
    )


class UploadForm(forms.Form):
    pdf = forms.FileField(label=_("Zertifikat als PDF"))

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(UPLOAD_TOO_LARGE)
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(UPLOAD_NOT_PDF)
        return upload


def _rate_limited(request) -> bool:
    """Fixed one-minute windows in the shared cache (Redis in production): one per client
    address (behind trusted proxies, from X-Forwarded-For: ``core.security.client_ip``) and
    one for all clients together, a ceiling that many addresses cannot get around."""
    own = count_hit(f"certificates:verify:{client_ip(request) or 'unknown'}", window=60)
    everyone = count_hit("certificates:verify:all", window=60)
    return (own is not None and own > settings.CERTIFICATE_VERIFY_RATE_LIMIT) or (
        everyone is not None and everyone > settings.CERTIFICATE_VERIFY_GLOBAL_RATE_LIMIT
    )


def _too_many(request, as_json=False):
    if as_json:
        response = JsonResponse({"status": "rate_limited"}, status=429)
    else:
        response = render(request, "certificates/rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


def public_facts(certificate: Certificate) -> dict:
    """All the verification page reveals: status, holder, course, issue date."""
    return {
        "status": "revoked" if certificate.is_revoked else "valid",
        "serial": certificate.serial,
        "holder": certificate.holder_name,
        "course": certificate.course_title,
        "issued_on": timezone.localdate(certificate.issued_at).isoformat(),
        "revoked_on": (
            timezone.localdate(certificate.revoked_at).isoformat()
            if certificate.revoked_at
            else None
        ),
        "revocation_reason": certificate.revocation_reason or None,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def verify_start(request):
    """Type the code from paper, or upload a PDF to check it is unaltered."""
    code_form = CodeForm(request.GET or None)
    upload_form = UploadForm()
    context = {"code_form": code_form, "upload_form": upload_form}
    if request.method == "POST":
        if _rate_limited(request):
            return _too_many(request)
        upload_form = UploadForm(request.POST, request.FILES)
        context.update(upload_form=upload_form, code_form=CodeForm())
        if upload_form.is_valid():
            digest = hashlib.sha256()
            for chunk in upload_form.cleaned_data["pdf"].chunks():
                digest.update(chunk)
            certificate = selectors.certificate_by_pdf_hash(digest.hexdigest())
            context.update(uploaded=True, certificate=certificate)
            if certificate is not None:
                context["facts"] = public_facts(certificate)
    elif code_form.is_valid():
        return redirect("certificates:verify", code=code_form.cleaned_data["code"].strip())
    return render(request, "certificates/verify_start.html", context)


@never_cache
@require_GET
def verify(request, code):
    if _rate_limited(request):
        return _too_many(request)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return render(
            request,
            "certificates/verify_unknown.html",
            {"code_form": CodeForm(initial={"code": code[:64]})},
            status=404,
        )
    return render(
        request,
        "certificates/verify.html",
        {"certificate": certificate, "facts": public_facts(certificate)},
    )


@never_cache
@require_GET
def verify_json(request, code):
    if _rate_limited(request):
        return _too_many(request, as_json=True)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return JsonResponse({"status": "unknown"}, status=404)
    body = public_facts(certificate)
    body["signed"] = {
        "payload": certificate.signed_payload,
        "signature": certificate.signature,
        "kid": certificate.key_id,
        "alg": "EdDSA",
        "jwks": request.build_absolute_uri(reverse("certificates:jwks")),
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@cache_control(public=True, max_age=3600)
@require_GET
def jwks(request):
    return JsonResponse(signing.jwks())


@login_required
@require_GET
def download(request, certificate_id):
    """The holder's own certificate only; anyone else gets a 404 (not telling it exists)."""
    certificate = get_object_or_404(Certificate, pk=certificate_id, enrollment__user=request.user)
    if certificate.is_revoked:
        return render(
            request, "certificates/revoked.html", {"certificate": certificate}, status=410
        )
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"Zertifikat-{certificate.serial}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
