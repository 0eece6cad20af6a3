"""Background jobs of the workspace as trainers see them: their own jobs of a cohort, and a
running job's progress (kept in the cache)."""

from django.core.cache import cache

from training.models import Cohort
from workspace.models import WorkspaceJob


def jobs_for(user, cohort: Cohort):
    return WorkspaceJob.objects.filter(created_by=user, cohort=cohort)


def _progress_key(job_id: int) -> str:
    return f"training:job:{job_id}:progress"


def report_progress(job_id: int, done: int, total: int) -> None:
    # The cache, not the job row: an import writes in one transaction that other connections
    # cannot see into until it commits.
    cache.set(_progress_key(job_id), (done, total), timeout=60 * 60 * 24)


def job_progress(job: WorkspaceJob) -> tuple[int, int]:
    if job.status in (WorkspaceJob.Status.DONE, WorkspaceJob.Status.PREVIEW):
        total = job.result.get("total") or 1
        return total, total
    done, total = cache.get(_progress_key(job.pk)) or (0, job.result.get("total") or 0)
    return done, total


def forget_progress(job_id: int) -> None:
    cache.delete(_progress_key(job_id))
