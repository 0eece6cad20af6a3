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


def test_the_login_page_with_buttons_a_refusal_and_the_emergency_login_meet_wcag(
    live_demo, browser, settings, oidc_provider
):
    from tests.e2e.axe import axe_violations, describe

    # given two providers, and the login page after a refused organisation login
    settings.SSO_PROVIDERS = [
        oidc_provider_entry(oidc_provider),
        oidc_provider_entry(oidc_provider, key="zug", label="Kanton Zug"),
    ]
    context = browser.new_context(locale="de-CH", bypass_csp=True)
    page = context.new_page()
    problems = []
    for url in ("/konto/anmelden/", "/konto/sso/oidc/callback/?state=x&code=y"):
        page.goto(live_demo + url)
        assert page.get_by_role("link", name="Mit Kanton Zug anmelden").is_visible()
        if violations := axe_violations(page):
            problems.append(f"{url}:\n{describe(violations)}")
    assert page.get_by_role("alert").is_visible()
    # and the emergency login with the local form switched off
    settings.SSO_LOCAL_LOGIN = False
    page.goto(live_demo + "/konto/notfall-anmeldung/")
    if violations := axe_violations(page):
        problems.append(f"emergency login:\n{describe(violations)}")
    context.close()
    # then axe finds no WCAG 2.1 AA violation
    assert problems == [], "\n".join(problems)
