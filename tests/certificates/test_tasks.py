"""Reliability of issuing, with the real Redis broker and real workers (a threads worker in this
process, or prefork workers as subprocesses on the test database)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction

from certificates import services
from certificates.models import Certificate
from certificates.tasks import issue_certificate, reconcile_certificates
from config.celery import app as celery_app
from tests.certificates.conftest import complete, idle_broker, queue_length, running_worker
from tests.certificates.faults import FlakyStorage, RefusingEmailBackend
from tests.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BASE_DIR = Path(django_settings.BASE_DIR)


def certificate_of(enrollment):
    return Certificate.objects.filter(enrollment=enrollment).first()


def stored_pdfs(settings) -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_a_completion_while_no_worker_runs_is_issued_once_a_worker_starts(
    broker, course, enrollment
):
    # given a completion committed while no worker runs
    complete(enrollment, course)
    assert queue_length() == 1
    assert certificate_of(enrollment) is None
    # when a worker starts
    with running_worker():
        certificate = wait_for(lambda: certificate_of(enrollment), timeout=30)
        wait_for(lambda: len(mail.outbox) == 1)
    # then exactly one certificate and one email exist
    assert Certificate.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"Ihr Zertifikat {certificate.serial}"


def test_the_same_task_enqueued_three_times_leaves_one_certificate_and_one_email(
    broker, course, enrollment, settings
):
    # given the completion's task and the same task twice more on the queue
    complete(enrollment, course)
    issue_certificate.delay(enrollment.pk)
    issue_certificate.delay(enrollment.pk)
    assert queue_length() == 3
    # when a worker with two threads runs them (two at the same time)
    with running_worker(concurrency=2):
        wait_for(lambda: certificate_of(enrollment), timeout=30)
        wait_for(lambda: len(mail.outbox) == 1)
        wait_for(idle_broker, timeout=30)
    # then (after every task finished) one certificate, one stored PDF and one email
    assert Certificate.objects.count() == 1
    assert len(stored_pdfs(settings)) == 1
    assert len(mail.outbox) == 1


def test_a_storage_error_on_the_first_attempt_is_retried(
    celery_worker, course, enrollment, settings
):
    # given a storage that fails the next save
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.certificates.faults.FlakyStorage"},
    }
    FlakyStorage.failures = 1
    # when the enrollment is completed
    complete(enrollment, course)
    # then the task retries and the certificate is issued, with its file stored
    certificate = wait_for(lambda: certificate_of(enrollment), timeout=30)
    assert FlakyStorage.failures == 0
    assert Certificate.objects.count() == 1
    assert [p.name for p in stored_pdfs(settings)] == [f"{certificate.pk}.pdf"]
    # and the failed attempt used no serial: the register has no gap
    assert certificate.serial.endswith("-000001")


def test_a_lost_message_is_issued_by_the_reconciliation_task(broker, course, enrollment):
    # given a completion whose message was lost (the queue is emptied before any worker ran)
    complete(enrollment, course)
    celery_app.control.purge()
    assert queue_length() == 0
    with running_worker():
        # when the beat's reconciliation task runs
        counts = reconcile_certificates.delay(grace_seconds=0).get(timeout=30)
        # then it re-enqueued the enrollment and the certificate is issued
        assert counts == {"certificates": 1, "emails": 0}
        wait_for(lambda: certificate_of(enrollment), timeout=30)
        wait_for(lambda: len(mail.outbox) == 1)
    assert Certificate.objects.count() == 1


def _point_broker_at(url: str) -> None:
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_redis_down_at_commit_delays_the_certificate_but_not_the_participant(
    broker, course, enrollment, redis_url
):
    # given the broker unreachable at the moment the completion commits
    _point_broker_at("redis://127.0.0.1:9/0")
    try:
        complete(enrollment, course)  # the completing request does not fail
    finally:
        _point_broker_at(redis_url)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert queue_length() == 0
    # when the broker is back and reconciliation runs
    with running_worker():
        reconcile_certificates.delay(grace_seconds=0).get(timeout=30)
        # then the certificate is issued
        wait_for(lambda: certificate_of(enrollment), timeout=30)
    assert Certificate.objects.count() == 1


def test_a_rolled_back_completion_sends_no_task(broker, course, enrollment):
    # when the completing transaction rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        complete(enrollment, course)
        raise RuntimeError("request failed after completing")
    # then no task was sent and nothing was issued
    assert queue_length() == 0
    assert certificate_of(enrollment) is None
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    # while the same completion committed sends exactly one
    complete(enrollment, course)
    assert queue_length() == 1


def test_reconciliation_never_reissues_a_revoked_certificate(
    celery_worker, course, enrollment, django_user_model
):
    # given an issued and then revoked certificate
    complete(enrollment, course)
    certificate = wait_for(lambda: certificate_of(enrollment), timeout=30)
    lead = django_user_model.objects.create_superuser("chefin", "chefin@example.org", "x")
    services.revoke_certificate(certificate_id=certificate.pk, reason="Betrug", revoked_by=lead)
    # when reconciliation runs and the task is even sent again
    counts = reconcile_certificates.delay(grace_seconds=0).get(timeout=30)
    issue_certificate.delay(enrollment.pk).get(timeout=30)
    # then nothing was re-enqueued or issued, and it stays revoked
    assert counts == {"certificates": 0, "emails": 0}
    assert list(Certificate.objects.values_list("pk", "revocation_reason")) == [
        (certificate.pk, "Betrug")
    ]


def test_a_refused_email_is_retried_and_sent_once_without_touching_the_certificate(
    celery_worker, course, enrollment, settings
):
    # given a mail server that refuses twice
    settings.EMAIL_BACKEND = "tests.certificates.faults.RefusingEmailBackend"
    RefusingEmailBackend.refusals = 2
    # when the enrollment is completed
    complete(enrollment, course)
    # then the certificate is issued at once and the email arrives once after the retries
    certificate = wait_for(lambda: certificate_of(enrollment), timeout=30)
    wait_for(lambda: Certificate.objects.filter(emailed_at__isnull=False).exists(), timeout=30)
    assert RefusingEmailBackend.refusals == 0
    assert len(mail.outbox) == 1
    assert Certificate.objects.get().pk == certificate.pk


# --- prefork workers as subprocesses -------------------------------------------------------


@pytest.fixture
def worker_process(broker, settings, tmp_path):
    """Starts `celery -A config worker -P prefork -c 1` on the test database and broker."""
    processes = []

    def start(**extra_env):
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            pytest.skip("a worker subprocess shares the test database only on PostgreSQL")
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "DJANGO_MEDIA_ROOT": settings.MEDIA_ROOT,
            "CERTIFICATE_SIGNING_KEY": settings.CERTIFICATE_SIGNING_KEY,
            "WAGTAILADMIN_BASE_URL": settings.WAGTAILADMIN_BASE_URL,
            "EMAIL_URL": "dummymail://",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(BASE_DIR),
            **extra_env,
        }
        log = open(tmp_path / f"worker-{len(processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-P",
                "prefork",
                "-c",
                "1",
                "-n",
                f"subprocess{len(processes)}@%h",
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                "WARNING",
                "-I",
                "tests.certificates.faults",
            ],  # fmt: skip
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_a_worker_process_killed_mid_render_leaves_exactly_one_certificate(
    worker_process, course, enrollment, tmp_path, settings
):
    # given a completion on the queue and a prefork worker whose first render stalls
    marker = tmp_path / "render.pid"
    complete(enrollment, course)
    worker_process(CERTIFICATE_TEST_RENDER_MARKER=str(marker))
    rendering_pid = int(wait_for(lambda: marker.exists() and marker.read_text(), timeout=60))
    assert certificate_of(enrollment) is None
    # when the process rendering it is killed with SIGKILL
    os.kill(rendering_pid, signal.SIGKILL)
    # then the message goes back to the queue, a new worker process takes it, and exactly one
    # certificate (with exactly one stored file) results
    certificate = wait_for(lambda: certificate_of(enrollment), timeout=60)
    wait_for(lambda: Certificate.objects.filter(emailed_at__isnull=False).exists(), timeout=30)
    assert Certificate.objects.count() == 1
    assert [p.name for p in stored_pdfs(settings)] == [f"{certificate.pk}.pdf"]


def test_two_workers_running_the_same_task_at_once_leave_one_certificate(
    worker_process, course, enrollment, settings
):
    # given the task for one enrollment on the queue six times
    complete(enrollment, course)
    for _ in range(5):
        issue_certificate.delay(enrollment.pk)
    # when two separate workers (a prefork subprocess and a threads worker here) take them
    worker_process()
    with running_worker(concurrency=2):
        wait_for(lambda: certificate_of(enrollment), timeout=60)
        wait_for(lambda: Certificate.objects.filter(emailed_at__isnull=False).exists(), timeout=30)
        wait_for(idle_broker, timeout=30)
    # then one certificate and one stored file exist
    assert Certificate.objects.count() == 1
    assert len(stored_pdfs(settings)) == 1


def test_no_certificate_for_an_enrollment_unenrolled_before_the_task_runs(
    celery_worker, course, enrollment
):
    # given a completion and, before its task runs, the participant unenrolled
    from training.services import unenroll_participant

    trainer = course.cohort.trainers.get()
    with transaction.atomic():  # the task is enqueued when this commits, already unenrolled
        complete(enrollment, course)
        unenroll_participant(enrollment=enrollment, actor=trainer)
    # when the worker runs the completion's task, the task once more and the reconciliation
    serial = issue_certificate.delay(enrollment.pk).get(timeout=30)
    counts = reconcile_certificates.delay(grace_seconds=0).get(timeout=30)
    wait_for(idle_broker, timeout=30)
    # then no certificate was issued, stored or mailed
    assert serial is None
    assert counts == {"certificates": 0, "emails": 0}
    assert certificate_of(enrollment) is None
    assert mail.outbox == []
