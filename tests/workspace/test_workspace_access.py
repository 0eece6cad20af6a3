"""Who reaches which trainer page. Foreign ids end in 404 and change nothing."""

import pytest
from django.urls import reverse

from tests.factories import (
    course_module_ids,
    enroll_many,
    make_sitting,
    make_workspace_quiz,
    user_in_group,
)
from training.models import Enrollment, EnrollmentEvent
from workspace.models import WorkspaceJob


def url(name, *args):
    return reverse(f"training_workspace:{name}", args=args)


def cohort_pages(cohort, enrollment, sitting):
    return [
        url("report", cohort.pk),
        url("report_export", cohort.pk, "csv"),
        url("participants", cohort.pk),
        url("participants_export", cohort.pk, "csv"),
        url("participant", cohort.pk, enrollment.pk),
        url("unenroll", cohort.pk, enrollment.pk),
        url("sitting", cohort.pk, enrollment.pk, sitting.pk),
        url("import", cohort.pk),
    ]


@pytest.fixture
def foreign(other_cohort, course):
    """Another trainer's cohort with one participant and one sitting."""
    (enrollment,) = enroll_many(other_cohort, 1, prefix="fremd")
    sitting = make_sitting(
        enrollment=enrollment, module_id=course_module_ids(course)[0], quiz=make_workspace_quiz()
    )
    return other_cohort, enrollment, sitting


def test_a_trainer_sees_only_the_cohorts_they_train(trainer_client, cohort, other_cohort):
    response = trainer_client.get(url("index"))

    assert list(response.context["cohorts"]) == [cohort]


def test_a_trainer_gets_404_for_every_page_of_another_trainers_cohort(
    trainer_client, cohort, foreign
):
    for page in cohort_pages(*foreign):
        assert trainer_client.get(page).status_code == 404, page


def test_posts_to_another_trainers_cohort_give_404_and_change_nothing(
    trainer_client, cohort, foreign
):
    # given
    other_cohort, enrollment, _sitting = foreign
    before = Enrollment.objects.count(), EnrollmentEvent.objects.count()
    # when the trainer posts to the other cohort's enroll, unenroll, invitation and export URLs
    responses = [
        trainer_client.post(url("enroll", other_cohort.pk), {"email": "neu@example.org"}),
        trainer_client.post(url("unenroll", other_cohort.pk, enrollment.pk)),
        trainer_client.post(url("resend_invitation", other_cohort.pk, enrollment.pk)),
        trainer_client.post(url("report_export", other_cohort.pk, "xlsx")),
        trainer_client.post(url("import", other_cohort.pk)),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 5
    enrollment.refresh_from_db()
    assert enrollment.unenrolled_at is None
    assert (Enrollment.objects.count(), EnrollmentEvent.objects.count()) == before
    assert WorkspaceJob.objects.count() == 0


def test_another_cohorts_participant_and_sitting_ids_in_own_cohort_urls_give_404(
    trainer_client, cohort, foreign
):
    # given the trainer's own participant and the other cohort's participant and sitting
    _other, foreign_enrollment, foreign_sitting = foreign
    (own,) = enroll_many(cohort, 1)
    # when / then
    assert (
        trainer_client.get(url("participant", cohort.pk, foreign_enrollment.pk)).status_code == 404
    )
    assert (
        trainer_client.get(url("sitting", cohort.pk, own.pk, foreign_sitting.pk)).status_code == 404
    )
    assert (
        trainer_client.get(
            url("sitting", cohort.pk, foreign_enrollment.pk, foreign_sitting.pk)
        ).status_code
        == 404
    )
    response = trainer_client.post(url("unenroll", cohort.pk, foreign_enrollment.pk))
    assert response.status_code == 404
    foreign_enrollment.refresh_from_db()
    assert foreign_enrollment.unenrolled_at is None


def test_someone_elses_job_gives_404(client, cohort, trainer, lead):
    job = WorkspaceJob.objects.create(
        kind=WorkspaceJob.Kind.REPORT_EXPORT, cohort=cohort, created_by=trainer
    )
    client.force_login(lead)

    assert client.get(url("job", job.pk)).status_code == 404
    assert client.get(url("job_download", job.pk)).status_code == 404
    assert client.post(url("job_confirm", job.pk)).status_code == 404


def test_a_participant_never_reaches_trainer_pages(client, cohort, foreign):
    # given a participant of the cohort (no admin access)
    (enrollment,) = enroll_many(cohort, 1)
    client.force_login(enrollment.user)
    # when / then: every page redirects to the admin login, and posting changes nothing
    for page in [url("index"), url("units"), *cohort_pages(*foreign)]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("wagtailadmin_login")), page
    response = client.post(url("unenroll", cohort.pk, enrollment.pk))
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.unenrolled_at is None


def test_anonymous_visitors_are_sent_to_the_login(client, cohort):
    response = client.get(url("report", cohort.pk))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_kursleitung_sees_all_cohorts(client, lead, cohort, foreign):
    client.force_login(lead)
    other_cohort, enrollment, sitting = foreign

    listed = set(client.get(url("index")).context["cohorts"])

    assert listed == {cohort, other_cohort}
    for page in cohort_pages(other_cohort, enrollment, sitting):
        assert client.get(page).status_code == 200, page


def test_a_unit_lead_sees_no_individual_pages(client, cohort):
    # given a Dienststellenleitung user with a participant in the cohort
    (enrollment,) = enroll_many(cohort, 1)
    unit_lead = user_in_group("Dienststellenleitung")
    client.force_login(unit_lead)
    # when / then
    assert client.get(url("units")).status_code == 200
    for page in [
        url("index"),
        url("report", cohort.pk),
        url("participant", cohort.pk, enrollment.pk),
        url("report_export", cohort.pk, "csv"),
    ]:
        assert client.get(page).status_code == 403, page


def test_a_trainer_does_not_see_the_unit_overview(trainer_client):
    assert trainer_client.get(url("units")).status_code == 403


# --- The cohort snippet (Wagtail's own views) ------------------------------------------------


def snippet_url(action, *args):
    return reverse(f"wagtailsnippets_training_cohort:{action}", args=args)


def test_the_cohort_list_shows_a_trainer_only_their_cohorts(trainer_client, cohort, other_cohort):
    response = trainer_client.get(snippet_url("list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert cohort.name in html
    assert other_cohort.name not in html


def test_a_trainer_changes_their_own_cohort(trainer_client, trainer, cohort, course):
    # when
    response = trainer_client.post(
        snippet_url("edit", cohort.pk),
        {
            "name": "Einwohnerdienste Herbst",
            "organisation": cohort.organisation,
            "course": course.pk,
            "trainers": [trainer.pk],
            "starts_on": "2027-09-01",
            "ends_on": "2027-12-15",
        },
    )
    # then
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.name == "Einwohnerdienste Herbst"
    assert str(cohort.ends_on) == "2027-12-15"


def test_a_trainer_can_neither_see_nor_change_another_trainers_cohort(
    trainer_client, trainer, other_cohort, course
):
    # when
    get = trainer_client.get(snippet_url("edit", other_cohort.pk))
    post = trainer_client.post(
        snippet_url("edit", other_cohort.pk),
        {"name": "Übernommen", "organisation": "X", "course": course.pk, "trainers": [trainer.pk]},
    )
    deleted = trainer_client.post(snippet_url("delete", other_cohort.pk))
    history = trainer_client.get(snippet_url("history", other_cohort.pk))
    # then
    assert [get.status_code, post.status_code, deleted.status_code, history.status_code] == [
        404,
        404,
        404,
        404,
    ]
    other_cohort.refresh_from_db()
    assert other_cohort.name == "Bauamt 2027"
    assert list(other_cohort.trainers.all()) != [trainer]


def test_kursleitung_edits_any_cohort_and_sees_its_participants_panel(client, lead, other_cohort):
    enroll_many(other_cohort, 3)
    client.force_login(lead)

    response = client.get(snippet_url("edit", other_cohort.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "3 Personen eingeschrieben (0 ausgetragen)." in html
    assert url("participants", other_cohort.pk) in html


def test_trainers_offered_in_the_cohort_form_are_staff_not_participants(
    client, lead, cohort, trainer
):
    (participant,) = enroll_many(cohort, 1)
    client.force_login(lead)

    form = client.get(snippet_url("edit", cohort.pk)).context["form"]

    offered = set(form.fields["trainers"].queryset)
    assert trainer in offered and lead in offered
    assert participant.user not in offered


def test_a_trainer_without_cohorts_sees_an_empty_list(client, cohort):
    lonely = user_in_group("Trainer:innen")
    client.force_login(lonely)

    response = client.get(url("index"))

    assert response.status_code == 200
    assert list(response.context["cohorts"]) == []
    assert "Sie betreuen noch keine Kursdurchführung." in response.content.decode()
