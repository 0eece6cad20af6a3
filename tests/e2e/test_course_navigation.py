"""A reader works through a section with the keyboard only, without JavaScript."""

import pytest

from cms.models import CoursePage
from cms.selectors import course_outline

pytestmark = pytest.mark.e2e

LANDMARKS_JS = """() => ({
  banner: document.querySelectorAll('body > header').length,
  main: document.querySelectorAll('main').length,
  contentinfo: document.querySelectorAll('body > footer').length,
  navs: [...document.querySelectorAll('nav')].map(n => n.getAttribute('aria-label')),
  searches: document.querySelectorAll('form[role=search]').length,
})"""
HEADINGS_JS = """() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
  .map(h => Number(h.tagName[1]))"""


def assert_headings_in_order(levels):
    assert levels[0] == 1 and levels.count(1) == 1, levels
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}: {levels}"


@pytest.fixture
def keyboard_page(browser):
    # No JavaScript: every step must work with plain HTML.
    context = browser.new_context(
        locale="de-CH", viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_reader_follows_next_through_a_whole_section(live_demo, keyboard_page):
    page = keyboard_page
    outline = course_outline(CoursePage.objects.get())
    section, following = outline[0], outline[1]
    titles = [m.title for m in section.modules]
    assert len(titles) >= 3

    # given a reader on the first module of the first section
    page.goto(live_demo + section.modules[0].url)

    for number, title in enumerate(titles, start=1):
        # then each page has one h1 with the module's title, headings in order and landmarks
        assert page.get_by_role("heading", level=1).inner_text() == title
        assert page.locator(".eyebrow").inner_text() == f"Modul {number} von {len(titles)}"
        assert_headings_in_order(page.evaluate(HEADINGS_JS))
        assert page.evaluate(LANDMARKS_JS) == {
            "banner": 1,
            "main": 1,
            "contentinfo": 1,
            "navs": ["Hauptnavigation", "Brotkrumennavigation", "Modulnavigation", "Rechtliches"],
            "searches": 1,
        }
        breadcrumb = page.get_by_role("navigation", name="Brotkrumennavigation")
        assert breadcrumb.get_by_role("link", name=section.section.title).is_visible()

        # when the reader tabs to «Nächstes Modul» and presses Enter
        next_link = page.locator("a[rel=next]")
        next_link.focus()
        assert page.evaluate("() => document.activeElement.rel") == "next"
        page.keyboard.press("Enter")
        page.wait_for_load_state()

    # then the last «next» of the section leads to the first module of the following section
    assert page.get_by_role("heading", level=1).inner_text() == following.modules[0].title
    assert page.locator(".eyebrow").inner_text() == f"Modul 1 von {len(following.modules)}"


def test_skip_link_and_module_page_fit_a_small_phone(live_demo, browser):
    context = browser.new_context(
        locale="de-CH", viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    page = context.new_page()
    module = course_outline(CoursePage.objects.get())[1].modules[1]
    try:
        # given a reader on a phone, 360 px wide
        page.goto(live_demo + module.url)
        # then nothing forces sideways scrolling
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        # and the first Tab reaches the skip link, which leads to the main content
        page.keyboard.press("Tab")
        skip = page.locator(":focus")
        assert skip.inner_text() == "Zum Inhalt springen"
        page.keyboard.press("Enter")
        assert page.evaluate("() => location.hash") == "#inhalt"
        # and the solution of a case study opens with the keyboard, without JavaScript
        summary = page.locator(".case-study summary").first
        summary.focus()
        page.keyboard.press("Enter")
        assert page.locator(".case-study details").first.get_attribute("open") == ""
    finally:
        context.close()


CHECKER_COUNT_JS = """() => document.querySelector('wagtail-userbar')?.shadowRoot
  ?.querySelector('[data-content-checker-count]')?.textContent || ''"""


def test_wagtails_accessibility_checker_finds_nothing_on_any_page_type(live_demo, page):
    # given a trainer logged in, and a standard page beside the course
    from cms.models import HomePage, StandardPage

    home = HomePage.objects.get()
    standard = StandardPage(
        title="Erklärung zur Barrierefreiheit",
        slug="barrierefreiheit",
        body="<h2>Stand</h2><p>Diese Website ist weitgehend barrierefrei.</p>",
    )
    home.add_child(instance=standard)
    standard.save_revision().publish()
    outline = course_outline(CoursePage.objects.get())
    urls = {
        "home": "/",
        "course": CoursePage.objects.get().url,
        "section": outline[0].section.url,
        "module": outline[0].modules[0].url,
        "standard": "/barrierefreiheit/",
    }
    page.goto(live_demo + "/konto/anmelden/")
    page.fill("input[name=username]", "trainerin")
    page.fill("input[name=password]", "Buergerservice-2026")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    for kind, url in urls.items():
        # when the checker of Wagtail's user bar has run on the page
        page.goto(live_demo + url)
        page.wait_for_function(f"() => ({CHECKER_COUNT_JS})() !== ''")
        # then it reports no issue
        assert (kind, page.evaluate(CHECKER_COUNT_JS)) == (kind, "0")
