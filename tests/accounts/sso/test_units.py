"""The organisation unit a provider asserts reaches the cohort views through enrollments, and a
new unit at the provider reaches them at the person's next login."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import ExternalIdentity
from audit.models import AuditAction, AuditEntry
from tests.accounts.sso.oidc_stand_in import oidc_login, oidc_provider_entry, seed_oidc_user
from tests.accounts.sso.test_oidc import CLAIMS
from tests.factories import UserFactory, make_cohort, make_workspace_course, user_in_group
from training import services as training_services
from workspace.units import unit_aggregates

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


def test_a_new_unit_at_the_provider_moves_the_enrollments_that_took_it_at_the_next_login(
    settings, oidc_provider
):
    # given a person who logged in through Luzern's provider as part of "Einwohnerdienste"
    settings.SSO_PROVIDERS = [oidc_provider_entry(oidc_provider)]
    seed_oidc_user(oidc_provider, "lu-unit", {**CLAIMS, "department": "Einwohnerdienste"})
    assert oidc_login(Client(), "lu-unit").response.status_code == 302
    person = ExternalIdentity.objects.get(subject="lu-unit").user
    # and was enrolled in two courses: one taking the asserted unit, one in a unit the trainer
    # chose, and unenrolled from a third
    trainer = user_in_group("Trainer:innen", username="trainerin")
    courses = [make_workspace_course(sections=1, modules_per_section=1) for _ in range(3)]
    cohorts = [
        make_cohort(course=course, name=f"Durchführung {i}") for i, course in enumerate(courses)
    ]
    asserted = training_services.enroll_participant(
        cohort=cohorts[0], email=CLAIMS["email"], actor=trainer
    )
    chosen = training_services.enroll_participant(
        cohort=cohorts[1], email=CLAIMS["email"], unit_name="Bauamt", actor=trainer
    )
    left = training_services.enroll_participant(
        cohort=cohorts[2], email=CLAIMS["email"], actor=trainer
    )
    training_services.unenroll_participant(enrollment=left, actor=trainer)
    assert asserted.organisation_unit.name == "Einwohnerdienste"
    # when the provider moves them to "Steuern" and they log in again
    seed_oidc_user(oidc_provider, "lu-unit", {**CLAIMS, "department": "Steuern"})
    assert oidc_login(Client(), "lu-unit").response.status_code == 302
    # then the enrollment that took the provider's unit is now in "Steuern" (of its cohort's
    # organisation), where the unit's lead counts it; the trainer's choice and the ended
    # enrollment stay as they were
    asserted.refresh_from_db()
    chosen.refresh_from_db()
    left.refresh_from_db()
    assert asserted.organisation_unit.name == "Steuern"
    assert asserted.organisation_unit.organisation == cohorts[0].organisation
    assert chosen.organisation_unit.name == "Bauamt"
    assert left.organisation_unit.name == "Einwohnerdienste"
    lead = user_in_group("Dienststellenleitung", username="leitung-steuern")
    asserted.organisation_unit.leads.add(lead)
    settings.TRAINING_AGGREGATE_MIN_GROUP_SIZE = 1
    assert [(a.unit.name, a.enrolled) for a in unit_aggregates(lead)] == [("Steuern", 1)]
    # and the move is in the audit log, beside the identity's own change
    moved = AuditEntry.objects.get(
        action=AuditAction.SSO_MAPPING_CHANGED, target_type="training.enrollment"
    )
    assert moved.details == {"organisation_unit": {"from": "Einwohnerdienste", "to": "Steuern"}}
    assert (moved.target_id, moved.subject) == (str(asserted.pk), person)


def test_a_provider_that_stops_sending_a_unit_leaves_the_enrollments_where_they_are(
    settings, oidc_provider
):
    settings.SSO_PROVIDERS = [oidc_provider_entry(oidc_provider)]
    seed_oidc_user(oidc_provider, "lu-leer", {**CLAIMS, "department": "Einwohnerdienste"})
    oidc_login(Client(), "lu-leer")
    trainer = user_in_group("Trainer:innen", username="trainerin")
    cohort = make_cohort(course=make_workspace_course(sections=1, modules_per_section=1))
    enrollment = training_services.enroll_participant(
        cohort=cohort, email=CLAIMS["email"], actor=trainer
    )
    seed_oidc_user(oidc_provider, "lu-leer", {**CLAIMS, "department": ""})
    assert oidc_login(Client(), "lu-leer").response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.organisation_unit.name == "Einwohnerdienste"
