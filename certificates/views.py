"""Participant download, public verification (page, JSON, PDF upload) and the public keys."""

import hashlib
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from certificates import credentials, selectors, signing, status_list
from certificates.models import Certificate, CertificateText
from core.security import client_ip, count_hit

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_TOO_LARGE = _("Die Datei ist zu gross (höchstens 5 MB).")
UPLOAD_NOT_PDF = _(
    "Bitte laden Sie das Zertifikat als PDF-Datei oder den digitalen Nachweis (.jwt oder .json) "
    "hoch."
)
MAX_CREDENTIAL_BYTES = 256 * 1024
CODE_REQUIRED = _("Bitte geben Sie den Prüfcode ein.")
REMINDERS_SAVED = _("Ihre Einstellung zu Erinnerungen ist gespeichert.")
CALENDAR_RENEWED = _(
    "Ihr Kalender hat eine neue Adresse. Die alte funktioniert nicht mehr; tragen Sie die neue "
    "in Ihrem Kalenderprogramm ein."
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Prüfcode"),
        max_length=64,
        help_text=_("Steht unten auf dem Zertifikat, z. B. K7Q2-M8XH-4TC9."),
        error_messages={"required": CODE_REQUIRED},
    )


class UploadForm(forms.Form):
    pdf = forms.FileField(label=_("Zertifikat als PDF oder digitaler Nachweis (.jwt, .json)"))

    def clean_pdf(self):
        """A PDF (checked by its hash) or an Open Badges credential (VC-JWT, or its JSON)."""
        upload = self.cleaned_data["pdf"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(UPLOAD_TOO_LARGE)
        head = upload.read(5)
        upload.seek(0)
        if head == b"%PDF-":
            self.kind = "pdf"
            return upload
        if upload.size <= MAX_CREDENTIAL_BYTES and head.lstrip()[:1] in (b"e", b"{", b'"'):
            self.kind = "credential"
            return upload
        raise forms.ValidationError(UPLOAD_NOT_PDF)


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


def certificate_status(certificate: Certificate) -> str:
    """revoked wins over expired: a revoked certificate never becomes merely expired."""
    if certificate.is_revoked:
        return "revoked"
    return "expired" if certificate.is_expired() else "valid"


def public_facts(certificate: Certificate) -> dict:
    """All the verification page reveals: status, holder (with the qualification in the form
    they chose), course, issue and end date, and the serials of the renewal chain."""
    successor = certificate.superseded_by
    return {
        "status": certificate_status(certificate),
        "valid_until": (
            timezone.localdate(certificate.valid_until).isoformat()
            if certificate.valid_until
            else None
        ),
        "serial": certificate.serial,
        "holder": certificate.holder_name,
        "qualification": certificate.holder_title or None,
        "course": certificate.course_title,
        "issued_on": timezone.localdate(certificate.issued_at).isoformat(),
        "revoked_on": (
            timezone.localdate(certificate.revoked_at).isoformat()
            if certificate.revoked_at
            else None
        ),
        "revocation_reason": certificate.revocation_reason or None,
        # The renewal chain: the certificate this one renews, and the one that renewed it.
        "renews": certificate.previous.serial if certificate.previous_id else None,
        "renewed_by": successor.serial if successor else None,
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
        if upload_form.is_valid() and upload_form.kind == "credential":
            certificate, problem = _check_credential(upload_form.cleaned_data["pdf"].read())
            context.update(uploaded=True, credential=True, certificate=certificate)
            context["problem"] = problem
            if certificate is not None:
                context["facts"] = public_facts(certificate)
        elif upload_form.is_valid():
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


def _check_credential(data: bytes):
    """(certificate, None) for an authentic credential of the register, else (None, message).

    A VC-JWT must carry a valid signature of one of our keys; a JSON credential (the readable
    download) must equal, claim for claim, the credential the register signed for its id."""
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None, credentials.CREDENTIAL_MALFORMED
    if text.startswith("{"):
        try:
            claimed = json.loads(text)
        except ValueError:
            return None, credentials.CREDENTIAL_MALFORMED
        certificate = selectors.certificate_by_credential_id(
            claimed.get("id") if isinstance(claimed, dict) else None
        )
        if certificate is None:
            return None, credentials.CREDENTIAL_UNKNOWN
        _header, signed = credentials.decode_unverified(certificate.credential_jwt)
        if claimed != signed:
            return None, credentials.CREDENTIAL_BAD_SIGNATURE
        return certificate, None
    try:
        payload = credentials.verify_jwt(text.strip('"'))
    except credentials.CredentialError as error:
        return None, error.message
    certificate = selectors.certificate_by_credential_id(payload.get("jti") or payload.get("id"))
    if certificate is None:
        return None, credentials.CREDENTIAL_UNKNOWN
    return certificate, None


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


@cache_control(public=True, max_age=3600)
@require_GET
def issuer(request):
    """The issuer profile (OB 3.0 ``Profile``) that every credential's ``issuer.id`` names."""
    return JsonResponse(
        credentials.issuer_profile(CertificateText.load().organisation),
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def status_list_view(request, list_number):
    """The Bitstring Status List credential (VC-JWT); short max-age, so a revocation shows
    within minutes everywhere."""
    if list_number > 10_000:
        return JsonResponse({"status": "unknown"}, status=404)
    token = status_list.signed_status_list(
        list_number, issuer_name=CertificateText.load().organisation
    )
    response = HttpResponse(token, content_type=credentials.MEDIA_TYPE)
    response["Cache-Control"] = f"public, max-age={settings.CERTIFICATE_STATUS_LIST_MAX_AGE}"
    return response


@login_required
@require_GET
def download_credential(request, certificate_id, fmt):
    """The holder's own Open Badges credential: ``jwt`` (signed, for wallets and verifiers) or
    ``json`` (the same claims, readable)."""
    certificate = get_object_or_404(Certificate, pk=certificate_id, enrollment__user=request.user)
    if certificate.is_revoked:
        return render(
            request, "certificates/revoked.html", {"certificate": certificate}, status=410
        )
    if fmt not in ("jwt", "json") or not certificate.credential_jwt:
        raise Http404
    if fmt == "jwt":
        response = HttpResponse(certificate.credential_jwt, content_type=credentials.MEDIA_TYPE)
    else:
        _header, payload = credentials.decode_unverified(certificate.credential_jwt)
        response = HttpResponse(
            json.dumps(payload, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="Nachweis-{certificate.serial}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


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


class ReminderForm(forms.Form):
    reminders_enabled = forms.BooleanField(
        label=_("Erinnerungen per E-Mail erhalten"),
        required=False,
        help_text=_(
            "Zum Beispiel, wenn Ihr Zertifikat bald abläuft, wenn Sie länger nicht "
            "weitergelernt haben oder wenn Ihre Kursdurchführung bald endet."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    """Mein Konto › Erinnerungen und Kalender: opt out of reminder emails, get or renew the
    personal calendar address."""
    from certificates import reminders

    preference = reminders.preference_for(request.user)
    form = ReminderForm(initial={"reminders_enabled": preference.reminders_enabled})
    if request.method == "POST":
        if request.POST.get("action") == "renew":
            reminders.renew_calendar_token(user=request.user)
            messages.success(request, CALENDAR_RENEWED)
            return redirect("certificates:reminder_settings")
        form = ReminderForm(request.POST)
        if form.is_valid():
            reminders.set_reminders_enabled(
                user=request.user, enabled=form.cleaned_data["reminders_enabled"]
            )
            messages.success(request, REMINDERS_SAVED)
            return redirect("certificates:reminder_settings")
    calendar_url = request.build_absolute_uri(
        reverse("certificates:calendar", args=[preference.calendar_token])
    )
    response = render(
        request,
        "certificates/reminder_settings.html",
        {"form": form, "preference": preference, "calendar_url": calendar_url},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def calendar(request, token):
    """The personal ICS feed; the secret address is the only key, so unknown ones get 404."""
    from certificates import reminders

    user = reminders.user_for_calendar_token(token)
    if user is None:
        raise Http404
    response = HttpResponse(reminders.calendar_feed(user), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="lernkalender.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
