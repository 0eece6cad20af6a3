"""Settings of the organisation login (single sign-on, accounts/sso/; README "Anmeldung mit dem
Konto der Organisation"), read from environment variables. ``config.settings`` takes them all and
adds the ones that depend on its own: the login URLs (with the local login off, Wagtail's admin
login goes to the login page with the providers' buttons; on, it keeps Wagtail's default)."""

import environ

_env = environ.Env()

# A JSON list of identity providers (OIDC or SAML), one login button each.
SSO_PROVIDERS = _env.json("SSO_PROVIDERS", default=[])
# Off: no username/password form on the login page; superusers keep /konto/notfall-anmeldung/.
SSO_LOCAL_LOGIN = _env.bool("SSO_LOCAL_LOGIN", default=True)
# Clocks of the provider and this server may differ by this much (token and assertion times).
SSO_CLOCK_SKEW_SECONDS = _env.int("SSO_CLOCK_SKEW_SECONDS", default=120)
SSO_HTTP_TIMEOUT = _env.int("SSO_HTTP_TIMEOUT", default=10)
# This platform as a SAML service provider: entity ID (default: its metadata URL) and an
# optional key pair for signed requests and encrypted assertions.
SSO_SAML_ENTITY_ID = _env.str("SSO_SAML_ENTITY_ID", default="")
SSO_SAML_KEY_FILE = _env.str("SSO_SAML_KEY_FILE", default="")
SSO_SAML_CERT_FILE = _env.str("SSO_SAML_CERT_FILE", default="")
SAML_CONFIG_LOADER = "accounts.sso.saml.config_loader"
SAML_CSP_HANDLER = ""  # our CSP middleware covers djangosaml2's pages
# The SSO libraries log whole assertions and claims at DEBUG/INFO: never tokens in logs.
SSO_LOG_LEVELS = {
    "saml2": {"level": "WARNING"},
    "djangosaml2": {"level": "ERROR"},
    "mozilla_django_oidc": {"level": "WARNING"},
}
