"""Celery tasks keep the names their messages were queued under, wherever their code lives.

The trainer workspace's tasks moved from training/tasks.py to workspace/tasks.py (the invitation
task to training/tasks.py again); messages already on the broker, and the beat schedule, name
them as before.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app
from tests.conftest import wait_for
from tests.factories import UserFactory, make_cohort, make_workspace_course
from workspace.models import WorkspaceJob

NAMES_ON_THE_BROKER = {
    "config.celery.heartbeat",
    "certificates.issue",
    "certificates.email",
    "certificates.reconcile",
    "accounts.password_reset_email",
    "accounts.tasks.apply_retention",
    "training.run_workspace_job",
    "training.send_invitations",
    "training.purge_workspace_jobs",
    "xapi.deliver_statements",
    "xapi.deliver_pending_statements",
}


def registered_tasks() -> set[str]:
    app.loader.import_default_modules()  # what a worker imports at start
    return set(app.tasks)


def test_every_task_keeps_its_name():
    assert NAMES_ON_THE_BROKER <= registered_tasks()


def test_every_beat_entry_names_a_registered_task():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - registered_tasks() == set()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_message_sent_under_the_old_name_is_run_by_the_worker(celery_worker):
    # given an import job older than a week
    trainer = UserFactory()
    cohort = make_cohort(course=make_workspace_course(sections=1, modules_per_section=1))
    job = WorkspaceJob.objects.create(
        kind=WorkspaceJob.Kind.REPORT_EXPORT,
        status=WorkspaceJob.Status.DONE,
        cohort=cohort,
        created_by=trainer,
    )
    WorkspaceJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=8))
    # when a message names the purge task as the training app named it
    app.send_task("training.purge_workspace_jobs")
    # then the worker runs it: the old job is gone
    assert wait_for(lambda: not WorkspaceJob.objects.filter(pk=job.pk).exists())
