"""OpenID Connect login with mozilla-django-oidc, one configured provider at a time.

The library builds the authorization request (``state``, ``nonce``, PKCE with S256), exchanges
the code and checks the ID token's signature against the provider's JWKS and its nonce. This
module gives it the provider's settings instead of the global ones, and tightens two checks the
library leaves open: the token's audience and issuer, and a bounded clock skew.
"""

from __future__ import annotations

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.utils.encoding import smart_str
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from accounts.sso.providers import OIDC, Provider, oidc_endpoints
from accounts.sso.services import Assertion, sign_in_external

CALLBACK_URL_NAME = "accounts:sso_oidc_callback"
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384")


class TokenExpired(SuspiciousOperation):
    """The ID token's ``exp`` lies further in the past than the allowed clock skew."""


def _settings_for(provider: Provider, endpoints: dict) -> dict:
    return {
        "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
        "OIDC_RP_CLIENT_ID": provider.client_id,
        "OIDC_RP_CLIENT_SECRET": provider.client_secret,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": endpoints.get("authorization_endpoint", ""),
        "OIDC_OP_TOKEN_ENDPOINT": endpoints.get("token_endpoint", ""),
        "OIDC_OP_USER_ENDPOINT": endpoints.get("userinfo_endpoint", ""),
        "OIDC_OP_JWKS_ENDPOINT": endpoints.get("jwks_uri", ""),
        "OIDC_RP_SCOPES": provider.scopes,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_REDIRECT_FIELD_NAME": "next",
        # Kept in the session (server side) as the hint for RP-initiated logout.
        "OIDC_STORE_ID_TOKEN": True,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_TIMEOUT": settings.SSO_HTTP_TIMEOUT,
        "OIDC_ALLOW_UNSECURED_JWT": False,
    }


class ProviderAuthenticationRequestView(OIDCAuthenticationRequestView):
    """The library's authorization request, for one provider. Used by ``views.oidc_start``."""

    def __init__(self, *, provider: Provider, endpoints: dict, **kwargs):
        self.provider_settings = _settings_for(provider, endpoints)
        super().__init__(**kwargs)

    def get_settings(self, attr, *args):
        if attr in self.provider_settings:
            return self.provider_settings[attr]
        return import_from_settings(attr, *args)


class ProviderOIDCBackend(OIDCAuthenticationBackend):
    """The library's code exchange and token checks, for one provider; not an entry of
    ``AUTHENTICATION_BACKENDS`` (the callback view calls it, so a refusal is counted once, with
    the provider's name)."""

    def __init__(self, *, provider: Provider, endpoints: dict):
        self.provider = provider
        self.issuer = endpoints.get("issuer", "")
        self.provider_settings = _settings_for(provider, endpoints)
        self.error_message = None
        self.assertion = None
        super().__init__()
        self.OIDC_RP_SIGN_ALGO = "RS256"

    def get_settings(self, attr, *args):
        if attr in self.provider_settings:
            return self.provider_settings[attr]
        return import_from_settings(attr, *args)

    def retrieve_matching_jwk(self, token):
        """The provider's signing key for ``token``: by ``kid`` when the token names one, else
        the only signing key of the token's algorithm (some providers send no ``kid``)."""
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.SSO_HTTP_TIMEOUT)
        response.raise_for_status()
        header = jwt.get_unverified_header(token)
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("use", "sig") == "sig"
            and ("alg" not in key or key["alg"] == smart_str(header.get("alg")))
        ]
        if header.get("kid") is not None:
            keys = [key for key in keys if key.get("kid") == smart_str(header["kid"])]
        if len(keys) != 1:
            raise SuspiciousOperation("No single matching key in the provider's JWKS.")
        return jwt.PyJWK(keys[0])

    def _verify_jws(self, payload, key):
        """Signature, algorithm, audience, issuer, expiry (with the allowed clock skew)."""
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation("Malformed token.") from error
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise SuspiciousOperation("Token algorithm not allowed.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[alg],
                audience=self.provider.client_id,
                issuer=self.issuer or None,
                leeway=settings.SSO_CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise TokenExpired("ID token expired.") from error
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {type(error).__name__}") from error

    def get_or_create_user(self, access_token, id_token, payload):
        """The account for the token's subject (never looked up by email)."""
        claims = dict(payload)
        if self.provider.userinfo and self.OIDC_OP_USER_ENDPOINT:
            info = self.get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("UserInfo belongs to another subject.")
            claims = {**info, **payload}  # what the signed ID token says wins
        self.assertion = assertion_from_claims(self.provider, claims)
        try:
            return sign_in_external(assertion=self.assertion)
        except ValidationError as error:
            self.error_message = error.messages[0]
            return None


def _claim_list(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.split()) if " " in value else (value,)
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)[:200]
    return ()


def assertion_from_claims(provider: Provider, claims: dict) -> Assertion:
    def claim(name: str) -> str:
        key = provider.claim(name)
        value = claims.get(key) if key else None
        return str(value) if isinstance(value, str | int) else ""

    amr = set(_claim_list(claims.get("amr")))
    mfa = bool(amr & set(provider.mfa_amr)) or (
        bool(provider.mfa_acr) and claims.get("acr") in provider.mfa_acr
    )
    subject = claims.get(provider.subject_claim)
    groups_claim = provider.claim("groups")
    return Assertion(
        provider=provider,
        subject=str(subject) if isinstance(subject, str | int) else "",
        email=claim("email"),
        first_name=claim("first_name"),
        last_name=claim("last_name"),
        organisation_unit=claim("organisation_unit"),
        groups=_claim_list(claims.get(groups_claim)) if groups_claim else (),
        mfa=mfa,
    )


def end_session_url(
    provider: Provider, *, id_token: str, post_logout_redirect_uri: str
) -> str | None:
    """The provider's RP-initiated logout URL, or None when it offers none."""
    from urllib.parse import urlencode

    if provider.protocol != OIDC or not provider.logout:
        return None
    try:
        endpoint = oidc_endpoints(provider).get("end_session_endpoint")
    except requests.RequestException:
        return None
    if not endpoint:
        return None
    params = {"client_id": provider.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    if id_token:
        params["id_token_hint"] = id_token
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params)}"
