"""Dienststellenleitung: only aggregates of their own units, hidden below the minimum group."""

from django.urls import reverse
from django.utils import timezone

from tests.factories import course_module_ids, enroll_many, user_in_group
from training.models import ModuleProgress, OrganisationUnit
from workspace.units import unit_aggregates


def complete(enrollments, module_ids):
    ModuleProgress.objects.bulk_create(
        ModuleProgress(enrollment=e, module_id=m, completed_at=timezone.now())
        for e in enrollments
        for m in module_ids
    )


def test_a_unit_lead_sees_aggregates_of_their_units_only(cohort, course):
    # given a lead of the Einwohneramt (6 people) and another unit they do not lead
    lead = user_in_group("Dienststellenleitung")
    mine = OrganisationUnit.objects.create(organisation=cohort.organisation, name="Einwohneramt")
    mine.leads.add(lead)
    other = OrganisationUnit.objects.create(organisation=cohort.organisation, name="Bauamt")
    people = enroll_many(cohort, 6, unit=mine)
    enroll_many(cohort, 6, unit=other)
    m = course_module_ids(course)
    complete(people[:3], m[:4])  # half of them finished the first section
    complete(people[:1], m[4:8])  # one also the second
    # when
    (aggregate,) = unit_aggregates(lead)
    # then
    assert aggregate.unit == mine
    assert aggregate.enrolled == 6
    assert aggregate.hidden is False
    assert aggregate.section_shares == [
        ("Lernbereich 1", 50),
        ("Lernbereich 2", 17),
        ("Lernbereich 3", 0),
    ]
    # average of 67, 33, 33, 0, 0, 0 (percent of the 12 modules, each rounded half up)
    assert aggregate.average_progress == 22


def test_groups_below_the_minimum_size_show_no_figures(cohort, course, settings):
    settings.TRAINING_AGGREGATE_MIN_GROUP_SIZE = 5
    lead = user_in_group("Dienststellenleitung")
    unit = OrganisationUnit.objects.create(organisation=cohort.organisation, name="Klein")
    unit.leads.add(lead)
    people = enroll_many(cohort, 4, unit=unit)
    complete(people[:1], course_module_ids(course))

    (aggregate,) = unit_aggregates(lead)

    assert aggregate.hidden is True
    assert aggregate.enrolled is None
    assert aggregate.average_progress is None
    assert [share for _title, share in aggregate.section_shares] == [None, None, None]


def test_the_unit_overview_page_shows_no_names_or_scores(client, cohort):
    lead = user_in_group("Dienststellenleitung")
    big = OrganisationUnit.objects.create(organisation=cohort.organisation, name="Einwohneramt")
    small = OrganisationUnit.objects.create(organisation=cohort.organisation, name="Kanzlei")
    big.leads.add(lead)
    small.leads.add(lead)
    people = enroll_many(cohort, 5, unit=big) + enroll_many(cohort, 2, unit=small)
    client.force_login(lead)

    html = client.get(reverse("training_workspace:units")).content.decode()

    assert "Einwohneramt" in html and "Kanzlei" in html
    assert "Weniger als 5 Teilnehmende: Zahlen ausgeblendet." in html
    for enrollment in people:
        assert enrollment.user.last_name not in html
        assert enrollment.user.email not in html


def test_a_unit_lead_without_units_sees_a_hint(client, db):
    client.force_login(user_in_group("Dienststellenleitung"))

    html = client.get(reverse("training_workspace:units")).content.decode()

    assert "Ihnen ist noch keine Organisationseinheit zugeordnet." in html
