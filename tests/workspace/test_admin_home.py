"""The admin a trainer opens first thing in the morning: branded with the academy's name and
logo, and a home page with their cohorts and progress, the essays waiting for them, what waits
for their review, and the latest certificates, each limited to what they may see."""

import re

import pytest
from django.urls import reverse

from tests.factories import build_course, enroll_many
from tests.workspace.essay_sittings import essay_quiz, essay_sitting

HOME = reverse("wagtailadmin_home")


@pytest.fixture
def essays(cohort, other_cohort, course):
    quiz = essay_quiz(title="Bürgerkontakt")
    (own,) = enroll_many(cohort, 1, prefix="eigen")
    (foreign,) = enroll_many(other_cohort, 1, prefix="fremd")
    return {
        "own": essay_sitting(enrollment=own, quiz=quiz, course=course),
        "foreign": essay_sitting(enrollment=foreign, quiz=quiz, course=course),
    }


def test_the_admin_carries_the_academys_name_and_logo(trainer_client):
    html = trainer_client.get(HOME).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert " ".join(title.split()) == "Dashboard - Bürgerservice-Akademie"
    assert "Wagtail" not in title
    assert 'class="ws-admin-logo" src="/static/workspace/admin-logo.svg"' in html
    assert 'alt="Bürgerservice-Akademie"' in html


def test_the_trainer_sees_their_cohorts_and_the_essays_waiting_for_them(trainer_client, essays):
    html = trainer_client.get(HOME).content.decode()
    # their cohort with its progress, not the other trainer's
    assert "Meine Kursdurchführungen" in html
    assert "Einwohnerdienste 2027" in html
    assert "Bauamt 2027" not in html
    assert re.search(r"<progress max=\"1\" value=\"0\"", html)
    assert "0 von 1" in html
    # the one essay of their cohort, linked to its marking page
    assert "1 Versuch wartet auf Ihre Bewertung." in html
    own = reverse("training_marking:sitting", args=[essays["own"].pk])
    foreign = reverse("training_marking:sitting", args=[essays["foreign"].pk])
    assert f'href="{own}"' in html and f'href="{foreign}"' not in html
    # nothing to review for a trainer
    assert "Nichts wartet auf Ihre fachliche Prüfung." in html


def test_the_course_lead_sees_what_waits_for_review(client, lead, trainer, db):
    tree = build_course(sections=1, modules_per_section=1)
    module = tree["modules"][0][0]
    module.get_workflow().start(module, trainer)
    client.force_login(lead)
    html = client.get(HOME).content.decode()
    assert "Zur fachlichen Prüfung" in html
    assert f'<a href="/admin/pages/{module.pk}/edit/">{module.title}</a>' in html
    assert "eingereicht von" in html
    assert "Awaiting your review" not in html  # Wagtail's own panel is replaced
    # and the editor's submit button says «fachliche Prüfung»
    client.force_login(trainer)
    editor = client.get(f"/admin/pages/{module.pk}/edit/").content.decode()
    assert "Moderation" not in editor


def test_the_latest_certificates_panel_is_there_for_trainers(trainer_client):
    html = trainer_client.get(HOME).content.decode()
    assert "Neueste Zertifikate" in html
    assert "Noch keine Zertifikate ausgestellt." in html
