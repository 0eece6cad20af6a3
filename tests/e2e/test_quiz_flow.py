"""A participant takes a quiz in a real browser with the keyboard only: fails, retries, passes,
and sees the module complete on Mein Lernstand."""

import pytest

from training.models import Sitting
from training.quizzes.questions import quiz_questions

pytestmark = pytest.mark.e2e

PASSWORD = "Buergerservice-2026"
FOCUSED = """() => { const e = document.activeElement;
  return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || '',
          text: (e.innerText || '').trim()}; }"""


def press_enter_and_load(page):
    """Enter on the focused link or button, waiting for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def tab_to(page, matches, *, limit=250):
    """Presses Tab until ``matches(text, element info)`` holds for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUSED)
        if matches(info):
            return info
    pytest.fail("the keyboard never reached the expected element")


def answer_with_keyboard(page, *, correct):
    """Answers the question on screen right or wrong, using Tab, arrows and Space only."""
    question_id = page.locator('input[name="question"]').get_attribute("value")
    sitting = Sitting.objects.get(user__username="teilnehmer", complete=False)
    question = quiz_questions(sitting.quiz_revision.as_object())[question_id]
    right = {o.id for o in question.options if o.correct}
    wrong = [o.id for o in question.options if not o.correct]
    wanted = right if correct else {wrong[0]}
    first = tab_to(page, lambda e: e["name"] == "answer")
    if first["type"] == "checkbox":
        element = first
        while element["name"] == "answer":
            if element["value"] in wanted:
                page.keyboard.press("Space")
            page.keyboard.press("Tab")
            element = page.evaluate(FOCUSED)
    else:  # a radio group: Space checks the focused radio, arrows move and check
        (target,) = wanted
        if first["value"] == target:
            page.keyboard.press("Space")
        else:
            for _ in range(len(question.options)):
                page.keyboard.press("ArrowDown")
                if page.evaluate("() => document.activeElement.value") == target:
                    break
    tab_to(page, lambda e: e["tag"] == "BUTTON" and e["text"].startswith("Antwort abgeben"))
    press_enter_and_load(page)


def take_quiz_with_keyboard(page, *, correct):
    while "/ergebnis/" not in page.url:
        assert "/lernen/versuche/" in page.url
        answer_with_keyboard(page, correct=correct)


def test_a_participant_fails_retries_passes_and_completes_the_module_by_keyboard(live_demo, page):
    # given the demo participant at the login page
    page.goto(live_demo + "/konto/anmelden/?next=/lernen/")
    tab_to(page, lambda e: e["name"] == "username")
    page.keyboard.type("teilnehmer")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    press_enter_and_load(page)
    assert page.url == live_demo + "/lernen/"

    # when they follow «Weiterlernen» to the first module and mark it read
    tab_to(page, lambda e: e["text"].startswith("Weiterlernen"))
    press_enter_and_load(page)
    module_title = page.get_by_role("heading", level=1).inner_text()
    tab_to(page, lambda e: e["text"] == "Als gelesen markieren")
    press_enter_and_load(page)
    assert "als gelesen markiert am" in page.locator("#lernstand").inner_text()

    # and start the quiz and answer everything wrong
    tab_to(page, lambda e: e["text"] == "Lernkontrolle starten")
    press_enter_and_load(page)
    take_quiz_with_keyboard(page, correct=False)

    # then the result says they failed, and they retry
    assert "Nicht bestanden" in page.locator("main").inner_text()
    tab_to(page, lambda e: e["text"] == "Erneut versuchen")
    press_enter_and_load(page)
    take_quiz_with_keyboard(page, correct=True)
    assert "Bestanden" in page.locator("#ergebnis-titel").inner_text()

    # and Mein Lernstand shows the module complete
    tab_to(page, lambda e: e["text"] == "Zu «Mein Lernstand»")
    press_enter_and_load(page)
    assert page.url == live_demo + "/lernen/"
    item = page.locator(".module-states li", has_text=module_title)
    assert "✓ abgeschlossen" in item.inner_text()
    assert "1 von 10 Pflichtmodulen abgeschlossen (10 %)" in page.locator("main").inner_text()
    attempts = page.locator("table").first.inner_text()
    assert "nicht bestanden (" in attempts and "bestanden (100 %)" in attempts
