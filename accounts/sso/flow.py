"""What both login protocols do around the library's checks: refuse with a German message (and
count the refusal for the lockout), and mark the new session after a login."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render

from accounts.signals import SECOND_FACTOR_PENDING_SESSION_KEY
from accounts.sso.services import (
    LOCKED_OUT,
    Assertion,
    forget_refused_logins,
    is_locked_out,
    record_refused_login,
)

# {"provider": key, "protocol": "oidc"|"saml"}: the session came from an organisation login.
SSO_SESSION_KEY = "sso"
# True when the provider asserted multi-factor authentication and the deployment trusts it for
# that provider: the session counts as verified with a second factor.
SSO_MFA_SESSION_KEY = "sso_mfa"

__all__ = ["after_login", "is_locked_out", "refuse", "refuse_locked"]


def refuse(request, message, *, provider_key: str, status: int = 403, count: bool = True):
    """The login page with ``message``; the refusal counts towards the lockout unless
    ``count`` is False (a person who cancelled at the provider did nothing wrong)."""
    if count:
        record_refused_login(request=request, provider_key=provider_key)
    return render(
        request,
        "registration/login.html",
        {"form": AuthenticationForm(request), "sso_error": message, "next": ""},
        status=status,
    )


def refuse_locked(request):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "sso_error": LOCKED_OUT % {"minutes": minutes},
            "next": "",
        },
        status=429,
    )


def after_login(request, *, assertion: Assertion) -> None:
    """Marks the fresh session (after ``auth.login``) as an organisation login."""
    provider = assertion.provider
    request.session[SSO_SESSION_KEY] = {"provider": provider.key, "protocol": provider.protocol}
    if provider.trust_mfa and assertion.mfa:
        request.session[SSO_MFA_SESSION_KEY] = True
        request.session.pop(SECOND_FACTOR_PENDING_SESSION_KEY, None)
    forget_refused_logins(request=request, provider_key=provider.key)
