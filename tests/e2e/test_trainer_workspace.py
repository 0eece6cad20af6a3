"""The trainer workspace in a real browser: a trainer enrolls a person, the invitation's link
lets that person set a password and start learning; the report shows the new participant."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
PASSWORD = "Buergerservice-2026"


@pytest.fixture
def migration_data(transactional_db):
    from tests.factories import restore_migration_data

    restore_migration_data()


def test_a_trainer_enrolls_a_person_who_accepts_the_invitation(
    migration_data, live_demo, page, browser
):
    # given the demo trainer signed in to the admin
    page.goto(live_demo + "/admin/login/")
    page.locator("#id_username").fill("trainerin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(live_demo + "/admin/")
    # when she opens her cohort's participants and enrolls a new person
    page.goto(live_demo + "/admin/lernstand/")
    page.get_by_role("link", name="Einwohnerdienste 2026").first.click()
    page.get_by_role("link", name="Teilnehmende", exact=True).first.click()
    page.get_by_role("textbox", name=re.compile("^E-Mail")).fill("erika.neu@example.org")
    page.get_by_label("Vorname").fill("Erika")
    page.get_by_label("Nachname").fill("Neu")
    page.get_by_label("Organisationseinheit").fill("Einwohneramt")
    page.get_by_role("button", name="Einschreiben").click()
    # then the person is listed with an open invitation
    assert "Erika Neu ist eingeschrieben oder eingeladen." in page.locator(".messages").inner_text()
    expect(page.get_by_role("row", name=re.compile("Neu, Erika"))).to_contain_text(
        "eingeladen, Passwort noch nicht gesetzt"
    )
    # and the report lists her, with the chart and its table
    page.get_by_role("link", name="Bericht", exact=True).first.click()
    expect(page.get_by_role("link", name="Neu, Erika")).to_be_visible()
    expect(
        page.get_by_role("img", name="Verteilung des Fortschritts je Lernbereich")
    ).to_be_visible()

    # when the invited person follows the link in her email (another browser session)
    (message,) = [m for m in mail.outbox if m.to == ["erika.neu@example.org"]]
    link = re.search(r"https?://\S+/konto/einladung/\S+/", message.body).group(0)
    path = link.split("/konto/", 1)[1]
    participant = browser.new_context(locale="de-CH").new_page()
    participant.goto(live_demo + "/konto/" + path)
    participant.get_by_label("Neues Passwort").fill("Schalterdienst-2027!")
    participant.get_by_label("Passwort wiederholen").fill("Schalterdienst-2027!")
    participant.get_by_role("button", name="Passwort speichern und anmelden").click()
    # then she is signed in on her learning dashboard
    expect(participant.get_by_role("heading", level=1)).to_have_text("Mein Lernstand")
    participant.context.close()
