"""Mein Lernstand's one primary button resumes an open attempt; the result page offers
«Als gelesen markieren» beside a passed quiz and says «Kurs abgeschlossen» with the certificate
after the last required module."""

import re

from django.urls import reverse

from tests.training.conftest import answer_current, start, take_quiz


def primary_buttons(page: str) -> list[str]:
    return re.findall(r'class="kern-btn kern-btn--primary" href="([^"]+)"', page)


def test_the_next_step_resumes_an_open_attempt(participant_client, world):
    # given an attempt started and left after the first answer
    sitting = start(participant_client, world.module)
    # when the participant opens Mein Lernstand
    page = participant_client.get("/lernen/").content.decode()
    # then the one primary button resumes that attempt, not the module page
    assert primary_buttons(page) == [reverse("training:sitting", args=[sitting.pk])]
    assert "Lernkontrolle fortsetzen" in page
    assert "Weiterlernen" not in page


def test_without_an_open_attempt_the_next_step_is_the_next_module(participant_client, world):
    page = participant_client.get("/lernen/").content.decode()
    assert primary_buttons(page) == [world.module.url]
    assert "Weiterlernen: Modul 1" in page


def test_result_offers_marking_read_beside_a_passed_quiz(participant_client, world):
    # given the quiz passed before the content was marked read
    sitting = take_quiz(participant_client, world.module, correct=True)
    result = participant_client.get(reverse("training:result", args=[sitting.pk]))
    page = result.content.decode()
    # then the result page offers the missing step as a POST form
    assert "Ein Schritt fehlt noch" in page
    assert f'action="{reverse("training:mark_read", args=[world.module.pk])}"' in page
    # and the module page's quiz block too
    module_page = participant_client.get(world.module.url).content.decode()
    block = module_page.split('class="quiz-teaser"', 1)[1].split("</section>", 1)[0]
    assert "Als gelesen markieren" in block
    # when they mark it read
    participant_client.post(reverse("training:mark_read", args=[world.module.pk]))
    # then the result page no longer asks for it
    page = participant_client.get(reverse("training:result", args=[sitting.pk])).content.decode()
    assert "Ein Schritt fehlt noch" not in page


def test_result_of_the_last_required_module_says_the_course_is_complete(
    participant_client, world, django_capture_on_commit_callbacks
):
    # given the module without quiz read, and the quiz module read
    participant_client.post(reverse("training:mark_read", args=[world.plain_module.pk]))
    participant_client.post(reverse("training:mark_read", args=[world.module.pk]))
    # when the last quiz is passed (the certificate task runs in-process after the commit)
    with django_capture_on_commit_callbacks(execute=True):
        sitting = take_quiz(participant_client, world.module, correct=True)
    page = participant_client.get(reverse("training:result", args=[sitting.pk])).content.decode()
    # then the result page says so, with the certificate's download and verification links
    assert "Kurs abgeschlossen" in page
    assert "herunterladen (PDF)" in page
    world.enrollment.refresh_from_db()
    certificate = world.enrollment.certificate
    assert reverse("certificates:download", args=[certificate.pk]) in page
    assert reverse("certificates:verify", args=[certificate.code]) in page


def test_a_failed_result_does_not_claim_completion(participant_client, world):
    participant_client.post(reverse("training:mark_read", args=[world.plain_module.pk]))
    sitting = take_quiz(participant_client, world.module, correct=False)
    page = participant_client.get(reverse("training:result", args=[sitting.pk])).content.decode()
    assert "Kurs abgeschlossen" not in page
    assert "Ein Schritt fehlt noch" not in page


def test_answering_does_not_change_what_the_next_step_offers_to_another_person(
    client, world, django_user_model
):
    # given someone else's open attempt
    sitting = start_other = None
    other = django_user_model.objects.create_user("fremd", password="x" * 12)  # noqa: S106
    client.force_login(world.participant)
    sitting = start(client, world.module)
    answer_current(client, sitting, None)
    client.force_login(other)
    start_other = client.get("/lernen/").content.decode()
    # then it is not offered to them
    assert reverse("training:sitting", args=[sitting.pk]) not in start_other
