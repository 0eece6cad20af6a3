"""The participant's account pages (/konto/): profile, data export, erasure, second factor, and
the password reset for anyone who forgot theirs."""

import json
import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import data_summary, emails, notifications, profile, selectors, services
from accounts.forms import (
    CurrentPasswordForm,
    NewPasswordForm,
    PasswordConfirmForm,
    PasswordResetRequestForm,
    ProfileForm,
    TokenForm,
)
from accounts.invitations import INVITATION_VALID_DAYS, invitation_tokens
from accounts.models import QualificationForm
from accounts.signals import PASSWORD_CHECKED_AT_SESSION_KEY, SECOND_FACTOR_PENDING_SESSION_KEY

LOCKED_OUT = gettext_lazy(
    "Zu viele fehlgeschlagene Anmeldeversuche: Die Anmeldung mit diesem Benutzernamen ist für "
    "%(minutes)s Minuten gesperrt. Bitte versuchen Sie es später erneut oder bitten Sie Ihre "
    "Trainerin oder Ihren Trainer, die Sperre aufzuheben."
)


class LockedOutLoginForm(AuthenticationForm):
    """The login form, unbound (no second authentication attempt), carrying the lockout."""

    def __init__(self, request, *, username: str, message: str):
        super().__init__(request, initial={"username": username})
        self._errors = ErrorDict(
            {NON_FIELD_ERRORS: self.error_class([message], error_class="nonfield")}
        )


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response: the login page again, with the lockout as its error."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LockedOutLoginForm(
        request,
        username=request.POST.get("username", ""),
        message=LOCKED_OUT % {"minutes": minutes},
    )
    context = {"form": form, "next": _safe_next(request, "")}
    return render(request, "registration/login.html", context, status=429)


def _safe_next(request, default: str) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


def _home_for(user) -> str:
    return (
        reverse("wagtailadmin_home")
        if selectors.can_enter_admin(user)
        else reverse("training:dashboard")
    )


@login_required
@never_cache
def account(request):
    if request.method == "POST":
        old_email = request.user.email
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            new_email = form.cleaned_data["email"]
            form.instance.email = old_email  # a new address counts only once confirmed
            try:
                with transaction.atomic():
                    form.save()
                    sent = emails.request_email_change(user=request.user, new_email=new_email)
            except ValidationError as exc:
                request.user.email = old_email
                form.add_error("email", exc)
            else:
                messages.success(request, _("Ihre Angaben wurden gespeichert."))
                if sent:
                    messages.info(
                        request,
                        _(
                            "Wir haben einen Bestätigungslink an %(email)s gesendet. Ihre neue "
                            "E-Mail-Adresse gilt, sobald Sie den Link geöffnet und bestätigt "
                            "haben; bis dahin bleibt die bisherige Adresse gültig."
                        )
                        % {"email": new_email},
                    )
                return redirect("accounts:account")
    else:
        form = ProfileForm(instance=request.user)
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "has_second_factor": selectors.has_second_factor(request.user),
            "requires_second_factor": selectors.requires_second_factor(request.user),
            "has_password": request.user.has_usable_password(),
            "qualification_form_label": QualificationForm(
                profile.qualification_form_of(request.user)
            ).label,
            "notifications": [
                (n, notifications.notification_text(n))
                for n in notifications.recent_notifications(request.user, limit=5)
            ],
        },
    )


@login_required
@never_cache
def email_confirm(request, token):
    """The link mailed to a new address: shows what will change; the POST confirms it."""
    context = {}
    try:
        data = emails.read_email_change_token(token)
        if data["u"] != request.user.pk:
            raise PermissionDenied(emails.EMAIL_LINK_OTHER_ACCOUNT)
        context["new_email"] = data["new"]
        if request.method == "POST":
            emails.confirm_email_change(user=request.user, token=token)
            messages.success(request, _("Ihre neue E-Mail-Adresse ist bestätigt."))
            return redirect("accounts:account")
    except PermissionDenied as exc:
        return render(request, "accounts/email_confirm.html", {"error": exc.args[0]}, status=403)
    except ValidationError as exc:
        return render(
            request, "accounts/email_confirm.html", {"error": exc.messages[0]}, status=400
        )
    return render(request, "accounts/email_confirm.html", context)


@login_required
@never_cache
def data_export(request):
    # Only the categories that hold something about this person (a participant has no editor
    # traces such as API keys to read about).
    titles = [c.title for c in data_summary.personal_data_summary(request.user)]
    return render(request, "accounts/data_export.html", {"titles": titles})


@login_required
@never_cache
def data_export_download(request):
    data = services.export_personal_data(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"meine-daten-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
@sensitive_post_parameters("password")
def erase(request):
    form = PasswordConfirmForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.erase_account(user=request.user, actor=request.user)
        logout(request)
        messages.success(
            request,
            _("Ihr Konto und Ihre personenbezogenen Daten wurden gelöscht. Auf Wiedersehen!"),
        )
        return redirect("/")
    return render(request, "accounts/erase.html", {"form": form})


@login_required
@sensitive_post_parameters("password")
@never_cache
def second_factor_setup(request):
    if selectors.has_second_factor(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('accounts:second_factor_verify')}?{request.GET.urlencode()}")
    if not _password_recently_checked(request):
        # A session that logged in long ago (e.g. before the Kursleitung reset the second
        # factor) does not enrol a device without the password: whoever holds the session
        # alone cannot bind the account to their phone.
        return _check_password_first(request)
    device = services.start_totp_setup(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_totp_device(
                user=request.user, token=form.cleaned_data["token"]
            )
        except ValidationError as error:
            form.add_error("token", error)
        else:
            otp_login(request, device)
            request.session.pop(SECOND_FACTOR_PENDING_SESSION_KEY, None)
            messages.success(request, _("Die Zwei-Faktor-Anmeldung ist eingerichtet."))
            return redirect(_safe_next(request, reverse("accounts:account")))
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            # The template labels the code (role="img"); the SVG itself stays unlabelled. With a
            # viewBox instead of a fixed size it shrinks with a narrow screen (reflow at 320 px).
            "qr_svg": qr.svg_inline(scale=5, border=4, omitsize=True),
            "secret": " ".join(_base32(device)[i : i + 4] for i in range(0, 32, 4)),
            "next": _safe_next(request, ""),
            "required": selectors.requires_second_factor(request.user),
        },
    )


# How long after a password check a device may be enrolled.
PASSWORD_CHECK_VALID_SECONDS = 10 * 60


def _password_recently_checked(request) -> bool:
    checked_at = request.session.get(PASSWORD_CHECKED_AT_SESSION_KEY, 0)
    return time.time() - checked_at < PASSWORD_CHECK_VALID_SECONDS


def _check_password_first(request):
    form = CurrentPasswordForm(
        request.POST if "password" in request.POST else None, user=request.user
    )
    if form.is_bound and form.is_valid():
        request.session[PASSWORD_CHECKED_AT_SESSION_KEY] = int(time.time())
        return redirect(f"{reverse('accounts:second_factor_setup')}?{request.GET.urlencode()}")
    return render(
        request,
        "accounts/second_factor_password.html",
        {"form": form, "next": _safe_next(request, "")},
        status=400 if form.is_bound else 200,
    )


@login_required
@never_cache
def second_factor_verify(request):
    if not selectors.has_second_factor(request.user):
        return redirect(f"{reverse('accounts:second_factor_setup')}?{request.GET.urlencode()}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_second_factor(
                user=request.user, token=form.cleaned_data["token"]
            )
        except ValidationError as error:
            form.add_error("token", error)
        else:
            otp_login(request, device)
            request.session.pop(SECOND_FACTOR_PENDING_SESSION_KEY, None)
            return redirect(_safe_next(request, _home_for(request.user)))
    return render(
        request,
        "accounts/second_factor_verify.html",
        {"form": form, "next": _safe_next(request, "")},
    )


@login_required
@require_POST
def second_factor_disable(request):
    try:
        services.disable_second_factor(user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Die Zwei-Faktor-Anmeldung ist ausgeschaltet."))
    return redirect("accounts:account")


def _base32(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode("ascii")


# --- Password reset: Django's views with German pages, the link mailed by a task ------------


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the email address. Known or not, the answer is the same page, and as quick: the
    form enqueues the email (``PasswordResetRequestForm.save``) instead of waiting for the mail
    server."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")
    title = gettext_lazy("Passwort vergessen")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    title = gettext_lazy("E-Mail unterwegs")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The emailed link: Django checks the one-time token, moves it into the session (so it does
    not leak through the Referer header) and asks for the new password, which the password
    validators check. No automatic login: the person signs in with the new password, and with
    the second factor where they have one."""

    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    title = gettext_lazy("Neues Passwort festlegen")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_was_reset(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    title = gettext_lazy("Passwort geändert")


# --- Invitations: the participant sets the first password with the one-time link ---------


class AcceptInvitationView(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation with the invitation's token: after setting the
    password the person is signed in and lands on their dashboard."""

    token_generator = invitation_tokens
    template_name = "accounts/accept_invitation.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    title = gettext_lazy("Passwort festlegen")

    def form_valid(self, form):
        response = super().form_valid(form)
        emails.mark_email_confirmed(user=form.user)  # the link reached the address
        return response

    def get_success_url(self):
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["valid_days"] = INVITATION_VALID_DAYS
        return context
