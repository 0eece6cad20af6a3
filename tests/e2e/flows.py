"""What the browser tests of participant pages share: logging in, taking a demo quiz, a demo
certificate, and the page types to visit."""

import re

DEMO_PASSWORD = "Buergerservice-2026"  # noqa: S105  (seed_demo's demo accounts)

MODULE = (
    "/experte-digitaler-buergerservice/digitale-service-expertise/"
    "warum-die-verwaltung-digital-wird/"
)
ANONYMOUS_PAGES = {
    "home": "/",
    "course": "/experte-digitaler-buergerservice/",
    "section": "/experte-digitaler-buergerservice/digitales-service-mindset/",
    "module": MODULE,
    "search": "/suche/?q=Datenschutz",
    "login": "/konto/anmelden/",
    "not found": "/gibt-es-nicht/",
    "certificate check": "/zertifikate/pruefen/",
    "password reset": "/konto/passwort-vergessen/",
    "password reset sent": "/konto/passwort-vergessen/gesendet/",
    "password reset link invalid": "/konto/passwort-neu/MQ/abgelaufen-0123456789/",
    "password reset complete": "/konto/passwort-neu/fertig/",
}
PARTICIPANT_PAGES = {
    "dashboard": "/lernen/",
    "progress": "/lernen/fortschritt/",
    "account": "/konto/",
    "data export": "/konto/daten/",
    "erase account": "/konto/loeschen/",
    "second factor setup": "/konto/zwei-faktor/",
}


def log_in(page, base_url, username="teilnehmer", password=DEMO_PASSWORD):
    page.goto(base_url + "/konto/anmelden/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/lernen/$"))


def start_quiz(page, base_url) -> str:
    """Starts the demo module's quiz from the module page; returns the question page's URL."""
    page.goto(base_url + MODULE)
    with page.expect_navigation():
        page.get_by_role("button", name="Lernkontrolle starten").click()
    return page.url


def open_attempt_at_another_quiz(username="teilnehmer") -> str:
    """Starts an attempt at the second quiz of the course (not the demo module's); returns the
    path of its question page."""
    from django.contrib.auth import get_user_model

    from cms.models import CoursePage
    from cms.selectors import course_modules
    from training.quizzes.selectors import module_quiz
    from training.quizzes.services import start_sitting

    modules = [m for m in course_modules(CoursePage.objects.get()) if module_quiz(m.pk)]
    user = get_user_model().objects.get(username=username)
    sitting = start_sitting(user=user, module_id=modules[1].pk)
    return f"/lernen/versuche/{sitting.pk}/"


def answer_current_question(page):
    """Answers the question on screen with its first option (or a sentence for an essay)."""
    essay = page.locator("textarea[name='answer']")
    if essay.count():
        essay.fill("Ich erkläre der Bürgerin den Online-Antrag Schritt für Schritt.")
    else:
        page.locator("input[name='answer']").first.check()
    with page.expect_navigation():
        page.locator(".quiz-form button[type='submit']").click()


def finish_quiz(page) -> str:
    """Answers the remaining questions; returns the result page's URL."""
    while "/ergebnis/" not in page.url:
        answer_current_question(page)
    return page.url


def issue_demo_certificate():
    """The second demo participant completes the last module: their certificate is issued."""
    from certificates.services import issue_certificate
    from cms.selectors import course_modules
    from tests.factories import complete_modules
    from training.models import Enrollment

    enrollment = Enrollment.objects.get(user__username="teilnehmerin2")
    last = [m for m in course_modules(enrollment.course) if m.required][-1]
    complete_modules(enrollment, [last])
    return issue_certificate(enrollment_id=enrollment.pk).certificate
