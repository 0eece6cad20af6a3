"""Organisation login in a real browser, through the OpenID provider's own page."""

import pytest

from accounts.models import ExternalIdentity
from tests.accounts.sso.oidc_stand_in import oidc_provider_entry, seed_oidc_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def oidc_provider():
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def test_a_participant_logs_in_with_the_organisations_button_and_lands_on_mein_lernstand(
    live_demo, page, settings, oidc_provider
):
    # given a deployment with the Luzern provider and a person in its directory
    settings.SSO_PROVIDERS = [oidc_provider_entry(oidc_provider)]
    seed_oidc_user(
        oidc_provider,
        "lu-e2e-1",
        {"email": "e2e@lu.example.ch", "given_name": "Erika", "family_name": "Beispiel"},
    )
    # when they open the login page and choose their organisation
    page.goto(live_demo + "/konto/anmelden/")
    page.get_by_role("link", name="Mit Kanton Luzern anmelden").click()
    # and sign in on the provider's page
    page.wait_for_url(oidc_provider + "/**")
    page.locator("input[name=sub]").fill("lu-e2e-1")
    page.get_by_role("button", name="Authorize").click()
    # then they are back, logged in, on "Mein Lernstand"
    page.wait_for_url(live_demo + "/lernen/")
    assert page.get_by_role("heading", level=1).inner_text() == "Mein Lernstand"
    user = ExternalIdentity.objects.get(provider="luzern", subject="lu-e2e-1").user
    assert (user.first_name, user.last_name) == ("Erika", "Beispiel")
