"""The organisations' identity providers, as the deployment describes them in ``SSO_PROVIDERS``.

Each entry is a dict (README, "Anmeldung mit dem Konto der Organisation"); this module checks
it once and turns it into a ``Provider``. OIDC endpoints come from the provider's discovery
document, fetched on first use and kept for an hour.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

OIDC = "oidc"
SAML = "saml"
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
# Group mapping: the roles a provider's groups may grant, as the names of our editor groups.
ROLE_GROUPS = {"trainers": "Trainer:innen", "leads": "Kursleitung"}
DEFAULT_MFA_AMR = ("mfa", "otp", "hwk")
DEFAULT_OIDC_CLAIMS = {
    "email": "email",
    "first_name": "given_name",
    "last_name": "family_name",
    "organisation_unit": "",
    "groups": "groups",
}
DEFAULT_SAML_ATTRIBUTES = {
    "email": "email",
    "first_name": "givenName",
    "last_name": "surname",
    "organisation_unit": "",
    "groups": "",
}


@dataclass(frozen=True)
class Provider:
    key: str
    protocol: str
    label: str
    organisation: str = ""
    # OIDC
    discovery_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    scopes: str = "openid email profile"
    endpoints: dict = field(default_factory=dict)  # overrides of the discovery document
    subject_claim: str = "sub"
    userinfo: bool = True
    mfa_amr: tuple[str, ...] = DEFAULT_MFA_AMR
    mfa_acr: tuple[str, ...] = ()
    # SAML
    entity_id: str = ""
    metadata_url: str = ""
    metadata_file: str = ""
    metadata_xml: str = ""
    subject_attribute: str = ""  # empty: the persistent NameID
    mfa_authn_contexts: tuple[str, ...] = ()
    # Both
    claims: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)  # {"trainers": [...], "leads": [...]}
    trust_mfa: bool = False
    logout: bool = True

    @property
    def button_text(self) -> str:
        return self.label

    def claim(self, name: str) -> str:
        return self.claims.get(name, "")


def _tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


def parse_provider(raw: dict) -> Provider:
    """One entry of ``SSO_PROVIDERS``; ImproperlyConfigured names what is wrong."""
    if not isinstance(raw, dict):
        raise ImproperlyConfigured("SSO_PROVIDERS: each provider must be an object")
    key = str(raw.get("key", ""))
    if not KEY_PATTERN.match(key):
        raise ImproperlyConfigured(
            f"SSO_PROVIDERS: key {key!r} must be lower-case letters, digits and hyphens"
        )
    protocol = raw.get("protocol")
    label = raw.get("label") or key
    groups = raw.get("groups") or {}
    unknown_roles = set(groups) - set(ROLE_GROUPS)
    if unknown_roles:
        raise ImproperlyConfigured(
            f"SSO_PROVIDERS[{key}]: groups may map only {sorted(ROLE_GROUPS)}, "
            f"not {sorted(unknown_roles)}"
        )
    common = {
        "key": key,
        "protocol": protocol,
        "label": str(label),
        "organisation": str(raw.get("organisation", "")),
        "groups": {role: list(_tuple(names)) for role, names in groups.items()},
        "trust_mfa": bool(raw.get("trust_mfa", False)),
        "logout": bool(raw.get("logout", True)),
    }
    if protocol == OIDC:
        for required in ("client_id",):
            if not raw.get(required):
                raise ImproperlyConfigured(f"SSO_PROVIDERS[{key}]: {required} is missing")
        if not raw.get("discovery_url") and not raw.get("endpoints"):
            raise ImproperlyConfigured(f"SSO_PROVIDERS[{key}]: discovery_url is missing")
        return Provider(
            **common,
            discovery_url=str(raw.get("discovery_url", "")),
            client_id=str(raw["client_id"]),
            client_secret=str(raw.get("client_secret", "")),
            scopes=str(raw.get("scopes", "openid email profile")),
            endpoints=dict(raw.get("endpoints") or {}),
            subject_claim=str(raw.get("subject_claim", "sub")),
            userinfo=bool(raw.get("userinfo", True)),
            mfa_amr=_tuple(raw.get("mfa_amr", DEFAULT_MFA_AMR)),
            mfa_acr=_tuple(raw.get("mfa_acr")),
            claims={**DEFAULT_OIDC_CLAIMS, **(raw.get("claims") or {})},
        )
    if protocol == SAML:
        if not raw.get("entity_id"):
            raise ImproperlyConfigured(f"SSO_PROVIDERS[{key}]: entity_id is missing")
        if not (raw.get("metadata_url") or raw.get("metadata_file") or raw.get("metadata_xml")):
            raise ImproperlyConfigured(
                f"SSO_PROVIDERS[{key}]: metadata_url or metadata_file is missing"
            )
        return Provider(
            **common,
            entity_id=str(raw["entity_id"]),
            metadata_url=str(raw.get("metadata_url", "")),
            metadata_file=str(raw.get("metadata_file", "")),
            metadata_xml=str(raw.get("metadata_xml", "")),
            subject_attribute=str(raw.get("subject_attribute", "")),
            mfa_authn_contexts=_tuple(raw.get("mfa_authn_contexts")),
            claims={**DEFAULT_SAML_ATTRIBUTES, **(raw.get("attributes") or {})},
        )
    raise ImproperlyConfigured(f"SSO_PROVIDERS[{key}]: protocol must be 'oidc' or 'saml'")


def providers() -> list[Provider]:
    """The configured providers, in the order of the settings (the order of the buttons)."""
    raw = settings.SSO_PROVIDERS or []
    parsed = [parse_provider(entry) for entry in raw]
    keys = [provider.key for provider in parsed]
    if len(keys) != len(set(keys)):
        raise ImproperlyConfigured("SSO_PROVIDERS: every provider needs its own key")
    return parsed


def get_provider(key: str, protocol: str | None = None) -> Provider | None:
    for provider in providers():
        if provider.key == key and (protocol is None or provider.protocol == protocol):
            return provider
    return None


def saml_provider_for_issuer(entity_id: str) -> Provider | None:
    for provider in providers():
        if provider.protocol == SAML and provider.entity_id == entity_id:
            return provider
    return None


# --- OIDC discovery ------------------------------------------------------------------------

DISCOVERY_MAX_AGE = 60 * 60
_discovery: dict[str, tuple[float, dict]] = {}
_discovery_lock = threading.Lock()


def oidc_endpoints(provider: Provider) -> dict:
    """The provider's discovery document (``issuer``, ``authorization_endpoint``,
    ``token_endpoint``, ``userinfo_endpoint``, ``jwks_uri``, ``end_session_endpoint``), with the
    entry's ``endpoints`` overriding it. Raises ``requests.RequestException`` when the provider
    cannot be reached."""
    document = {}
    if provider.discovery_url:
        with _discovery_lock:
            cached = _discovery.get(provider.discovery_url)
        if cached and time.monotonic() - cached[0] < DISCOVERY_MAX_AGE:
            document = cached[1]
        else:
            response = requests.get(provider.discovery_url, timeout=settings.SSO_HTTP_TIMEOUT)
            response.raise_for_status()
            document = response.json()
            with _discovery_lock:
                _discovery[provider.discovery_url] = (time.monotonic(), document)
    return {**document, **provider.endpoints}


def forget_discovery() -> None:
    with _discovery_lock:
        _discovery.clear()
