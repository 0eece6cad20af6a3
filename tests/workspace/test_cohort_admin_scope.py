"""Every Wagtail view of cohorts (chooser, its results and chosen step, bulk actions, usage,
history) follows the one cohort access rule (``training.access.cohorts_for``): a trainer never
reads another trainer's cohort there, not even its name."""

import pytest
from django.contrib.auth.models import Permission
from wagtail.models import ModelLogEntry

from training.models import Cohort

pytestmark = pytest.mark.django_db

CHOOSER = "/admin/snippets/choose/training/cohort/"


@pytest.fixture
def deleting_trainer(trainer):
    """A trainer whose group might one day be allowed to delete cohorts: the rule still holds."""
    trainer.user_permissions.add(Permission.objects.get(codename="delete_cohort"))
    return trainer


def test_the_chooser_lists_only_the_trainers_cohorts(trainer_client, cohort, other_cohort):
    # when the trainer opens the chooser, its results and a search in it
    pages = [
        trainer_client.get(CHOOSER),
        trainer_client.get(CHOOSER + "results/"),
        trainer_client.get(CHOOSER + "results/?q=2027"),
    ]
    # then their cohort is offered and the other trainer's is not named
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert cohort.name in html
        assert other_cohort.name not in html


def test_choosing_another_trainers_cohort_by_id_finds_nothing(trainer_client, cohort, other_cohort):
    # when the trainer asks the chooser to return cohorts by id
    own = trainer_client.get(f"{CHOOSER}chosen/{cohort.pk}/")
    foreign = trainer_client.get(f"{CHOOSER}chosen/{other_cohort.pk}/")
    both = trainer_client.get(f"{CHOOSER}chosen-multiple/?id={cohort.pk}&id={other_cohort.pk}")
    # then their own comes back, the other is not found and not named
    assert own.status_code == 200 and cohort.name in own.content.decode()
    assert foreign.status_code == 404
    assert other_cohort.name not in foreign.content.decode()
    assert both.status_code == 200
    assert cohort.name in both.content.decode()
    assert other_cohort.name not in both.content.decode()


def test_the_course_lead_chooses_from_every_cohort(client, lead, cohort, other_cohort):
    client.force_login(lead)
    html = client.get(CHOOSER + "results/").content.decode()
    assert cohort.name in html and other_cohort.name in html
    assert client.get(f"{CHOOSER}chosen/{other_cohort.pk}/").status_code == 200


@pytest.mark.parametrize("ids", ["other", "both", "all"])
def test_the_bulk_delete_confirmation_does_not_name_another_trainers_cohort(
    client, deleting_trainer, cohort, other_cohort, ids
):
    # given a trainer allowed to delete cohorts
    client.force_login(deleting_trainer)
    query = {
        "other": f"id={other_cohort.pk}",
        "both": f"id={cohort.pk}&id={other_cohort.pk}",
        "all": "id=all",
    }[ids]
    # when they open the bulk deletion with another trainer's id, and then confirm it
    page = client.get(f"/admin/bulk/training/cohort/delete/?{query}")
    client.post(f"/admin/bulk/training/cohort/delete/?{query}")
    # then the other cohort is neither named nor deleted
    assert other_cohort.name not in page.content.decode()
    assert Cohort.objects.filter(pk=other_cohort.pk).exists()
    # and their own is deleted where they chose it
    assert Cohort.objects.filter(pk=cohort.pk).exists() == (ids == "other")


def test_a_trainer_without_the_right_to_delete_learns_nothing_from_the_bulk_delete(
    trainer_client, cohort, other_cohort
):
    page = trainer_client.get(f"/admin/bulk/training/cohort/delete/?id={other_cohort.pk}")
    assert other_cohort.name not in page.content.decode()
    assert Cohort.objects.filter(pk=other_cohort.pk).exists()


def test_usage_and_history_of_another_trainers_cohort_are_not_found(
    trainer_client, cohort, other_cohort
):
    for view in ("usage", "history", "history-results", "edit", "inspect"):
        response = trainer_client.get(f"/admin/snippets/training/cohort/{view}/{other_cohort.pk}/")
        assert response.status_code == 404, view
        assert other_cohort.name not in response.content.decode(), view


def test_the_site_history_does_not_name_another_trainers_cohort(
    trainer_client, trainer, cohort, other_cohort, other_trainer
):
    # given a logged change to each cohort
    ModelLogEntry.objects.log_action(cohort, "wagtail.edit", user=trainer)
    ModelLogEntry.objects.log_action(other_cohort, "wagtail.edit", user=other_trainer)
    # when the trainer reads the site history report
    response = trainer_client.get("/admin/reports/site-history/")
    # then only their own cohort's entry appears
    html = response.content.decode()
    assert response.status_code == 200
    assert cohort.name in html
    assert other_cohort.name not in html
