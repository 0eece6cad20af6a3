"""Retention: inactive accounts without enrollment are anonymised by a nightly beat task."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from celery.schedules import crontab
from django.conf import settings
from django.contrib.auth import get_user_model

from accounts import services
from accounts.tasks import apply_retention
from audit.models import AuditAction, AuditEntry
from config.celery import app
from tests.conftest import wait_for
from tests.factories import UserFactory, editor
from training.models import Cohort
from training.services import enroll

NOW = datetime(2027, 3, 31, 3, 17, tzinfo=ZoneInfo("Europe/Zurich"))
User = get_user_model()


def months_ago(months: int, days: int = 0) -> datetime:
    return services.months_before(NOW, months) - timedelta(days=days)


def is_anonymised(user) -> bool:
    return User.objects.get(pk=user.pk).username.startswith("geloescht-")


def test_months_are_calendar_months():
    assert services.months_before(NOW, 24) == datetime(2025, 3, 31, 3, 17, tzinfo=NOW.tzinfo)
    assert services.months_before(NOW, 1) == datetime(2027, 2, 28, 3, 17, tzinfo=NOW.tzinfo)
    assert services.months_before(NOW, 13) == datetime(2026, 2, 28, 3, 17, tzinfo=NOW.tzinfo)


@pytest.mark.django_db
def test_inactive_accounts_without_enrollment_are_anonymised_after_24_months(demo):
    # given accounts last seen 24 months and a day ago, or just under 24 months ago
    gone = UserFactory(last_login=months_ago(24, days=1))
    never_logged_in = UserFactory(last_login=None, date_joined=months_ago(30))
    recent = UserFactory(last_login=months_ago(23, days=27))
    enrolled = UserFactory(last_login=months_ago(30))
    enroll(user=enrolled, cohort=Cohort.objects.get())
    trainer = editor(last_login=months_ago(30))
    admin = UserFactory(last_login=months_ago(30), is_superuser=True)
    # when the retention runs
    erased = services.anonymise_inactive_accounts(now=NOW)
    # then only the inactive accounts without enrollment are anonymised
    assert sorted(erased) == sorted([gone.pk, never_logged_in.pk])
    assert [is_anonymised(u) for u in (gone, never_logged_in)] == [True, True]
    assert [is_anonymised(u) for u in (recent, enrolled, trainer, admin)] == [False] * 4
    # and each erasure is logged as done by the retention rule
    assert list(
        AuditEntry.objects.filter(action=AuditAction.ACCOUNT_ERASED)
        .order_by("details__account_id")
        .values_list("details", flat=True)
    ) == [
        {"account_id": pk, "requested_by": "retention"}
        for pk in sorted([gone.pk, never_logged_in.pk])
    ]
    # and a second run has nothing left to do
    assert services.anonymise_inactive_accounts(now=NOW) == []


@pytest.mark.django_db
def test_the_period_is_configurable(settings):
    settings.ACCOUNT_RETENTION_MONTHS = 6
    account = UserFactory(last_login=months_ago(7))
    assert services.anonymise_inactive_accounts(now=NOW) == [account.pk]


@pytest.mark.django_db
def test_old_failed_logins_and_audit_entries_are_deleted():
    # given failed logins from 31 and 29 days ago and audit entries from 25 and 23 months ago
    old = AccessAttempt.objects.create(
        username="a", ip_address="192.0.2.1", user_agent="x", failures_since_start=1
    )
    fresh = AccessAttempt.objects.create(
        username="b", ip_address="192.0.2.1", user_agent="x", failures_since_start=1
    )
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=NOW - timedelta(days=31))
    AccessAttempt.objects.filter(pk=fresh.pk).update(attempt_time=NOW - timedelta(days=29))
    for months in (25, 23):
        entry = AuditEntry.objects.create(action=AuditAction.REPORT_EXPORTED)
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=months_ago(months))
    # when the retention runs
    purged = services.purge_expired_records(now=NOW)
    # then only the expired records are gone
    assert purged == {"login_attempts": 1, "audit_entries": 1}
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["b"]
    assert AuditEntry.objects.get().created_at == months_ago(23)


def test_the_retention_task_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == "accounts.tasks.apply_retention"
    assert entry["schedule"] == crontab(hour=3, minute=17)
    assert "accounts.tasks.apply_retention" in app.tasks


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_retention_task(celery_worker):
    # given an account unused for three years
    account = UserFactory(last_login=datetime.now(tz=NOW.tzinfo) - timedelta(days=3 * 365))
    # when the beat's task is sent to the broker
    result = apply_retention.delay()
    # then a worker anonymises it
    assert result.get(timeout=15) == {
        "accounts_anonymised": 1,
        "login_attempts": 0,
        "audit_entries": 0,
    }
    assert wait_for(lambda: is_anonymised(account))
