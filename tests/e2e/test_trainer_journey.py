"""The trainer's morning in a real browser: the admin home shows what waits, the trainer marks
an essay and the participant finds the result in Mein Konto; a trainer's page goes to the
Kursleitung's «Fachliche Prüfung» and is approved there. Screenshots at 1366 and 390 px go to
var/test-artifacts/ (not committed); axe finds no WCAG 2.1 AA violation on the Mein Konto
pages of this issue."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations, describe
from tests.e2e.flows import DEMO_PASSWORD, log_in

pytestmark = pytest.mark.e2e

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
WIDTHS = (1366, 390)
ACCOUNT_PAGES = {
    "konto": "/konto/",
    "passwort": "/konto/passwort/",
    "bezeichnung": "/konto/bezeichnung/",
    "benachrichtigungen": "/konto/benachrichtigungen/",
    "daten": "/konto/daten/",
    "daten-uebersicht": "/konto/daten/uebersicht/",
}


@pytest.fixture
def migration_data(transactional_db):
    from tests.factories import restore_migration_data

    restore_migration_data()


def screenshots(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTEFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def admin_login(page, base, username):
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base + "/admin/")


def essay_waiting_for_teilnehmer():
    from cms.models import CoursePage
    from tests.workspace.essay_sittings import essay_quiz, essay_sitting
    from training.models import Enrollment

    enrollment = Enrollment.objects.select_related("user").get(user__username="teilnehmer")
    course = CoursePage.objects.get(pk=enrollment.course_id)
    quiz = essay_quiz(title="Gespräch am Schalter")
    return essay_sitting(enrollment=enrollment, quiz=quiz, course=course)


def test_the_trainer_marks_an_essay_and_the_participant_reads_the_result(
    migration_data, live_demo, page, browser
):
    sitting = essay_waiting_for_teilnehmer()
    # given the trainer's admin home, branded, with the essay waiting
    admin_login(page, live_demo, "trainerin")
    expect(page).to_have_title(re.compile("Bürgerservice-Akademie"))
    expect(page.get_by_role("heading", name="Freitexte zur Bewertung")).to_be_visible()
    expect(page.get_by_text("1 Versuch wartet auf Ihre Bewertung.")).to_be_visible()
    expect(page.get_by_role("heading", name="Meine Kursdurchführungen")).to_be_visible()
    screenshots(page, "trainer-startseite")
    # when she opens it from the panel and marks it
    page.get_by_role("link", name="Gespräch am Schalter").first.click()
    page.wait_for_url(re.compile(rf"/admin/bewertung/{sitting.pk}/$"))
    page.get_by_label("Punkte (0 bis 4)").fill("3")
    page.get_by_label("Rückmeldung an die Teilnehmerin oder den Teilnehmer").fill(
        "Gut begründet, danke."
    )
    screenshots(page, "trainer-bewertung")
    page.get_by_role("button", name="Bewertung speichern").click()
    expect(page.locator(".messages")).to_contain_text("vollständig bewertet: bestanden")

    # then the participant finds it in Mein Konto, linked to the result
    # (axe is injected: this context bypasses the CSP, which is tested on its own)
    participant = browser.new_context(locale="de-CH", bypass_csp=True).new_page()
    log_in(participant, live_demo)
    participant.goto(live_demo + "/konto/")
    entry = participant.get_by_role(
        "link", name="Ihre Freitext-Antwort in «Gespräch am Schalter» wurde bewertet."
    )
    expect(entry).to_be_visible()
    screenshots(participant, "konto")
    entry.click()
    expect(participant.get_by_text("Gut begründet, danke.")).to_be_visible()
    # and every Mein Konto page of this issue is free of WCAG 2.1 AA violations
    for name, path in ACCOUNT_PAGES.items():
        participant.goto(live_demo + path)
        for width in WIDTHS:
            participant.set_viewport_size({"width": width, "height": 900})
            violations = axe_violations(participant)
            assert violations == [], f"{name} at {width} px:\n{describe(violations)}"
        participant.set_viewport_size({"width": 1366, "height": 900})
    screenshots(participant, "konto-daten-uebersicht")
    participant.context.close()


def test_the_course_lead_reviews_a_page_the_trainer_submitted(migration_data, live_demo, page):
    from django.contrib.auth import get_user_model

    from cms.models import ModulePage

    module = ModulePage.objects.live().order_by("path").first()
    trainer = get_user_model().objects.get(username="trainerin")
    module.save_revision(user=trainer)
    module.get_workflow().start(module, trainer)
    # given the Kursleitung's admin home listing the page for review
    admin_login(page, live_demo, "kursleitung")
    expect(page.get_by_role("heading", name="Zur fachlichen Prüfung")).to_be_visible()
    review = page.get_by_role("link", name=module.title, exact=True).first
    expect(review).to_be_visible()
    screenshots(page, "kursleitung-startseite")
    # when she opens the page and approves it
    review.click()
    page.wait_for_url(re.compile(rf"/admin/pages/{module.pk}/edit/$"))
    expect(page.get_by_text("Moderation")).to_have_count(0)
    page.locator(
        '[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])'
    ).first.dispatch_event("click")
    # then the review is done and nothing waits any more
    page.wait_for_url(re.compile(r"/admin/"))
    from wagtail.models import WorkflowState

    state = WorkflowState.objects.filter(object_id=str(module.pk)).order_by("-pk").first()
    for _ in range(50):
        state.refresh_from_db()
        if state.status != WorkflowState.STATUS_IN_PROGRESS:
            break
        page.wait_for_timeout(100)
    assert state.status == WorkflowState.STATUS_APPROVED
    page.goto(live_demo + "/admin/")
    expect(page.get_by_text("Nichts wartet auf Ihre fachliche Prüfung.")).to_be_visible()
