"""The migration that makes email addresses unique (accounts/0003) resolves the duplicates an
existing database already holds: it keeps each address on one account, moves it away from the
others without deleting anything, and says what it did."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import AccountEmail
from tests.factories import UserFactory, make_cohort, make_course
from training.models import Enrollment

BEFORE_UNIQUE_EMAILS = [("accounts", "0002_group_permissions")]
User = get_user_model()


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def account(username: str, email: str, **fields):
    # (no "email confirmed" row: its table does not exist before the migration)
    return UserFactory(username=username, email=email, email_confirmed=False, **fields)


def test_existing_duplicates_are_resolved_without_losing_an_account(
    restorable_database, django_db_serialized_rollback, transactional_db, capsys
):
    # given a database from before the migration, with the same address on several accounts
    migrate(BEFORE_UNIQUE_EMAILS)
    try:
        long_ago = timezone.now() - timedelta(days=400)
        idle = account("anna-alt", "anna@example.org", last_login=timezone.now())
        learner = account("anna", "Anna@Example.ORG", last_login=long_ago)
        course, _section, _modules = make_course(modules=1)
        Enrollment.objects.create(
            user=learner, course=course, cohort=make_cohort(course=course, name="Kurs 1")
        )
        recent = account("bruno", "bruno@example.org", last_login=timezone.now())
        stale = account("bruno2", "BRUNO@example.org", last_login=long_ago)
        alone = account("carla", "carla@example.org")
        accounts_before = User.objects.count()
    finally:
        # when the migrations run
        migrate(latest())
    report = capsys.readouterr().out
    # then per address one account keeps it: the one with enrollments, else the latest login
    kept = {u.username: u.email for u in User.objects.filter(pk__in=[learner.pk, recent.pk])}
    assert kept == {"anna": "Anna@Example.ORG", "bruno": "bruno@example.org"}
    assert User.objects.get(pk=alone.pk).email == "carla@example.org"
    # and the others lose the address only, kept aside (no account or enrollment is lost)
    for other, address in ((idle, "anna@example.org"), (stale, "BRUNO@example.org")):
        assert User.objects.get(pk=other.pk).email == ""
        state = AccountEmail.objects.get(user_id=other.pk)
        assert (state.displaced_email, state.confirmed_at) == (address, None)
    assert User.objects.count() == accounts_before
    assert Enrollment.objects.get().user_id == learner.pk
    # and the accounts that keep their address count as confirmed
    assert all(
        AccountEmail.objects.get(user_id=u.pk).confirmed_at for u in (learner, recent, alone)
    )
    # and the migration said what it did, per case
    assert f"Konto {learner.pk} (anna) behält sie, Konto {idle.pk} (anna-alt) verliert" in report
    assert f"Konto {recent.pk} (bruno) behält sie, Konto {stale.pk} (bruno2) verliert" in report
    # and from now on the database refuses a case variant
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="carla2", email="CARLA@example.org")
