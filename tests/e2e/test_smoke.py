import pytest

from tests.factories import SECTION_TITLES

pytestmark = pytest.mark.e2e


def test_the_home_page_shows_the_three_training_sections(live_demo, page):
    # given the demo course
    # when a visitor opens the start page in a real browser
    page.goto(live_demo + "/")
    # then the three sections are listed as links
    assert page.locator("html").get_attribute("lang") == "de"
    for title in SECTION_TITLES:
        assert page.get_by_role("link", name=title).is_visible()
    # and a section opens with its modules
    page.get_by_role("link", name="Digitales Service-Mindset").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Digitales Service-Mindset"
    assert page.locator("main .card").count() >= 1
