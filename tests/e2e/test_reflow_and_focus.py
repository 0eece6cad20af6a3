"""Reflow (WCAG 1.4.10) and visible keyboard focus (WCAG 2.4.7) on every participant page type.

Zoom is emulated by the viewport's width in CSS pixels, which is what browser zoom changes: a
1280 px wide window at 400 % zoom lays pages out in 320 CSS px (the width WCAG 1.4.10 names), at
200 % zoom in 640 CSS px. Playwright has no browser zoom; ``device_scale_factor`` only changes
the pixel density (the layout keeps its CSS width), and CSS ``zoom`` on the body leaves the
viewport and so the media queries as they are, so neither would test the page as a zoomed
browser shows it.
"""

import pytest

from tests.e2e.flows import (
    ANONYMOUS_PAGES,
    MODULE,
    PARTICIPANT_PAGES,
    finish_quiz,
    issue_demo_certificate,
    log_in,
    open_attempt_at_another_quiz,
    start_quiz,
)

pytestmark = pytest.mark.e2e

# 320 CSS px: 1280 px at 400 % zoom; 640 CSS px: 1280 px at 200 % zoom.
WIDTHS = (320, 640)

# The widest element that sticks out to the right, for a readable failure.
OVERFLOW = """() => {
  const root = document.documentElement;
  const limit = root.clientWidth;
  if (root.scrollWidth <= limit) return null;
  let worst = null;
  for (const element of document.body.querySelectorAll('*')) {
    const right = element.getBoundingClientRect().right;
    if (right > limit + 0.5 && (!worst || right > worst.right)) {
      worst = {right, tag: element.tagName.toLowerCase(), id: element.id,
               cls: element.className && element.className.baseVal === undefined
                    ? element.className : '',
               text: (element.innerText || '').trim().slice(0, 60)};
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: limit, widest: worst};
}"""

# What the focused element shows: an outline or a box shadow (the stylesheet's :focus-visible).
FOCUS = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  return {
    tag: element.tagName.toLowerCase(),
    text: (element.innerText || element.value || element.name || '').trim().slice(0, 40),
    focusVisible: element.matches(':focus-visible'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
  };
}"""


@pytest.fixture
def new_page(browser):
    contexts = []

    def open_page(width):
        context = browser.new_context(locale="de-CH", viewport={"width": width, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def overflow(page, url):
    page.goto(url)
    return page.evaluate(OVERFLOW)


def test_no_participant_page_scrolls_sideways_at_320_and_640_css_pixels(live_demo, new_page):
    # given the demo with a certificate, and a participant's quiz question and result pages
    certificate = issue_demo_certificate()
    setup = new_page(1280)
    log_in(setup, live_demo)
    start_quiz(setup, live_demo)
    result_url = finish_quiz(setup)
    question_path = open_attempt_at_another_quiz()
    public = [
        *ANONYMOUS_PAGES.values(),
        f"/zertifikate/pruefen/{certificate.display_code}/",
    ]
    personal = [
        *PARTICIPANT_PAGES.values(),
        question_path,
        result_url.removeprefix(live_demo),
    ]
    problems = []
    for width in WIDTHS:
        # when each page type is shown in a window that narrow
        page = new_page(width)
        for url in public:
            if found := overflow(page, live_demo + url):
                problems.append(f"{width}px {url}: {found}")
        log_in(page, live_demo)
        for url in personal:
            if found := overflow(page, live_demo + url):
                problems.append(f"{width}px {url}: {found}")
    # then no page is wider than the window: everything reflows into one column
    assert problems == [], "\n".join(problems)


def focus_problems(page, url, *, limit=60) -> tuple[list[str], int]:
    """Tabs through the page; returns the focused elements without a visible indicator and how
    many elements were reached."""
    page.goto(url)
    problems, seen = [], 0
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS)
        if state is None:  # past the last element: back on the document
            break
        seen += 1
        if not (state["focusVisible"] and (state["outline"] or state["shadow"])):
            problems.append(f"{url}: <{state['tag']}> «{state['text']}» {state}")
    return problems, seen


def test_keyboard_focus_is_always_visible(live_demo, new_page):
    # given the home page and a module page for a visitor, and a quiz question for a participant
    page = new_page(1280)
    problems = []
    for url in ("/", MODULE):
        found, seen = focus_problems(page, live_demo + url)
        assert seen >= 5, f"{url}: the keyboard reached only {seen} elements"
        problems += found
    log_in(page, live_demo)
    question_url = start_quiz(page, live_demo)
    # when the keyboard moves through every link, button and field
    found, seen = focus_problems(page, question_url)
    assert seen >= 5
    problems += found
    # then each one, in turn, shows a focus outline or ring
    assert problems == [], "\n".join(problems)


def test_the_checks_notice_a_wide_page_and_a_hidden_focus(new_page):
    # given a page wider than a phone, and one whose links hide the focus
    page = new_page(320)
    page.set_content("<html lang='de'><body><p style='width: 400px'>Zu breit</p></body></html>")
    # then the reflow check names the element, and the focus check both links
    assert page.evaluate(OVERFLOW)["widest"]["tag"] == "p"
    page.set_content(
        "<html lang='de'><head><style>a:focus-visible { outline: none; }</style></head>"
        "<body><a href='#a'>Eins</a> <a href='#b'>Zwei</a></body></html>"
    )
    problems = []
    for _ in range(2):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS)
        problems.append(state["outline"] or state["shadow"])
    assert problems == [False, False]
