"""The participant's journey to the certificate in a real browser, on the KERN-UX pages, with
the deployment's branding: the second demo participant (every module done but the last) goes
from Mein Lernstand through the last module's sections, marks it read, passes its quiz and
reaches "Kurs abgeschlossen" with the certificate and its verification page.

Every page type is checked by axe-core (WCAG 2.1 AA), with the default and with a custom accent
colour, reflows at 320 px, and is saved as a screenshot at 1366 and 390 px under
``var/test-artifacts/screenshots/`` (not in git)."""

import re
from pathlib import Path

import pytest

from core.models import BrandingSettings
from tests.e2e.axe import axe_violations, describe
from tests.e2e.flows import DEMO_PASSWORD
from training.models import Sitting
from training.quizzes.questions import quiz_questions

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "screenshots"
WIDTHS = (1366, 390)
CUSTOM_ACCENT = "#7a1f5c"  # 9.9:1 on white


@pytest.fixture
def journey_page(browser):
    # axe is injected as a script: the context bypasses the CSP (tested on its own below)
    context = browser.new_context(
        locale="de-DE", viewport={"width": WIDTHS[0], "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


class Walk:
    def __init__(self, page, folder: Path):
        self.page = page
        self.folder = folder
        self.problems: list[str] = []
        folder.mkdir(parents=True, exist_ok=True)

    def look(self, name: str) -> None:
        """axe, reflow at 320 px and screenshots at both widths of the page as it is now."""
        page = self.page
        violations = axe_violations(page)
        if violations:
            self.problems.append(f"{name} ({page.url}):\n{describe(violations)}")
        page.set_viewport_size({"width": 320, "height": 800})
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            self.problems.append(f"{name}: {overflow} px wider than 320 px (no reflow)")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(self.folder / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})

    def click(self, role: str, name) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role(role, name=name).click()


def answer_correctly(page) -> None:
    """Answers the questions on screen with the right options until the result page."""
    while "/ergebnis/" not in page.url:
        sitting = Sitting.objects.get(user__username="teilnehmerin2", complete=False)
        questions = quiz_questions(sitting.quiz_revision.as_object())
        for field in page.locator('input[name="question"]').all():
            question = questions[field.get_attribute("value")]
            for option in question.options:
                if option.correct:
                    page.locator(f'input[name="answer"][value="{option.id}"]').check()
        with page.expect_navigation():
            page.locator(".quiz-form button[type='submit']").click()


@pytest.mark.parametrize("accent", [None, CUSTOM_ACCENT], ids=["default-accent", "custom-accent"])
def test_participant_reaches_the_certificate_on_accessible_branded_pages(
    live_demo, journey_page, accent
):
    # given the demo, branded with the accent colour (or its default)
    branding = BrandingSettings.load()
    if accent:
        branding.accent_colour = accent
        branding.full_clean()
        branding.save()
    page = journey_page
    walk = Walk(page, ARTIFACTS / (accent.lstrip("#") if accent else "default"))

    # when the participant with one module left logs in
    page.goto(live_demo + "/konto/anmelden/")
    walk.look("login")
    page.get_by_label("Benutzername").fill("teilnehmerin2")
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    walk.click("button", "Anmelden")

    # then Mein Lernstand shows the course as cards with one primary next step
    assert page.locator(".section-card").count() == 3
    assert page.locator(".hero .kern-btn--primary").count() == 1
    assert "9 von 10 Pflichtmodulen abgeschlossen (90 %)" in page.inner_text(".hero")
    button = page.locator(".kern-btn--primary").first
    expected = accent or branding.accent_colour
    red, green, blue = (int(expected[i : i + 2], 16) for i in (1, 3, 5))
    assert button.evaluate("e => getComputedStyle(e).backgroundColor") == (
        f"rgb({red}, {green}, {blue})"
    )
    walk.look("dashboard")

    # when they follow Weiterlernen into the last module and read it section by section
    walk.click("link", re.compile(r"^Weiterlernen"))
    assert "Abschnitt 1 von" in page.inner_text("main")
    walk.look("module")
    while page.get_by_role("link", name=re.compile(r"^Weiter: ")).count():
        walk.click("link", re.compile(r"^Weiter: "))
    total = page.locator(".toc li").count()
    assert f"Abschnitt {total} von {total}" in page.inner_text("main")
    walk.look("module-last-section")

    # and mark it read, then start the quiz from the quiz block and pass it
    walk.click("button", "Als gelesen markieren")
    assert "als gelesen markiert" in page.inner_text("#lernstand")
    with page.expect_navigation():
        page.locator(".quiz-teaser").get_by_role("button", name="Lernkontrolle starten").click()
    walk.look("quiz")
    answer_correctly(page)

    # then the result says the course is complete, with the certificate and its check
    for _ in range(5):  # the certificate is issued after the commit
        if page.get_by_role("link", name=re.compile("herunterladen")).count():
            break
        page.reload()
    banner = page.locator(".done-banner")
    assert banner.get_by_role("heading", name="Kurs abgeschlossen").is_visible()
    assert banner.get_by_role("link", name=re.compile(r"Zertifikat .* herunterladen")).count() == 1
    walk.look("result-course-complete")
    walk.click("link", "Öffentliche Prüfseite des Zertifikats")
    assert "gültig" in page.inner_text("main").lower()
    walk.look("certificate-verification")

    # and Mein Lernstand shows the completed course
    page.goto(live_demo + "/lernen/")
    assert "10 von 10 Pflichtmodulen abgeschlossen (100 %)" in page.inner_text(".hero")
    walk.look("dashboard-complete")
    assert walk.problems == [], "\n".join(walk.problems)


def test_participant_pages_send_a_policy_without_inline_code(live_demo, journey_page):
    # given the branded pages
    response = journey_page.goto(live_demo + "/")
    policy = response.headers["content-security-policy"]
    # then neither scripts nor styles may be inline, and the accent colour is a stylesheet
    assert "unsafe-inline" not in policy
    assert "style-src 'self'" in policy
    href = journey_page.locator('link[rel="stylesheet"][href^="/marke/"]').get_attribute("href")
    assert re.fullmatch(r"/marke/[0-9a-f]{6}\.css", href)
