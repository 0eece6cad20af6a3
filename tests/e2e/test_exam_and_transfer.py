"""The new learning elements in a real browser, with axe-core on each of their pages: a
participant submits a transfer task (with an attachment), the trainer accepts it in the admin,
and a participant whose modules are complete takes the final exam from *Mein Lernstand*."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations, describe
from tests.e2e.flows import DEMO_PASSWORD, finish_quiz, log_in

pytestmark = pytest.mark.e2e
TEXT = (
    "Am Schalter habe ich einem älteren Herrn gezeigt, wie er seine Wohnsitzbestätigung "
    "online bestellt. Beim zweiten Mal hat er es allein geschafft."
)


@pytest.fixture
def migration_data(transactional_db):
    from tests.factories import restore_migration_data

    restore_migration_data()


@pytest.fixture
def axe_context(browser):
    context = browser.new_context(
        locale="de-CH", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    yield context
    context.close()


def no_violations(page):
    violations = axe_violations(page)
    assert violations == [], f"{page.url}:\n{describe(violations)}"


def test_a_transfer_task_is_submitted_and_accepted(migration_data, live_demo, axe_context, browser):
    # given the demo participant on Mein Lernstand
    page = axe_context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_demo)
    expect(page.get_by_role("heading", name="Was den Kurs abschliesst").first).to_be_visible()
    no_violations(page)
    # when he opens the first section's transfer task and sends too short a text
    page.get_by_role("link", name=re.compile("bearbeiten Digitale Service-Expertise")).click()
    no_violations(page)
    page.get_by_label("Ihre Beschreibung").fill("Zu kurz.")
    page.get_by_role("button", name="Praxisauftrag einreichen").click()
    # then he reads the German message on an accessible page
    expect(page.get_by_role("alert")).to_contain_text("mindestens 80 Zeichen")
    no_violations(page)
    # when he describes it properly, with a PDF attached
    page.get_by_label("Ihre Beschreibung").fill(TEXT)
    page.get_by_label("Anhang (freiwillig)").set_input_files(
        {"name": "merkblatt.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 Test"}
    )
    page.get_by_role("button", name="Praxisauftrag einreichen").click()
    # then it waits for feedback, with the attachment listed
    expect(page.get_by_text("Eingereicht, wartet auf Rückmeldung")).to_be_visible()
    expect(page.get_by_role("link", name="merkblatt.pdf")).to_be_visible()
    no_violations(page)

    # when the trainer opens her queue in the admin (her own browser) and accepts it
    trainer = browser.new_context(locale="de-CH").new_page()
    trainer.set_default_timeout(15_000)
    trainer.goto(live_demo + "/admin/login/")
    trainer.locator("#id_username").fill("trainerin")
    trainer.locator("#id_password").fill(DEMO_PASSWORD)
    trainer.locator("form button[type=submit]").click()
    trainer.wait_for_url(live_demo + "/admin/")
    trainer.goto(live_demo + "/admin/praxisauftraege/")
    row = trainer.get_by_role("row", name=re.compile("Hans Muster"))
    row.get_by_role("link", name="Beurteilen").click()
    expect(trainer.get_by_text(TEXT[:40])).to_be_visible()
    trainer.get_by_label("Rückmeldung an die Teilnehmerin oder den Teilnehmer").fill(
        "Ein gutes Beispiel mit Wirkung."
    )
    trainer.get_by_role("button", name="Annehmen").click()
    expect(trainer.locator(".messages")).to_contain_text("Rückmeldung gespeichert.")

    # then the participant sees it accepted, with the feedback
    page.reload()
    expect(page.get_by_text("Angenommen", exact=False).first).to_be_visible()
    expect(page.get_by_text("Ein gutes Beispiel mit Wirkung.")).to_be_visible()


def test_the_final_exam_is_taken_from_the_dashboard(live_demo, axe_context):
    # given the second demo participant with every module complete
    from cms.selectors import course_modules
    from tests.factories import complete_modules
    from training.models import Enrollment

    enrollment = Enrollment.objects.get(user__username="teilnehmerin2")
    complete_modules(enrollment, [m for m in course_modules(enrollment.course) if m.required])
    page = axe_context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_demo, username="teilnehmerin2")
    # when she starts the final exam from Mein Lernstand
    with page.expect_navigation():
        page.get_by_role("button", name="Abschlussprüfung starten").click()
    # then she sees the first of 20 questions with the deadline, on an accessible page
    expect(page.get_by_text("0 von 20 Fragen beantwortet")).to_be_visible()
    expect(page.get_by_text(re.compile("Bearbeitungszeit bis"))).to_be_visible()
    no_violations(page)
    # when she answers every question
    finish_quiz(page)
    # then the result page of the exam shows her result, accessible too
    expect(
        page.get_by_role(
            "heading", name="Ergebnis: Abschlussprüfung: Experte für digitalen Bürgerservice"
        )
    ).to_be_visible()
    no_violations(page)
