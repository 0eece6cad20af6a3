from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Revision

from cms.models import CoursePage, HomePage, ModulePage, SectionPage
from training.models import Cohort, Enrollment, Quiz


def counts():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "users": get_user_model().objects.count(),
        "quizzes": Quiz.objects.count(),
        "cohorts": Cohort.objects.count(),
        "enrollments": Enrollment.objects.count(),
    }


def test_seed_demo_creates_the_course_with_three_sections_and_modules(demo):
    course = CoursePage.objects.get()
    assert course.title == "Experte für digitalen Bürgerservice"
    sections = SectionPage.objects.child_of(course).order_by("order")
    assert [s.title for s in sections] == [
        "Digitale Service-Expertise",
        "Digitales Service-Mindset",
        "Bürgerinteraktion 4.0",
    ]
    for section in sections:
        assert ModulePage.objects.child_of(section).live().count() >= 1
    assert HomePage.objects.get().get_site().is_default_site


def test_seed_demo_is_idempotent(demo):
    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before


def test_seed_demo_prints_the_demo_logins(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "trainerin" in text and "teilnehmer" in text
    assert "Buergerservice-2026" in text


def test_demo_trainer_is_a_wagtail_editor_but_not_superuser(demo, client):
    trainer = demo["trainer"]
    assert not trainer.is_superuser and not trainer.is_staff
    client.force_login(trainer)
    assert client.get("/admin/").status_code == 200


def test_demo_participant_cannot_enter_the_admin_and_is_enrolled(demo, client):
    participant = demo["participant"]
    assert Enrollment.objects.filter(user=participant, course=demo["course"]).exists()
    client.force_login(participant)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
