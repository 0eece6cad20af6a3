import pytest

from accounts.sso.providers import forget_discovery
from tests.accounts.sso.oidc_stand_in import oidc_provider, token_relay  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_sso(settings):
    """No provider unless a test configures one; discovery documents are fetched anew."""
    settings.SSO_PROVIDERS = []
    settings.SSO_LOCAL_LOGIN = True
    forget_discovery()
    yield
    forget_discovery()
