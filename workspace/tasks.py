"""Celery tasks of the trainer workspace. They take ids and are safe to repeat; the work lives in
workspace.runner. Their names are those they had in the training app, so messages queued before
the move are still accepted."""

from celery import shared_task

from training.tasks import queue_invitations
from workspace import runner


@shared_task(name="training.run_workspace_job", acks_late=True, ignore_result=True)
def run_workspace_job(job_id: int) -> None:
    """Runs an import or export job. Repeats are no-ops (the job row is claimed under a lock);
    failures are recorded on the job with their reason. An import's new accounts are handed on
    to training's invitation task."""
    invitations = runner.run_job(job_id=job_id)
    queue_invitations(invitations.enrollment_ids, actor_id=invitations.actor_id)


@shared_task(name="training.purge_workspace_jobs", ignore_result=True)
def purge_workspace_jobs() -> None:
    """Deletes import/export jobs and their files after a week (they hold personal data)."""
    runner.purge_jobs()
