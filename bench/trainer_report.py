"""Trainer workspace benchmark: the cohort report page and the XLSX export of a cohort of 2,000
participants × 12 modules on PostgreSQL. Prints time and peak memory; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_trainer \\
        .venv/bin/python bench/trainer_report.py [--participants 2000] [--runs 15]

The database named in DATABASE_URL is dropped and created again (never point it at real data).
Targets (issue): report page ≤ 300 ms, export ≤ 5 s with peak memory below 200 MiB.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.parse
import warnings
from pathlib import Path

from workspace import runner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_trainer"


def configure(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    os.environ["DJANGO_DEBUG"] = "0"  # DEBUG would record every query
    os.environ["DJANGO_HTTPS"] = "0"
    os.environ.pop("REDIS_URL", None)  # the export runs in this process
    os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-"))
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, no collectstatic
    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # No collectstatic needed for rendering admin pages here.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    if parsed.scheme not in ("postgres", "postgresql") or not name:
        raise SystemExit(f"This benchmark needs PostgreSQL: {url!r}")
    maintenance = parsed._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed(participants: int) -> dict:
    """A course of 3 sections × 4 modules, one cohort, its trainer and `participants` people with
    varied progress, failed quizzes and essays waiting for marking."""
    import json

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from cms.models import CompetenceArea, CoursePage, ModulePage, SectionPage
    from cms.selectors import course_modules
    from cms.services import ensure_home_page
    from training.models import Cohort, Enrollment, ModuleProgress, OrganisationUnit, Quiz, Sitting
    from training.quizzes.demo import question_block

    call_command("migrate", verbosity=0)
    home = ensure_home_page()
    course = home.add_child(instance=CoursePage(title="Bench-Kurs", slug="bench-kurs"))
    for s, area in enumerate(CompetenceArea.values, start=1):
        section = course.add_child(
            instance=SectionPage(
                title=f"Lernbereich {s}", slug=f"b{s}", competence_area=area, order=s
            )
        )
        for m in range(1, 5):
            section.add_child(instance=ModulePage(title=f"Modul {s}.{m}", slug=f"m{s}-{m}"))
    modules = [m.pk for m in course_modules(course)]

    User = get_user_model()
    trainer = User.objects.create_user("bench-trainer")  # signed in with force_login
    trainer.groups.add(Group.objects.get(name="Trainer:innen"))
    cohort = Cohort.objects.create(name="Bench-Kohorte", organisation="Stadt Bench", course=course)
    cohort.trainers.add(trainer)
    units = [
        OrganisationUnit.objects.create(organisation="Stadt Bench", name=f"Amt {i}")
        for i in range(8)
    ]
    quiz = Quiz(
        title="Bench-Lernkontrolle",
        questions=json.dumps(
            [question_block({"type": "true_false", "text": "Stimmt?", "correct": True}, "bench")]
        ),
        live=False,
    )
    quiz.save()
    quiz.save_revision().publish()
    quiz.refresh_from_db()

    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            username=f"tn{i:05d}@example.org",
            email=f"tn{i:05d}@example.org",
            first_name=f"Vorname{i:05d}",
            last_name=f"Nachname{i:05d}",
            password=password,
        )
        for i in range(participants)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(user=u, course=course, cohort=cohort, organisation_unit=units[i % len(units)])
        for i, u in enumerate(users)
    )
    rng = random.Random(42)
    now = timezone.now()
    progress, sittings = [], []
    for e in enrollments:
        done = rng.randint(0, len(modules))
        for i, module in enumerate(modules[: min(done + 1, len(modules))]):
            moment = now - timezone.timedelta(days=rng.randint(0, 60))
            complete = i < done
            progress.append(
                ModuleProgress(
                    enrollment=e,
                    module_id=module,
                    content_done_at=moment,
                    quiz_passed_at=moment if complete else None,
                    completed_at=moment if complete else None,
                )
            )
        if done < len(modules) and rng.random() < 0.3:
            sittings.append(
                Sitting(
                    user_id=e.user_id,
                    quiz=quiz,
                    quiz_revision=quiz.latest_revision,
                    enrollment=e,
                    module_id=modules[done],
                    complete=True,
                    passed=None if rng.random() < 0.3 else False,
                    needs_marking=rng.random() < 0.3,
                    max_score=1,
                    finished_at=now,
                )
            )
    ModuleProgress.objects.bulk_create(progress, batch_size=5000)
    Sitting.objects.bulk_create(sittings, batch_size=5000)
    return {
        "cohort": cohort.pk,
        "trainer": trainer.pk,
        "modules": len(modules),
        "progress_rows": len(progress),
        "sittings": len(sittings),
    }


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def current_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_report(cohort_id: int, trainer_id: int, runs: int) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from training.models import Cohort
    from workspace.report import cohort_report

    client = Client()
    client.force_login(get_user_model().objects.get(pk=trainer_id))
    url = reverse("training_workspace:report", args=[cohort_id])
    cohort = Cohort.objects.select_related("course").get(pk=cohort_id)

    def timed(fn):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        return times

    def page(query=""):
        response = client.get(url + query)
        assert response.status_code == 200, response.status_code

    page()  # warm up caches and the connection
    selector = timed(lambda: cohort_report(cohort=cohort, sort="-progress"))
    pages = timed(page)
    sorted_pages = timed(lambda: page("?sort=-activity&status=quiz_failed&p=2"))
    tracemalloc.start()
    page()
    _size, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    def line(label, times):
        print(
            f"  {label:<44} median {statistics.median(times):7.1f} ms   "
            f"p95 {sorted(times)[int(len(times) * 0.95) - 1]:7.1f} ms   max {max(times):7.1f} ms"
        )

    print(f"Cohort report ({runs} runs each, warm):")
    line("selector cohort_report()", selector)
    line("report page GET (rendered, 50 rows)", pages)
    line("report page GET sorted + filtered, page 2", sorted_pages)
    print(f"  Python allocations at peak during one page:  {traced_peak / 2**20:7.1f} MiB")


def measure_export_child(cohort_id: int, trainer_id: int) -> None:
    """Runs in a fresh process so its peak RSS is the export's, not the seeding's."""
    from django.contrib.auth import get_user_model

    from training.models import Cohort
    from workspace.models import WorkspaceJob

    cohort = Cohort.objects.select_related("course").get(pk=cohort_id)
    trainer = get_user_model().objects.get(pk=trainer_id)
    baseline = current_rss_mib()

    def export():
        job = WorkspaceJob.objects.create(
            kind=WorkspaceJob.Kind.REPORT_EXPORT, cohort=cohort, created_by=trainer, params={}
        )
        start = time.perf_counter()
        runner.run_job(job_id=job.pk)  # what the Celery worker runs
        elapsed = time.perf_counter() - start
        job.refresh_from_db()
        assert job.status == WorkspaceJob.Status.DONE, job.error
        return job, elapsed

    job, elapsed = export()  # timed without tracemalloc, which slows Python down severalfold
    peak_rss = peak_rss_mib()
    tracemalloc.start()
    export()
    _size, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = job.result_file.size
    print("XLSX export of the cohort report (job as the worker runs it, fresh process):")
    print(f"  time                                          {elapsed:7.2f} s")
    print(f"  peak RSS of the process                       {peak_rss:7.1f} MiB")
    print(f"  RSS before the export (Django loaded)         {baseline:7.1f} MiB")
    print(f"  Python allocations at peak during the export  {traced_peak / 2**20:7.1f} MiB")
    print(f"  file                                          {size / 2**20:7.2f} MiB")

    from workspace import exports

    start = time.perf_counter()
    lines = sum(1 for _ in exports.stream_csv(exports.report_table(cohort=cohort)))
    print(f"CSV stream of the same report ({lines} lines): {time.perf_counter() - start:7.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--export-child", nargs=2, type=int, metavar=("COHORT", "TRAINER"))
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if args.export_child:
        configure(url)
        measure_export_child(*args.export_child)
        return

    recreate_database(url)
    configure(url)
    start = time.perf_counter()
    seeded = seed(args.participants)
    print(
        f"Seeded {args.participants} participants × {seeded['modules']} modules "
        f"({seeded['progress_rows']} progress rows, {seeded['sittings']} sittings) "
        f"in {time.perf_counter() - start:.1f} s on PostgreSQL."
    )
    measure_report(seeded["cohort"], seeded["trainer"], args.runs)
    subprocess.run(
        [sys.executable, __file__, "--export-child", str(seeded["cohort"]), str(seeded["trainer"])],
        check=True,
        env={**os.environ, "DATABASE_URL": url},
    )


if __name__ == "__main__":
    main()
