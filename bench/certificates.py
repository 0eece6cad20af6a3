"""Certificate benchmarks: prints figures, asserts nothing.

    .venv/bin/python bench/certificates.py [--enrollments 1000] [--singles 50]

Needs PostgreSQL and Redis. It (re)creates its own database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/bench_certificates) and uses ``BENCH_REDIS_URL`` (default
redis://127.0.0.1:6379/14, flushed first). Three figures:

1. the renderer alone, and render + Open Badges credential: milliseconds per certificate on one
   core;
2. throughput: N enrollments completed in one transaction, two prefork worker processes →
   certificates per second from the commit until the last certificate is stored;
3. latency: single completions one after another at idle → time from the completing commit until
   the certificate is downloadable (row committed, file readable), p50/p95.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def _cpu_seconds(pid: str) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(worker_pid: int, database: str) -> tuple[float, float]:
    """CPU time so far of the worker processes (main and pool children) and of the PostgreSQL
    backends serving the bench database: machine-load-independent cost per certificate."""
    workers = database_cpu = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if int(entry.name) == worker_pid or ppid == worker_pid:
            workers += _cpu_seconds(entry.name)
        elif cmdline.startswith(b"postgres: ") and f" {database} ".encode() in cmdline:
            database_cpu += _cpu_seconds(entry.name)
    return workers, database_cpu


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def configure(database_url: str, redis_url: str, workdir: Path) -> dict:
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SECRET_KEY": "bench-only-secret-key",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "CERTIFICATE_SIGNING_KEY_FILE": str(workdir / "signing-key.pem"),
        "CERTIFICATE_SIGNING_KEY_GENERATE": "1",
        "EMAIL_URL": "dummymail://",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    os.environ.update(env)
    return env


def bench_renderer(rounds: int) -> list[float]:
    from datetime import date

    from django.utils import timezone

    from certificates.rendering import CertificateContent, SectionLine, render_certificate

    content = CertificateContent(
        serial="DBS-2027-000042",
        holder_name="Jürgen Weißmüller-Größ",
        course_title="Experte für digitalen Bürgerservice",
        sections=[
            SectionLine("Digitale Service-Expertise", date(2027, 3, 1), 3),
            SectionLine("Digitales Service-Mindset", date(2027, 3, 5), 2),
            SectionLine("Bürgerinteraktion 4.0", date(2027, 3, 9), 2),
        ],
        issued_at=timezone.now(),
        verify_url="https://akademie.example.ch/zertifikate/pruefen/" + "A" * 43 + "/",
        short_url="akademie.example.ch/zertifikate/pruefen/K7Q2-M8XH-4TC9/",
        display_code="K7Q2-M8XH-4TC9",
        organisation="Bürgerservice-Akademie",
        title="Zertifikat",
        explanatory_text="Die Weiterbildung vermittelt in drei Kompetenzbereichen, wie "
        "Verwaltungen ihre Dienstleistungen digital, barrierefrei und verständlich anbieten.",
        signatory_name="Regula Meier",
        signatory_role="Kursleitung",
    )
    render_certificate(content)  # fonts parsed once per process, as in a worker
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        render_certificate(content)
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench_credential(rounds: int) -> list[float]:
    """Building and signing the Open Badges 3.0 credential (VC-JWT), as the issue task does."""
    import uuid

    from django.utils import timezone

    from certificates import credentials
    from certificates.models import Certificate

    certificate = Certificate(
        id=uuid.uuid4(),
        serial="DBS-2027-000042",
        holder_name="Jürgen Weißmüller-Größ",
        course_title="Experte für digitalen Bürgerservice",
        sections=[
            {"title": t, "completed_on": "2027-03-01", "minutes": 120, "teaching_units": 3}
            for t in (
                "Digitale Service-Expertise",
                "Digitales Service-Mindset",
                "Bürgerinteraktion",
            )
        ],
        revisions=[
            {
                "module": i,
                "title": f"Modul {i}",
                "page_revision": 100 + i,
                "quiz": i,
                "quiz_revision": 200 + i,
                "completed_at": "2027-03-01T10:00:00+01:00",
            }
            for i in range(12)
        ],
        issued_at=timezone.now().replace(microsecond=0),
        valid_until=timezone.now().replace(microsecond=0) + timezone.timedelta(days=730),
        token="A" * 43,
        code="K7Q2M8XH4TC9",
        status_index=42,
    )
    facts = credentials.CredentialFacts(
        email="jw@example.org",
        user_id=7,
        course_id=3,
        issuer_name="Bürgerservice-Akademie",
        description="Die Weiterbildung vermittelt in drei Kompetenzbereichen …",
    )
    credentials.issue_credential(certificate, facts)  # key loaded once per process
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        credentials.issue_credential(certificate, facts)
        times.append((time.perf_counter() - start) * 1000)
    return times


def prepare(count: int):
    """Seeds the demo course and `count` participants who miss only the last required module."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from cms.selectors import course_modules
    from training.models import Cohort, Enrollment, ModuleProgress

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    cohort = Cohort.objects.get()
    required = [m for m in course_modules(cohort.course) if m.required]
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", first_name="Bärbel", last_name=f"Größer {i}", password="!")  # noqa: S106 (unusable)
            for i in range(count)
        ]
    )
    enrollments = Enrollment.objects.bulk_create(
        [Enrollment(user=u, course_id=cohort.course_id, cohort=cohort) for u in users]
    )
    now = timezone.now()
    ModuleProgress.objects.bulk_create(
        [
            ModuleProgress(
                enrollment=e,
                module=m,
                content_done_at=now,
                quiz_passed_at=now,
                completed_at=now,
                page_revision_id=m.live_revision_id,
            )
            for e in enrollments
            for m in required[:-1]
        ]
    )
    return [e.pk for e in enrollments], required[-1]


def finish(enrollment_id: int, last_module) -> None:
    """What the participant's last quiz submission does: record the pass, complete the module."""
    from django.utils import timezone

    from training.models import ModuleProgress
    from training.services import complete_module

    ModuleProgress.objects.update_or_create(
        enrollment_id=enrollment_id,
        module=last_module,
        defaults={"content_done_at": timezone.now(), "quiz_passed_at": timezone.now()},
    )
    complete_module(enrollment_id=enrollment_id, module_id=last_module.pk)


def start_workers(env: dict, concurrency: int) -> subprocess.Popen:
    from config.celery import app

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
            str(concurrency),
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
            "-n",
            "bench@%h",
        ],  # fmt: skip
        cwd=BASE_DIR,
        env={**os.environ, **env},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return process
    raise SystemExit("the worker did not start within 60 s")


def stop_workers(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def downloadable(enrollment_id: int) -> bool:
    from certificates.models import Certificate

    certificate = Certificate.objects.filter(enrollment_id=enrollment_id).first()
    if certificate is None:
        return False
    with certificate.pdf.open("rb") as handle:
        return handle.read(5) == b"%PDF-"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrollments", type=int, default=1000)
    parser.add_argument("--singles", type=int, default=50)
    parser.add_argument("--render-rounds", type=int, default=300)
    args = parser.parse_args()

    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_certificates"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    database = urlparse(database_url).path.lstrip("/")
    workdir = Path(tempfile.mkdtemp(prefix="bench-certificates-"))
    env = configure(database_url, redis_url, workdir)
    recreate_database(database_url)

    import django

    django.setup()
    from django.db import transaction

    from certificates.models import Certificate
    from config.celery import app

    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()

    render_ms = bench_renderer(args.render_rounds)
    print(
        f"renderer alone: {statistics.mean(render_ms):.1f} ms per certificate "
        f"(p50 {percentile(render_ms, 50):.1f} ms, p95 {percentile(render_ms, 95):.1f} ms, "
        f"{args.render_rounds} renders, one core)"
    )
    credential_ms = bench_credential(args.render_rounds)
    both = [r + c for r, c in zip(render_ms, credential_ms, strict=True)]
    print(
        f"Open Badges credential (build + VC-JWT sign): {statistics.mean(credential_ms):.2f} ms; "
        f"render + credential: {statistics.mean(both):.1f} ms per certificate "
        f"(p50 {percentile(both, 50):.1f} ms, p95 {percentile(both, 95):.1f} ms; target ≤ 15 ms)"
    )

    total = args.enrollments + args.singles
    enrollment_ids, last_module = prepare(total)
    batch, singles = enrollment_ids[: args.enrollments], enrollment_ids[args.enrollments :]
    workers = start_workers(env, concurrency=2)
    try:
        with transaction.atomic():
            for enrollment_id in batch:
                finish(enrollment_id, last_module)
        committed = time.perf_counter()  # the on-commit callbacks enqueue right after commit
        cpu_before = cpu_seconds(workers.pid, database)
        while Certificate.objects.filter(enrollment_id__in=batch).count() < len(batch):
            time.sleep(0.05)
        elapsed = time.perf_counter() - committed
        cpu_after = cpu_seconds(workers.pid, database)
        worker_ms = (cpu_after[0] - cpu_before[0]) * 1000 / len(batch)
        database_ms = (cpu_after[1] - cpu_before[1]) * 1000 / len(batch)
        print(
            f"throughput: {len(batch)} enrollments completed at once, 2 worker processes → "
            f"{len(batch) / elapsed:.0f} certificates/s ({elapsed:.1f} s from commit to last "
            "certificate stored)"
        )
        print(
            f"  CPU per certificate: {worker_ms:.0f} ms in the workers + {database_ms:.0f} ms in "
            f"PostgreSQL → at most {2000 / (worker_ms + database_ms):.0f} certificates/s on two "
            "otherwise idle cores"
        )

        with app.connection_for_write() as conn:
            client = conn.default_channel.client
            while client.llen("celery") or client.hlen("unacked"):
                time.sleep(0.2)  # the batch's emails drain before latency is measured
        latencies = []
        for enrollment_id in singles:
            with transaction.atomic():
                finish(enrollment_id, last_module)
            start = time.perf_counter()
            while not downloadable(enrollment_id):
                time.sleep(0.002)
            latencies.append((time.perf_counter() - start) * 1000)
            time.sleep(0.2)  # idle between completions
        print(
            f"latency commit → downloadable, {len(singles)} single completions at idle: "
            f"p50 {percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms, "
            f"max {max(latencies):.0f} ms"
        )
    finally:
        stop_workers(workers)


if __name__ == "__main__":
    main()
