"""The privacy notice and the accessibility statement, as data for Wagtail pages."""

import re

import pytest

from cms.models import CoursePage, HomePage
from cms.standard_pages import load_standard_pages, read_standard_pages


def pages_by_slug():
    return {page["slug"]: page for page in read_standard_pages()}


def headings(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


def test_the_privacy_notice_covers_what_the_gdpr_and_the_revfadp_ask():
    page = pages_by_slug()["datenschutz"]
    assert page["title"] == "Datenschutzerklärung"
    assert headings(page["body"]) == [
        "Verantwortliche Stelle",
        "Welche Daten wir verarbeiten",
        "Zwecke und Rechtsgrundlagen",
        "Cookies und eingebettete Inhalte",
        "Wer Ihre Daten sieht",
        "Wie lange wir Daten speichern",
        "Ihre Rechte",
        "Sicherheit",
    ]
    assert "24 Monate" in page["body"]
    assert '<a href="/konto/">Mein Konto</a>' in page["body"]


def test_the_accessibility_statement_has_a_feedback_contact_and_enforcement():
    page = pages_by_slug()["barrierefreiheit"]
    assert page["title"] == "Erklärung zur Barrierefreiheit"
    assert headings(page["body"]) == [
        "Stand der Vereinbarkeit mit den Anforderungen",
        "Was barrierefrei ist",
        "Was noch nicht barrierefrei ist",
        "Erstellung dieser Erklärung",
        "Feedback und Kontakt",
        "Durchsetzungsverfahren",
    ]
    assert 'href="mailto:barrierefreiheit@example.org"' in page["body"]
    for standard in ("WCAG", "BITV 2.0", "eCH-0059"):
        assert standard in page["body"]


@pytest.mark.django_db
def test_the_pages_are_created_once_and_then_left_to_the_editors(demo):
    # given the home page (the cms's standard page type takes CoursePage's place in this test:
    # any page type with a rich-text field will do)
    home = HomePage.objects.get()
    # when the pages are loaded twice
    first = load_standard_pages(parent=home, page_model=CoursePage, body_field="intro")
    second = load_standard_pages(parent=home, page_model=CoursePage, body_field="intro")
    # then they are created and published once, under their slugs
    assert first == (["barrierefreiheit", "datenschutz"], [])
    assert second == ([], ["barrierefreiheit", "datenschutz"])
    page = CoursePage.objects.get(slug="datenschutz")
    assert page.live and page.url == "/datenschutz/"
    assert "Verantwortliche Stelle" in page.intro
