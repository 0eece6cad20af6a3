"""Celery tasks of the trainer workspace. They take ids and are safe to repeat; the work lives in
training.workspace_services."""

from celery import shared_task


@shared_task(name="training.run_workspace_job", acks_late=True, ignore_result=True)
def run_workspace_job(job_id: int) -> None:
    """Runs an import or export job. Repeats are no-ops (the job row is claimed under a lock);
    failures are recorded on the job with their reason."""
    from training.workspace_services import run_job

    run_job(job_id=job_id)


@shared_task(
    name="training.send_invitations",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_invitations(enrollment_ids: list[int], actor_id: int | None = None) -> None:
    """Mails invitations; people who set their password meanwhile get none. A mail server
    outage (OSError) is retried with backoff."""
    from training.workspace_services import send_invitations as send

    send(enrollment_ids=enrollment_ids, actor_id=actor_id)


@shared_task(name="training.purge_workspace_jobs", ignore_result=True)
def purge_workspace_jobs() -> None:
    """Deletes import/export jobs and their files after a week (they hold personal data)."""
    from training.workspace_services import purge_jobs

    purge_jobs()
