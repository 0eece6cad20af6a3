"""Imports and exports that take longer run on a real Celery worker; the admin shows their
progress (reloading itself without JavaScript), offers the file, and says why a job failed."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import wait_for
from tests.factories import enroll_many
from training import services as training_services
from training.models import Enrollment
from workspace import jobs, runner
from workspace import services as workspace_services
from workspace.models import WorkspaceJob

HEADER = "Vorname;Nachname;E-Mail;Organisationseinheit;Kursdurchführung"


def job_url(name, job):
    return reverse(f"training_workspace:{name}", args=[job.pk])


def finished(job):
    job.refresh_from_db()
    return job.status in (WorkspaceJob.Status.DONE, WorkspaceJob.Status.FAILED)


def test_a_waiting_job_shows_its_progress_and_reloads_itself(trainer_client, cohort, trainer):
    # given a job a worker has half done
    job = WorkspaceJob.objects.create(
        kind=WorkspaceJob.Kind.REPORT_EXPORT,
        cohort=cohort,
        created_by=trainer,
        status=WorkspaceJob.Status.RUNNING,
    )
    jobs.report_progress(job.pk, 250, 1000)
    # when the trainer looks at it
    html = trainer_client.get(job_url("job", job)).content.decode()
    # then
    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<progress max="1000" value="250"' in html
    assert "250 von 1000 Zeilen (25 %)" in html
    assert "Jetzt aktualisieren" in html


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_xlsx_export_runs_on_the_worker_and_offers_the_file(
    migration_data, celery_worker, trainer_client, cohort, monkeypatch
):
    # given a cohort larger than what the request exports itself
    enroll_many(cohort, 30)
    monkeypatch.setattr(workspace_services, "INLINE_MAX_ROWS", 10)
    # when the trainer asks for the XLSX export
    response = trainer_client.post(
        reverse("training_workspace:report_export", args=[cohort.pk, "xlsx"])
    )
    job = WorkspaceJob.objects.get()
    assert response["Location"] == job_url("job", job)
    # then the worker writes the file and the job page offers it
    wait_for(lambda: finished(job))
    assert (job.status, job.error) == (WorkspaceJob.Status.DONE, "")
    page = trainer_client.get(job_url("job", job)).content.decode()
    assert "refresh" not in page
    assert job_url("job_download", job) in page
    download = trainer_client.get(job_url("job_download", job))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(sheet.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 31
    assert rows[1][0] == "Nachname0000"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_import_runs_on_the_worker_and_reports_its_result(
    migration_data, celery_worker, trainer_client, cohort, monkeypatch
):
    # given a checked file of 12 new people, more than the request imports itself
    monkeypatch.setattr(workspace_services, "INLINE_MAX_ROWS", 5)
    lines = [f"Vorname{i};Nachname{i};person{i}@example.org;Einwohneramt;" for i in range(12)]
    upload = SimpleUploadedFile("liste.csv", "\n".join([HEADER, *lines]).encode())
    trainer_client.post(reverse("training_workspace:import", args=[cohort.pk]), {"file": upload})
    job = WorkspaceJob.objects.get()
    assert job.status == WorkspaceJob.Status.PREVIEW
    # when the trainer confirms it
    trainer_client.post(job_url("job_confirm", job))
    # then the worker imports everybody and sends the invitations
    wait_for(lambda: finished(job))
    assert job.result["summary"] == {
        "enrolled": 12,
        "new_accounts": 12,
        "skipped": 0,
        "invited": 12,
    }
    assert Enrollment.objects.filter(cohort=cohort).count() == 12
    wait_for(lambda: len(mail.outbox) == 12)
    page = trainer_client.get(job_url("job", job)).content.decode()
    assert "Importiert: 12 Personen eingeschrieben" in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_failed_import_job_says_why_and_writes_nothing(
    migration_data, celery_worker, trainer_client, cohort, other_cohort, trainer, lead, monkeypatch
):
    # given a checked preview of 8 people, one of whom is then enrolled elsewhere
    monkeypatch.setattr(workspace_services, "INLINE_MAX_ROWS", 5)
    lines = [f"V{i};N{i};p{i}@example.org;;" for i in range(8)]
    upload = SimpleUploadedFile("liste.csv", "\n".join([HEADER, *lines]).encode())
    job = workspace_services.start_import(cohort=cohort, upload=upload, actor=trainer)
    training_services.enroll_participant(
        cohort=other_cohort, email="p7@example.org", first_name="P", last_name="Sieben", actor=lead
    )
    # when the import runs on the worker
    trainer_client.post(job_url("job_confirm", job))
    wait_for(lambda: finished(job))
    # then it failed with the reason, and nobody of the file was enrolled in the cohort
    assert job.status == WorkspaceJob.Status.FAILED
    assert (
        "9: Kann hier nicht eingeschrieben werden; bitte wenden Sie sich an die Kursleitung."
        in job.error
    )
    assert Enrollment.objects.filter(cohort=cohort).count() == 0
    page = trainer_client.get(job_url("job", job)).content.decode()
    assert "Der Auftrag ist fehlgeschlagen." in page
    assert "Bauamt 2027" not in page  # another trainer's cohort is not named


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_running_a_job_twice_does_the_work_once(migration_data, celery_worker, cohort, trainer):
    enroll_many(cohort, 3)
    job = workspace_services.start_export(
        cohort=cohort, kind=WorkspaceJob.Kind.PARTICIPANTS_EXPORT, params={}, actor=trainer
    )
    wait_for(lambda: finished(job))
    first_file = job.result_file.name

    runner.run_job(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == WorkspaceJob.Status.DONE
    assert job.result_file.name == first_file
