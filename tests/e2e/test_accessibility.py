"""WCAG 2.1 AA on every participant page type, checked by axe-core in a real browser.

Each participant page type gets a line in ``ANONYMOUS_PAGES`` or ``PARTICIPANT_PAGES``
(``tests/e2e/flows.py``), or a test of its own for pages behind a flow: the quiz, the result,
certificate verification, the password reset with its emailed link, and the error pages.
"""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from certificates.services import revoke_certificate
from tests.e2e.axe import axe_violations, describe
from tests.e2e.flows import (
    ANONYMOUS_PAGES,
    PARTICIPANT_PAGES,
    answer_current_question,
    finish_quiz,
    issue_demo_certificate,
    log_in,
    start_quiz,
)
from tests.error_urls import GONE_PATH

pytestmark = pytest.mark.e2e


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(
        locale="de-CH", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def check(page, url=None, *, status=None) -> list[str]:
    """Problems on the page at ``url`` (or the page as it is): no German, or axe violations;
    with ``status``, also a response of another status."""
    if url is not None:
        response = page.goto(url)
        if status is not None and response.status != status:
            return [f"{url}: status {response.status}, expected {status}"]
    url = url or page.url
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
    axe_page.get_by_label("Passwort", exact=True).fill("falsch")
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


def test_quiz_result_and_progress_pages_have_no_wcag_violations(live_demo, axe_page):
    # given a participant who starts the demo module's quiz
    log_in(axe_page, live_demo)
    question_url = start_quiz(axe_page, live_demo)
    # when axe-core checks the question page, the same page after an empty submit (its error
    # state), the feedback after an answer, the result and the progress page
    problems = check(axe_page, question_url)
    axe_page.locator(".quiz-form button[type='submit']").click()
    assert axe_page.get_by_role("alert").is_visible()
    problems += check(axe_page)
    answer_current_question(axe_page)
    if "/ergebnis/" not in axe_page.url:
        problems += check(axe_page)  # the next question, with the feedback on the last one
    result_url = finish_quiz(axe_page)
    problems += check(axe_page, result_url)
    problems += check(axe_page, live_demo + "/lernen/fortschritt/")
    # then none of them has a WCAG 2.1 A/AA violation
    assert problems == [], "\n".join(problems)


def test_certificate_verification_pages_have_no_wcag_violations(
    live_demo, axe_page, django_user_model
):
    # given an issued certificate, checked by someone who is not logged in
    certificate = issue_demo_certificate()
    verify_url = f"{live_demo}/zertifikate/pruefen/{certificate.display_code}/"
    # when axe-core checks the code form, a valid certificate, an unknown code, the form's
    # upload result and the same certificate once revoked
    problems = check(axe_page, live_demo + "/zertifikate/pruefen/")
    problems += check(axe_page, verify_url, status=200)
    problems += check(axe_page, live_demo + "/zertifikate/pruefen/GIBT-ES-NICHT/", status=404)
    axe_page.goto(live_demo + "/zertifikate/pruefen/")
    axe_page.get_by_label("Zertifikat als PDF").set_input_files(
        {"name": "falsch.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 falsch"}
    )
    with axe_page.expect_navigation():
        axe_page.locator("form[enctype='multipart/form-data'] button[type='submit']").click()
    problems += check(axe_page)
    revoke_certificate(
        certificate_id=certificate.pk,
        reason="Irrtümlich ausgestellt.",
        revoked_by=django_user_model.objects.create_superuser("admin", "admin@example.org"),
    )
    problems += check(axe_page, verify_url, status=200)
    # and the holder's download of the revoked certificate (its 410 page, date and reason)
    log_in(axe_page, live_demo, username="teilnehmerin2")
    problems += check(axe_page, f"{live_demo}/zertifikate/{certificate.pk}/pdf/", status=410)
    # then none of them has a violation
    assert problems == [], "\n".join(problems)


def test_password_reset_pages_have_no_wcag_violations(live_demo, axe_page):
    # given the reset form, empty and then with a bad address (its error state)
    problems = check(axe_page, live_demo + "/konto/passwort-vergessen/")
    axe_page.get_by_role("button", name="Link senden").click()
    assert axe_page.get_by_role("alert").is_visible()
    problems += check(axe_page)
    # when the participant asks for a link and opens it from the email
    axe_page.get_by_label("E-Mail-Adresse").fill("teilnehmer@example.org")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Link senden").click()
    problems += check(axe_page)  # the "sent" page
    (email,) = mail.outbox
    link = re.search(r"https?://\S+(/konto/passwort-neu/\S+/)", email.body).group(1)
    problems += check(axe_page, live_demo + link, status=200)  # the form, after the redirect
    # and chooses a password that is too short (the error state), then a good one
    axe_page.get_by_label("Neues Passwort", exact=True).fill("zu-kurz")
    axe_page.get_by_label("Neues Passwort wiederholen").fill("zu-kurz")
    axe_page.get_by_role("button", name="Passwort speichern").click()
    assert axe_page.get_by_role("alert").is_visible()
    problems += check(axe_page)
    axe_page.get_by_label("Neues Passwort", exact=True).fill("Schalterdienst-im-Rathaus-7")
    axe_page.get_by_label("Neues Passwort wiederholen").fill("Schalterdienst-im-Rathaus-7")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Passwort speichern").click()
    problems += check(axe_page)  # the confirmation
    # and opens the used link again
    problems += check(axe_page, live_demo + link, status=200)
    # then no page of the flow has a violation
    assert problems == [], "\n".join(problems)


def test_error_pages_have_no_wcag_violations(live_demo, axe_page, monkeypatch, settings):
    problems = []
    # given the login locked after five wrong passwords (429)
    for _ in range(5):
        axe_page.goto(live_demo + "/konto/anmelden/")
        axe_page.get_by_label("Benutzername").fill("unbekannt")
        axe_page.get_by_label("Passwort", exact=True).fill("falsch")
        with axe_page.expect_navigation() as navigation:
            axe_page.get_by_role("button", name="Anmelden").click()
    assert navigation.value.status == 429
    problems += check(axe_page)
    # and the verification page's answer to too many lookups (429)
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 0
    problems += check(axe_page, live_demo + "/zertifikate/pruefen/ABCD-EFGH-JKLM/", status=429)
    # and a participant opening someone else's attempt (the quiz's own 403 page)
    log_in(axe_page, live_demo)
    other = start_quiz(axe_page, live_demo)
    log_in(axe_page, live_demo, username="teilnehmerin2")
    problems += check(axe_page, other, status=403)
    # and Django's 403 and 500 pages (403.html, 500.html) as its handlers send them: the
    # progress page's query is made to fail in the live server's thread, so the real URL,
    # middleware and handler answer, and no test-only URL is needed (page.set_content would
    # skip the response's status and headers, and the stylesheet's URL resolution)
    for error, status in ((PermissionDenied, 403), (RuntimeError("Testfehler"), 500)):
        with monkeypatch.context() as patch:
            patch.setattr("training.quizzes.selectors.category_progress", _raise(error))
            problems += check(axe_page, live_demo + "/lernen/fortschritt/", status=status)
    # and the site's own 404 and 405 pages
    problems += check(axe_page, live_demo + "/lernen/gibt-es-nicht/", status=404)
    # (the header's logout form, with its token, posting to an address that only answers GET)
    logout = axe_page.locator("form[action$='/konto/abmelden/']")
    logout.evaluate("form => { form.action = '/healthz'; }")
    with axe_page.expect_navigation() as navigation:
        axe_page.get_by_role("button", name="Abmelden").click()
    assert navigation.value.status == 405
    problems += check(axe_page)
    # and the CSRF page (the form's cookie gone, as after a browser restart)
    axe_page.goto(live_demo + "/konto/anmelden/")
    axe_page.context.clear_cookies()
    axe_page.get_by_label("Benutzername").fill("teilnehmerin")
    axe_page.get_by_label("Passwort", exact=True).fill("falsch")
    with axe_page.expect_navigation() as navigation:
        axe_page.get_by_role("button", name="Anmelden").click()
    assert navigation.value.status == 403
    assert "Formular abgelaufen" in axe_page.content()
    problems += check(axe_page)
    # and the 400 page: too many fields, then an unknown host (DisallowedHost)
    axe_page.goto(live_demo + "/konto/anmelden/")
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1
    with axe_page.expect_navigation() as navigation:
        axe_page.get_by_role("button", name="Anmelden").click()
    assert navigation.value.status == 400
    problems += check(axe_page)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
    # and the 410 page of a bodiless "gone" answer (an address that tests/error_urls.py adds)
    settings.ROOT_URLCONF = "tests.error_urls"
    problems += check(axe_page, live_demo + GONE_PATH, status=410)
    settings.ALLOWED_HOSTS = ["nur-diese-adresse.example"]
    problems += check(axe_page, live_demo + "/", status=400)
    # then none of them has a violation
    assert problems == [], "\n".join(problems)


def _raise(error):
    def fail(*args, **kwargs):
        raise error

    return fail
