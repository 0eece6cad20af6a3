"""Mein Lernstand (/lernen/) and the per-person panel on module pages."""

import re

from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import UserFactory, essay, single_choice
from tests.training.conftest import start, take_quiz
from training import errors
from training.models import ModuleProgress


def test_the_dashboard_has_a_stable_url_and_needs_a_login(client, world):
    assert reverse("training:dashboard") == "/lernen/"
    response = client.get("/lernen/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_dashboard_shows_progress_per_section_and_overall_with_text(participant_client, world):
    # given one of two required modules complete (the one without a quiz)
    participant_client.post(reverse("training:mark_read", args=[world.plain_module.pk]))
    # when the participant opens Mein Lernstand
    response = participant_client.get("/lernen/")
    page = response.content.decode()
    # then overall and section progress are shown as <progress> with the same figures in text
    assert response.status_code == 200
    assert re.search(r'<progress value="1" max="2" aria-describedby="gesamt-\d+">', page)
    assert "1 von 2 Pflichtmodulen abgeschlossen (50 %)" in page
    assert re.search(r'<progress value="1" max="2" aria-describedby="bereich-\d+">', page)
    assert "Lernbereich A" in page
    # and the modules carry their state in words
    assert "✓ abgeschlossen" in page and "noch offen" in page


def test_weiterlernen_points_to_the_next_module_not_yet_complete(participant_client, world):
    page = participant_client.get("/lernen/").content.decode()
    assert f'href="{world.module.url}">Weiterlernen: Modul 1' in page
    # when the first module is read and its quiz passed
    participant_client.post(reverse("training:mark_read", args=[world.module.pk]))
    take_quiz(participant_client, world.module, correct=True)
    page = participant_client.get("/lernen/").content.decode()
    # then Weiterlernen leads to the second
    assert f'href="{world.plain_module.url}">Weiterlernen: Modul 2' in page


def test_an_optional_module_does_not_count_towards_progress(participant_client, world):
    world.plain_module.required = False
    world.plain_module.save(update_fields=["required"])
    page = participant_client.get("/lernen/").content.decode()
    assert "0 von 1 Pflichtmodulen abgeschlossen (0 %)" in page
    assert "(freiwillig)" in page


def test_the_dashboard_lists_attempts_results_and_pending_essays(build_world, client):
    # given a failed attempt at one quiz and a pending essay in another module's quiz
    world = build_world(questions=[single_choice("s1"), essay("e1")])
    client.force_login(world.participant)
    sitting = take_quiz(client, world.module, correct=False)
    assert sitting.needs_marking
    response = client.get("/lernen/")
    page = response.content.decode()
    assert "Lernkontrollen: Versuche und Ergebnisse" in page
    assert reverse("training:result", args=[sitting.pk]) in page
    assert "Bewertung ausstehend" in page
    assert "Ihre Freitextantwort wird von einer Trainerin oder einem Trainer bewertet." in page
    # an open attempt is offered for resuming
    other = start(client, world.module)
    assert reverse("training:sitting", args=[other.pk]) in client.get("/lernen/").content.decode()


def test_the_dashboard_shows_the_certificate_status_through_the_certificates_tag(
    participant_client, world
):
    response = participant_client.get("/lernen/")
    assert "certificates/tags/certificate_status.html" in [t.name for t in response.templates]


def test_the_dashboard_runs_a_fixed_number_of_queries(
    participant_client, world, django_assert_max_num_queries
):
    take_quiz(participant_client, world.module, correct=False)
    take_quiz(participant_client, world.module, correct=True)
    with django_assert_max_num_queries(12):  # the limit of every participant page
        participant_client.get("/lernen/")


def test_someone_without_enrollment_sees_an_empty_dashboard(client, world):
    client.force_login(UserFactory(username="gast"))
    page = client.get("/lernen/").content.decode()
    assert "Sie sind noch in keinem Kurs eingeschrieben." in page


# --- The panel on module pages -------------------------------------------------------------


def test_the_panel_invites_anonymous_visitors_to_log_in(client, world):
    page = client.get(world.module.url).content.decode()
    assert 'id="lernstand"' in page
    assert f'href="{reverse("login")}?next={world.module.url}"' in page.replace("%2F", "/")


def test_the_panel_tells_someone_not_enrolled(client, world):
    client.force_login(UserFactory(username="gast"))
    page = client.get(world.module.url).content.decode()
    assert "Sie sind in diesem Kurs nicht eingeschrieben." in page
    assert "Als gelesen markieren" not in page


def test_marking_a_module_without_quiz_read_completes_it(participant_client, world):
    # given the panel offers «Als gelesen markieren» as a POST form
    page = participant_client.get(world.plain_module.url).content.decode()
    action = reverse("training:mark_read", args=[world.plain_module.pk])
    assert f'<form method="post" action="{action}">' in page
    # when the participant marks the module read
    response = participant_client.post(action)
    # then they are back on the module with a message and the module is complete
    assert response.status_code == 302
    assert response["Location"] == world.plain_module.url + "#lernstand"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Geschafft: Dieses Modul ist abgeschlossen."
    ]
    progress = ModuleProgress.objects.get(module=world.plain_module)
    assert progress.content_done_at is not None and progress.completed_at is not None
    page = participant_client.get(world.plain_module.url).content.decode()
    assert "als gelesen markiert am" in page and "abgeschlossen am" in page


def test_marking_read_records_the_page_revision_and_keeps_the_first_time(participant_client, world):
    revision = world.plain_module.save_revision()
    revision.publish()
    participant_client.post(reverse("training:mark_read", args=[world.plain_module.pk]))
    first = ModuleProgress.objects.get(module=world.plain_module)
    participant_client.post(reverse("training:mark_read", args=[world.plain_module.pk]))
    again = ModuleProgress.objects.get(module=world.plain_module)
    assert first.page_revision_id == revision.pk
    assert again.content_done_at == first.content_done_at


def test_a_module_with_a_quiz_needs_reading_and_passing(participant_client, world):
    # given the participant marked the quiz module read
    participant_client.post(reverse("training:mark_read", args=[world.module.pk]))
    page = participant_client.get(world.module.url).content.decode()
    assert "Lernkontrolle starten" in page
    assert "abgeschlossen, sobald der Inhalt gelesen und die Lernkontrolle bestanden ist" in page
    # when they fail, the panel shows the result and offers a retry
    take_quiz(participant_client, world.module, correct=False)
    page = participant_client.get(world.module.url).content.decode()
    assert "nicht bestanden (0 %)" in page and "Erneut versuchen" in page
    assert ModuleProgress.objects.get(module=world.module).completed_at is None
    # when they pass, the module is complete
    take_quiz(participant_client, world.module, correct=True)
    page = participant_client.get(world.module.url).content.decode()
    assert "✓ bestanden" in page and "abgeschlossen am" in page
    assert ModuleProgress.objects.get(module=world.module).completed_at is not None


def test_marking_read_in_a_course_one_is_not_enrolled_in_is_refused(client, world):
    client.force_login(UserFactory(username="gast"))
    response = client.post(reverse("training:mark_read", args=[world.module.pk]))
    assert response.status_code == 403
    assert str(errors.NOT_ENROLLED) in response.content.decode()
    assert not ModuleProgress.objects.exists()


def test_the_result_page_links_back_to_the_module_and_on_to_the_next(participant_client, world):
    sitting = take_quiz(participant_client, world.module, correct=True)
    page = participant_client.get(reverse("training:result", args=[sitting.pk])).content.decode()
    assert f'href="{world.module.url}#lernstand"' in page
    assert f'href="{world.plain_module.url}">Weiter zum nächsten Modul: Modul 2' in page
    assert "4 von 4 Punkten (100 %)" in page
