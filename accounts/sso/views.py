"""The login page with one button per organisation, the OIDC and SAML entry points, logout at
the provider, and the emergency login for superusers when the local form is switched off."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.forms import LoginForm
from accounts.sso import saml
from accounts.sso.flow import (
    SSO_SESSION_KEY,
    after_login,
    is_locked_out,
    refuse,
    refuse_locked,
)
from accounts.sso.oidc import (
    ProviderAuthenticationRequestView,
    ProviderOIDCBackend,
    TokenExpired,
    end_session_url,
)
from accounts.sso.providers import OIDC, SAML, get_provider, oidc_endpoints, providers
from accounts.sso.services import (
    LOGIN_CANCELLED,
    LOGIN_EXPIRED,
    LOGIN_FAILED,
    PROVIDER_UNKNOWN,
    PROVIDER_UNREACHABLE,
)

# state -> provider key, beside the library's "oidc_states" (state -> nonce, PKCE verifier).
OIDC_PROVIDER_BY_STATE_KEY = "sso_oidc_provider_by_state"
OIDC_STATES_KEY = "oidc_states"
OIDC_ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105  (a session key, not a secret)
MAX_PENDING_STATES = 50
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
EMERGENCY_ONLY_SUPERUSERS = _(
    "Die Notfall-Anmeldung ist nur für Administrator:innen der Plattform. Bitte melden Sie sich "
    "über die Schaltfläche Ihrer Organisation an."
)
LOCAL_LOGIN_OFF = _(
    "Die Anmeldung mit Benutzername und Passwort ist hier ausgeschaltet. Bitte melden Sie sich "
    "über die Schaltfläche Ihrer Organisation an."
)


def local_login_enabled() -> bool:
    return settings.SSO_LOCAL_LOGIN


class LoginView(auth_views.LoginView):
    """Django's login view, with the providers' buttons (template tag) and the local form only
    when the deployment keeps it (``SSO_LOCAL_LOGIN``)."""

    authentication_form = LoginForm

    def post(self, request, *args, **kwargs):
        if not local_login_enabled():
            context = self.get_context_data(
                form=AuthenticationForm(request), sso_error=LOCAL_LOGIN_OFF
            )
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)


class EmergencyAuthenticationForm(LoginForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(EMERGENCY_ONLY_SUPERUSERS, code="not_superuser")


class EmergencyLoginView(auth_views.LoginView):
    """The local form for superusers, always reachable (also when ``SSO_LOCAL_LOGIN`` is off),
    so a provider outage does not lock the administration out. Lockout and second factor apply
    as on the normal form."""

    form_class = EmergencyAuthenticationForm
    template_name = "accounts/sso/emergency_login.html"


def _safe_next(request) -> str:
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


# --- OIDC ----------------------------------------------------------------------------------


@never_cache
@require_GET
def oidc_start(request, provider_key: str):
    provider = get_provider(provider_key, OIDC)
    if provider is None:
        raise Http404(PROVIDER_UNKNOWN)
    if is_locked_out(request=request, provider_key=provider.key):
        return refuse_locked(request)
    try:
        endpoints = oidc_endpoints(provider)
    except (requests.RequestException, ValueError):
        return refuse(
            request, PROVIDER_UNREACHABLE, provider_key=provider.key, status=502, count=False
        )
    view = ProviderAuthenticationRequestView(provider=provider, endpoints=endpoints)
    view.setup(request)
    response = view.get(request)
    state = parse_qs(urlparse(response["Location"]).query)["state"][0]
    bound = request.session.get(OIDC_PROVIDER_BY_STATE_KEY)
    bound = bound if isinstance(bound, dict) else {}
    bound[state] = provider.key
    # The library keeps at most 50 pending states; so does this map (oldest first out).
    request.session[OIDC_PROVIDER_BY_STATE_KEY] = dict(list(bound.items())[-MAX_PENDING_STATES:])
    return response


@never_cache
@require_GET
def oidc_callback(request):
    """The redirect URI of every OIDC provider. The ``state`` must be one this browser's session
    started (and is used once); it names the provider whose token endpoint and keys are used."""
    state = request.GET.get("state", "")
    states = request.session.get(OIDC_STATES_KEY)
    bound = request.session.get(OIDC_PROVIDER_BY_STATE_KEY)
    pending = states.get(state) if isinstance(states, dict) else None
    provider_key = bound.get(state) if isinstance(bound, dict) else None
    provider = get_provider(provider_key, OIDC) if provider_key else None
    if pending is None or provider is None:
        return refuse(request, LOGIN_FAILED, provider_key=provider_key or OIDC, status=400)
    # Used once: a replayed or parallel callback with this state finds nothing.
    del states[state]
    del bound[state]
    request.session.modified = True
    request.session.save()
    if is_locked_out(request=request, provider_key=provider.key):
        return refuse_locked(request)
    if request.GET.get("error"):
        return refuse(request, LOGIN_CANCELLED, provider_key=provider.key, count=False)
    if not request.GET.get("code"):
        return refuse(request, LOGIN_FAILED, provider_key=provider.key, status=400)
    try:
        endpoints = oidc_endpoints(provider)
        backend = ProviderOIDCBackend(provider=provider, endpoints=endpoints)
        user = backend.authenticate(
            request, nonce=pending.get("nonce"), code_verifier=pending.get("code_verifier")
        )
    except TokenExpired:
        return refuse(request, LOGIN_EXPIRED, provider_key=provider.key)
    except (SuspiciousOperation, jwt.InvalidTokenError, KeyError, ValueError):
        return refuse(request, LOGIN_FAILED, provider_key=provider.key)
    except requests.HTTPError:
        # The token endpoint refused the code (used, foreign or forged).
        return refuse(request, LOGIN_FAILED, provider_key=provider.key)
    except requests.RequestException:
        return refuse(
            request, PROVIDER_UNREACHABLE, provider_key=provider.key, status=502, count=False
        )
    if user is None:
        return refuse(request, backend.error_message or LOGIN_FAILED, provider_key=provider.key)
    id_token = request.session.get(OIDC_ID_TOKEN_KEY, "")
    next_url = request.session.get("oidc_login_next") or ""
    auth.login(request, user, backend=MODEL_BACKEND)
    if id_token:
        request.session[OIDC_ID_TOKEN_KEY] = id_token
    after_login(request, assertion=backend.assertion)
    return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


# --- SAML ----------------------------------------------------------------------------------


@never_cache
@require_GET
def saml_start(request, provider_key: str):
    provider = get_provider(provider_key, SAML)
    if provider is None:
        raise Http404(PROVIDER_UNKNOWN)
    if is_locked_out(request=request, provider_key=provider.key):
        return refuse_locked(request)
    request.GET = request.GET.copy()
    request.GET["idp"] = provider.entity_id
    request.saml_session[saml.STARTED_PROVIDER_KEY] = provider.key
    try:
        return saml.Login.as_view()(request)
    except Exception:  # metadata unreachable or broken: pysaml2 raises many kinds
        return refuse(
            request, PROVIDER_UNREACHABLE, provider_key=provider.key, status=502, count=False
        )


# --- Logout --------------------------------------------------------------------------------


class LogoutView(auth_views.LogoutView):
    """Ends the local session and, for an organisation login, the provider's session where the
    provider supports it: OIDC RP-initiated logout (``end_session_endpoint``) or SAML single
    logout. Without that support (or with ``"logout": false``) only the local session ends."""

    def post(self, request, *args, **kwargs):
        marker = request.session.get(SSO_SESSION_KEY) or {}
        provider = get_provider(marker.get("provider", ""))
        if provider is not None and provider.logout and request.user.is_authenticated:
            if provider.protocol == SAML:
                view = saml.LogoutInit()
                view.setup(request)
                try:
                    return view.get(request)
                except Exception:  # IdP without usable SLO: the local logout still happens
                    auth.logout(request)
                    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
            url = end_session_url(
                provider,
                id_token=request.session.get(OIDC_ID_TOKEN_KEY, ""),
                post_logout_redirect_uri=request.build_absolute_uri(
                    resolve_url(settings.LOGOUT_REDIRECT_URL)
                ),
            )
            response = super().post(request, *args, **kwargs)
            return HttpResponseRedirect(url) if url else response
        return super().post(request, *args, **kwargs)


def provider_buttons(next_url: str = "") -> list[dict]:
    """Label and start URL of each configured provider, for the login page."""
    buttons = []
    for provider in providers():
        name = "accounts:sso_oidc_start" if provider.protocol == OIDC else "accounts:sso_saml_start"
        url = reverse(name, kwargs={"provider_key": provider.key})
        if next_url:
            from urllib.parse import urlencode

            url = f"{url}?{urlencode({'next': next_url})}"
        buttons.append({"key": provider.key, "label": provider.label, "url": url})
    return buttons


def admin_login(request):
    """Wagtail's admin login (a password form) only while the local login is on; otherwise the
    login page with the organisations' buttons."""
    if local_login_enabled():
        from wagtail.admin.views.account import LoginView as WagtailLoginView

        return WagtailLoginView.as_view()(request)
    query = request.GET.urlencode()
    return HttpResponseRedirect(reverse("login") + (f"?{query}" if query else ""))
