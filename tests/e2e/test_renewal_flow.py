"""A certificate holder renews a certificate that expires soon, in a real browser: from
*Mein Lernstand* to the renewal page, through the refresher module (read again, quiz passed
again) to the renewed certificate, which names the previous one on the verification page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from certificates.models import Certificate
from cms.models import CoursePage, ModulePage
from tests.e2e.flows import MODULE, issue_demo_certificate, log_in
from training.models import Sitting
from training.quizzes.questions import quiz_questions

pytestmark = pytest.mark.e2e


def answer_correctly(page, username):
    """Ticks the right options of the question on screen (read from the attempt's pinned
    revision on the server) and submits."""
    question_id = page.locator('input[name="question"]').get_attribute("value")
    sitting = Sitting.objects.get(user__username=username, complete=False)
    question = quiz_questions(sitting.quiz_revision.as_object())[question_id]
    for option in question.options:
        if option.correct:
            page.locator(f"input[name='answer'][value='{option.id}']").check()
    with page.expect_navigation():
        page.locator(".quiz-form button[type='submit']").click()


def test_a_holder_renews_a_certificate_before_it_expires(live_demo, page):
    # given a course valid for 12 months whose refresher is the demo module, and a certificate
    # that ends in 20 days
    CoursePage.objects.update(validity_months=12)
    module = ModulePage.objects.get(url_path__endswith=MODULE.rstrip("/").rsplit("/", 1)[1] + "/")
    module.renewal_required = True
    module.save_revision().publish()
    old = issue_demo_certificate()
    Certificate.objects.filter(pk=old.pk).update(valid_until=timezone.now() + timedelta(days=20))
    old.refresh_from_db()
    # when the holder opens Mein Lernstand and starts the refresher
    log_in(page, live_demo, username="teilnehmerin2")
    with page.expect_navigation():
        page.get_by_role("link", name="Zertifikat auffrischen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Zertifikat auffrischen"
    with page.expect_navigation():
        page.get_by_role("button", name="Auffrischung starten").click()
    assert page.get_by_text("Ihre Auffrischung hat begonnen.").is_visible()
    assert page.get_by_text("0 von 1 Modulen wiederholt").is_visible()
    # and repeats the module: reads it again and passes its quiz again
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Weiter mit")).click()
    assert page.get_by_text(re.compile(r"^Auffrischung seit")).is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Als gelesen markieren").click()
    assert page.get_by_text("Das Modul ist für die Auffrischung als gelesen markiert.").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Lernkontrolle starten").click()
    while "/ergebnis/" not in page.url:
        answer_correctly(page, "teilnehmerin2")
    # then the renewed certificate is issued and Mein Lernstand offers it
    new = Certificate.objects.get(previous=old)
    page.goto(live_demo + "/lernen/")
    assert page.get_by_text(f"Erneuert das Zertifikat {old.serial}").is_visible()
    download = page.get_by_role("link", name=f"Zertifikat {new.serial} herunterladen (PDF)")
    assert download.is_visible()
    # and the verification pages show the chain, the old one superseded but not revoked
    page.goto(live_demo + f"/zertifikate/pruefen/{old.display_code}/")
    assert page.get_by_text(re.compile(r"^Gültig:")).is_visible()
    assert page.locator("dd", has_text=new.serial).is_visible()
    page.goto(live_demo + f"/zertifikate/pruefen/{new.display_code}/")
    assert page.locator("dd", has_text=old.serial).is_visible()
