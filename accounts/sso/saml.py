"""SAML 2.0 login with djangosaml2 and pysaml2: one service provider (this platform), the
configured identity providers in its metadata.

pysaml2 checks what the IdP posts: the XML signature of the assertion (required), the response's
``Destination`` and the bearer confirmation's ``Recipient`` against our ACS URL, the audience
against our entity ID, ``InResponseTo`` against a request this browser started (no unsolicited
responses) and the validity window with ``SSO_CLOCK_SKEW_SECONDS`` of slack. On top, an
assertion ID is accepted once (``custom_validation``), and a transient NameID is refused unless
the provider names a stable attribute as the subject.
"""

from __future__ import annotations

import copy
import logging
import shutil
import threading
import time

import saml2
from django.conf import settings
from django.contrib import auth
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.urls import reverse
from djangosaml2 import views as saml_views
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.validate import ResponseLifetimeExceed, ToEarly

from accounts.sso.flow import after_login, is_locked_out, refuse, refuse_locked
from accounts.sso.providers import SAML, Provider, providers, saml_provider_for_issuer
from accounts.sso.services import (
    LOGIN_EXPIRED,
    LOGIN_FAILED,
    NO_SUBJECT,
    PROVIDER_UNREACHABLE,
    Assertion,
    sign_in_external,
)

logger = logging.getLogger(__name__)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
STARTED_PROVIDER_KEY = "sso_saml_provider"
REPLAY_CACHE_PREFIX = "accounts:sso:saml-assertion:"


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def sp_entity_id() -> str:
    return settings.SSO_SAML_ENTITY_ID or _absolute(reverse("accounts:sso_saml_metadata"))


def acs_url() -> str:
    return _absolute(reverse("accounts:sso_saml_acs"))


def sls_url() -> str:
    return _absolute(reverse("accounts:sso_saml_sls"))


def config_dict(*, with_idps: bool = True) -> dict:
    saml_providers = [p for p in providers() if p.protocol == SAML and with_idps]
    metadata = {"local": [], "remote": [], "inline": []}
    for provider in saml_providers:
        if provider.metadata_xml:
            metadata["inline"].append(provider.metadata_xml)
        if provider.metadata_file:
            metadata["local"].append(provider.metadata_file)
        if provider.metadata_url:
            metadata["remote"].append({"url": provider.metadata_url})
    signing = bool(settings.SSO_SAML_KEY_FILE and settings.SSO_SAML_CERT_FILE)
    config = {
        "entityid": sp_entity_id(),
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "allow_unknown_attributes": True,
        "accepted_time_diff": settings.SSO_CLOCK_SKEW_SECONDS,
        "http_client_timeout": settings.SSO_HTTP_TIMEOUT,
        "service": {
            "sp": {
                "name": settings.WAGTAIL_SITE_NAME,
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(), saml2.BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (sls_url(), saml2.BINDING_HTTP_REDIRECT),
                        (sls_url(), saml2.BINDING_HTTP_POST),
                    ],
                },
                "allow_unsolicited": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": signing,
                "logout_requests_signed": signing,
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
                "name_id_format_allow_create": True,
            }
        },
        "metadata": {kind: entries for kind, entries in metadata.items() if entries},
    }
    if signing:
        config["key_file"] = str(settings.SSO_SAML_KEY_FILE)
        config["cert_file"] = str(settings.SSO_SAML_CERT_FILE)
        config["encryption_keypairs"] = [
            {
                "key_file": str(settings.SSO_SAML_KEY_FILE),
                "cert_file": str(settings.SSO_SAML_CERT_FILE),
            }
        ]
    return config


_configs: dict[str, tuple[float, SPConfig]] = {}
_configs_lock = threading.Lock()
CONFIG_MAX_AGE = 60 * 60


class MetadataUnavailable(Exception):
    """An IdP's remote metadata could not be fetched or read, and none was fetched before."""


def config_loader(request=None) -> SPConfig:
    """djangosaml2's ``SAML_CONFIG_LOADER``: the SP configuration, kept for an hour per content
    (remote metadata is fetched once then, not on every request). When the hour is over and a
    metadata URL does not answer (or answers something unreadable), the last configuration
    read keeps serving, and the fetch is tried again at the next request: an IdP's metadata
    server being down does not stop logins at that IdP. Without any earlier configuration it
    raises ``MetadataUnavailable``."""
    raw = config_dict()
    key = repr(raw)
    with _configs_lock:
        cached = _configs.get(key)
    if cached and time.monotonic() - cached[0] < CONFIG_MAX_AGE:
        return cached[1]
    config = SPConfig()
    try:
        config.load(copy.deepcopy(raw))
    except Exception as error:  # pysaml2 raises many kinds (network, HTTP status, XML)
        if cached:
            logger.warning("SAML metadata could not be refreshed, keeping the last: %r", error)
            return cached[1]
        raise MetadataUnavailable(repr(error)) from error
    with _configs_lock:
        _configs.clear()
        _configs[key] = (time.monotonic(), config)
    return config


def sp_config_loader(request=None) -> SPConfig:
    """This platform's own SP configuration, without the IdPs' metadata: what the SP metadata
    page publishes needs none of it, so it answers even when no IdP metadata can be fetched."""
    config = SPConfig()
    config.load(config_dict(with_idps=False))
    return config


# --- Reading the assertion -------------------------------------------------------------------


def _first(values) -> str:
    if isinstance(values, list | tuple):
        values = values[0] if values else ""
    return str(values or "")


def assertion_from_session_info(provider: Provider, session_info: dict) -> Assertion:
    ava = session_info.get("ava") or {}
    name_id = session_info.get("name_id")
    if provider.subject_attribute:
        subject = _first(ava.get(provider.subject_attribute))
    elif name_id is not None and name_id.format == NAMEID_FORMAT_PERSISTENT:
        subject = str(name_id.text or "").strip()
    else:
        subject = ""
    contexts = {str(context[0]) for context in (session_info.get("authn_info") or []) if context}

    def attribute(name: str) -> str:
        key = provider.claim(name)
        return _first(ava.get(key)) if key else ""

    groups_key = provider.claim("groups")
    groups = ava.get(groups_key, []) if groups_key else []
    return Assertion(
        provider=provider,
        subject=subject,
        email=attribute("email"),
        first_name=attribute("first_name"),
        last_name=attribute("last_name"),
        organisation_unit=attribute("organisation_unit"),
        groups=tuple(str(group) for group in groups)[:200],
        mfa=bool(contexts & set(provider.mfa_authn_contexts)),
    )


class ReplayedAssertion(SuspiciousOperation):
    pass


class AssertionConsumerService(saml_views.AssertionConsumerServiceView):
    """djangosaml2's ACS with the checks above, the account taken from the external identity,
    and refusals shown in German and counted by the lockout."""

    config_loader_path = "accounts.sso.saml.config_loader"

    def post(self, request, *args, **kwargs):
        self.provider_key = request.saml_session.get(STARTED_PROVIDER_KEY, "saml")
        if is_locked_out(request=request, provider_key=self.provider_key):
            return refuse_locked(request)
        try:
            return super().post(request, *args, **kwargs)
        except MetadataUnavailable:
            return refuse(
                request,
                PROVIDER_UNREACHABLE,
                provider_key=self.provider_key,
                status=502,
                count=False,
            )

    def custom_validation(self, response):
        provider = saml_provider_for_issuer(response.issuer())
        if provider is None:
            raise SuspiciousOperation("Response from an IdP that is not configured.")
        if not response.assertion or not response.assertion.signature:
            raise SuspiciousOperation("Assertion not signed.")
        assertion_id = response.assertion.id
        if not cache.add(REPLAY_CACHE_PREFIX + assertion_id, 1, timeout=60 * 60 * 24):
            raise ReplayedAssertion("Assertion already used.")
        self.provider = provider

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        if isinstance(exception, PermissionDenied) and exception.args:
            message = exception.args[0]
        elif isinstance(exception, ResponseLifetimeExceed | ToEarly):
            message = LOGIN_EXPIRED
        else:
            message = LOGIN_FAILED
        return refuse(request, message, provider_key=self.provider_key, status=status)

    def authenticate_user(
        self, request, session_info, attribute_mapping, create_unknown_user, assertion_info
    ):
        assertion = assertion_from_session_info(self.provider, session_info)
        if not assertion.subject:
            raise PermissionDenied(NO_SUBJECT)
        try:
            user = sign_in_external(assertion=assertion)
        except ValidationError as error:
            raise PermissionDenied(error.messages[0]) from error
        auth.login(request, user, backend=MODEL_BACKEND)
        saml_views._set_subject_id(request.saml_session, session_info["name_id"])
        after_login(request, assertion=assertion)
        return user


class Login(saml_views.LoginView):
    config_loader_path = "accounts.sso.saml.config_loader"


class LogoutInit(saml_views.LogoutInitView):
    config_loader_path = "accounts.sso.saml.config_loader"

    def handle_unsupported_slo_exception(self, request, exception, *args, **kwargs):
        from django.http import HttpResponseRedirect

        return HttpResponseRedirect(settings.LOGOUT_REDIRECT_URL)


class LogoutService(saml_views.LogoutView):
    config_loader_path = "accounts.sso.saml.config_loader"


class Metadata(saml_views.MetadataView):
    config_loader_path = "accounts.sso.saml.sp_config_loader"
