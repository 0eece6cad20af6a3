"""The organisation unit a provider asserts reaches the cohort views through enrollments."""

import pytest
from django.core import mail

from accounts.models import ExternalIdentity
from tests.factories import UserFactory, make_cohort, make_workspace_course, user_in_group
from training import services as training_services

pytestmark = pytest.mark.django_db


def test_enrolling_a_person_from_the_organisation_login_takes_the_asserted_unit(
    django_capture_on_commit_callbacks,
):
    # given a person whose provider asserted their unit at their last login
    cohort = make_cohort(course=make_workspace_course(sections=1, modules_per_section=1))
    trainer = user_in_group("Trainer:innen", username="trainerin")
    person = UserFactory(email="anna@lu.example.ch", password=None)
    person.set_unusable_password()
    person.save()
    ExternalIdentity.objects.create(
        provider="luzern", subject="lu-1", user=person, organisation_unit="Einwohnerdienste"
    )
    # when a trainer enrolls them by email without naming a unit
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = training_services.enroll_participant(
            cohort=cohort, email="anna@lu.example.ch", actor=trainer
        )
    # then the enrollment carries the asserted unit of the cohort's organisation
    assert enrollment.organisation_unit.name == "Einwohnerdienste"
    assert enrollment.organisation_unit.organisation == cohort.organisation
    # and no invitation to set a password is mailed: they log in through their organisation
    assert mail.outbox == []
    # a unit the trainer names still wins
    other = UserFactory(email="ben@lu.example.ch")
    ExternalIdentity.objects.create(
        provider="luzern", subject="lu-2", user=other, organisation_unit="Steuern"
    )
    named = training_services.enroll_participant(
        cohort=cohort, email="ben@lu.example.ch", unit_name="Bauamt", actor=trainer
    )
    assert named.organisation_unit.name == "Bauamt"
