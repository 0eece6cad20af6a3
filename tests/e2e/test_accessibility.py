"""WCAG 2.1 AA on every participant page type, checked by axe-core in a real browser.

Round one covers the pages that exist now; each new participant page type gets a line in
``ANONYMOUS_PAGES`` or ``PARTICIPANT_PAGES`` (or a test of its own for pages behind a flow).
"""

import re

import pytest

from tests.e2e.axe import axe_violations, describe

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Buergerservice-2026"  # noqa: S105  (seed_demo's demo accounts)

ANONYMOUS_PAGES = {
    "home": "/",
    "course": "/experte-digitaler-buergerservice/",
    "section": "/experte-digitaler-buergerservice/digitales-service-mindset/",
    "module": "/experte-digitaler-buergerservice/digitale-service-expertise/"
    "warum-die-verwaltung-digital-wird/",
    "search": "/suche/?q=Datenschutz",
    "login": "/konto/anmelden/",
    "not found": "/gibt-es-nicht/",
}
PARTICIPANT_PAGES = {
    "dashboard": "/lernen/",
    "account": "/konto/",
    "data export": "/konto/daten/",
    "erase account": "/konto/loeschen/",
    "second factor setup": "/konto/zwei-faktor/",
}


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(
        locale="de-CH", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, base_url, username="teilnehmer"):
    page.goto(base_url + "/konto/anmelden/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/lernen/$"))


def check(page, url) -> list[str]:
    page.goto(url)
    problems = []
    if page.locator("html").get_attribute("lang") != "de":
        problems.append(f"{url}: <html lang> is not de")
    violations = axe_violations(page)
    if violations:
        problems.append(f"{url}:\n{describe(violations)}")
    return problems


def test_pages_for_visitors_have_no_wcag_violations(live_demo, axe_page):
    # given the demo course served live, and a visitor who is not logged in
    problems = []
    # when axe-core checks each page type
    for url in ANONYMOUS_PAGES.values():
        problems += check(axe_page, live_demo + url)
    # then it finds no WCAG 2.1 A/AA violation, and every page says it is German
    assert problems == [], "\n".join(problems)


def test_pages_for_participants_have_no_wcag_violations(live_demo, axe_page):
    log_in(axe_page, live_demo)
    problems = []
    for url in PARTICIPANT_PAGES.values():
        problems += check(axe_page, live_demo + url)
    assert problems == [], "\n".join(problems)


def test_forms_with_errors_have_no_wcag_violations(live_demo, axe_page):
    # given the login form sent with a wrong password, and the account form with no email
    axe_page.goto(live_demo + "/konto/anmelden/")
    axe_page.get_by_label("Benutzername").fill("teilnehmer")
    axe_page.get_by_label("Passwort").fill("falsch")
    axe_page.get_by_role("button", name="Anmelden").click()
    problems = [] if not (v := axe_violations(axe_page)) else [f"login:\n{describe(v)}"]
    log_in(axe_page, live_demo)
    axe_page.goto(live_demo + "/konto/")
    axe_page.get_by_label("E-Mail-Adresse").fill("")
    axe_page.get_by_role("button", name="Angaben speichern").click()
    assert axe_page.get_by_role("alert").is_visible()
    if v := axe_violations(axe_page):
        problems.append(f"account form:\n{describe(v)}")
    # then the error states are accessible too
    assert problems == [], "\n".join(problems)


def test_participant_pages_run_without_csp_violations(live_demo, page):
    # given the normal browser context, which enforces the site's Content Security Policy
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    # when a participant moves through the pages
    log_in(page, live_demo)
    for url in [*ANONYMOUS_PAGES.values(), *PARTICIPANT_PAGES.values()]:
        page.goto(live_demo + url)
    # then the browser refused nothing
    assert refused == []


def test_the_harness_reports_violations(axe_page):
    # given a page with an image without text alternative and no language
    axe_page.set_content("<html><head><title>x</title></head><body><img src='x.png'></body></html>")
    # then axe-core names both rules
    assert {v["id"] for v in axe_violations(axe_page)} == {"image-alt", "html-has-lang"}
