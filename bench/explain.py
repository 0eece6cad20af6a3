"""EXPLAIN (ANALYZE) of the queries a participant page really runs.

The queries are captured from the page itself (rendered in-process for one benchmark
participant), so the plans follow the code as it changes. Plans of queries on the per-person
tables are printed in full; a sequential scan there is flagged, since it grows with the number of
participants.
"""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

PER_PERSON_TABLES = ("training_", "auth_user", "django_session", "certificates_")
TABLE = re.compile(r'FROM "([a-z0-9_]+)"')
SEQ_SCAN = re.compile(r"Seq Scan on ([a-z0-9_]+)")


def capture(path: str, user) -> list[str]:
    client = Client()
    client.force_login(user)
    client.get(path)  # warm caches, as in the load runs
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return [q["sql"] for q in ctx.captured_queries]


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


def report(pages: list[tuple[str, str]], user, *, row_counts: dict[str, int]) -> tuple[str, list]:
    """Text of the plans, and the findings (page, table, sequential scans on per-person tables)."""
    lines, findings = [], []
    for label, path in pages:
        queries = capture(path, user)
        lines.append(f"--- {label} ({path}): {len(queries)} queries")
        for i, sql in enumerate(queries, 1):
            if not sql.lstrip().upper().startswith("SELECT"):
                lines.append(f"[{i}] (not a SELECT) {sql[:120]}")
                continue
            tables = sorted(set(TABLE.findall(sql)))
            plan = explain(sql)
            timing = next((ln for ln in plan if ln.startswith("Execution Time")), "")
            per_person = [t for t in tables if t.startswith(PER_PERSON_TABLES)]
            seq = [t for t in SEQ_SCAN.findall("\n".join(plan)) if t.startswith(PER_PERSON_TABLES)]
            big_seq = [t for t in seq if row_counts.get(t, 0) > 1000]
            flag = "  << sequential scan on " + ", ".join(big_seq) if big_seq else ""
            lines.append(f"[{i}] {', '.join(tables)} — {timing}{flag}")
            if per_person:
                lines.append("      " + sql[:400] + (" …" if len(sql) > 400 else ""))
                lines.extend("      " + ln for ln in plan)
            for t in big_seq:
                findings.append((label, t, sql))
    return "\n".join(lines), findings


def table_rows(tables: list[str]) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for t in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(t)}")  # noqa: S608
            counts[t] = cursor.fetchone()[0]
    return counts


def representative_queries(user_id: int) -> list[tuple[str, object]]:
    """Queries the pages of round two will need (dashboard progress, quiz attempts, cohort
    report, essay queue, quiz statistics), written against the models as they are now, so the
    indexes they need can be seen before those pages exist."""
    from django.db.models import Count, Max, Q

    from training.models import Enrollment, ModuleProgress, Sitting

    enrollment = Enrollment.objects.filter(user_id=user_id).values("pk", "cohort_id").first()
    quiz_id = Sitting.objects.filter(user_id=user_id).values_list("quiz_id", flat=True).first()
    cohort_id = enrollment["cohort_id"]
    return [
        (
            "dashboard: progress of one enrollment",
            ModuleProgress.objects.filter(enrollment_id=enrollment["pk"]),
        ),
        (
            "dashboard: attempts and results of one participant",
            Sitting.objects.filter(user_id=user_id).order_by("-started_at"),
        ),
        (
            "quiz: attempts of one participant at one quiz",
            Sitting.objects.filter(user_id=user_id, quiz_id=quiz_id).order_by("attempt_number"),
        ),
        (
            "quiz: the open sitting to resume",
            Sitting.objects.filter(user_id=user_id, quiz_id=quiz_id, complete=False),
        ),
        (
            "cohort report: progress rows of a cohort",
            ModuleProgress.objects.filter(enrollment__cohort_id=cohort_id).values(
                "enrollment_id", "module_id", "completed_at", "content_done_at"
            ),
        ),
        (
            "cohort report: completion per module",
            ModuleProgress.objects.filter(enrollment__cohort_id=cohort_id)
            .values("module_id")
            .annotate(done=Count("pk", filter=Q(completed_at__isnull=False))),
        ),
        (
            "cohort report: last activity per participant",
            Sitting.objects.filter(enrollment__cohort_id=cohort_id)
            .values("user_id")
            .annotate(last=Max("started_at")),
        ),
        (
            "trainer: essay queue, oldest first",
            Sitting.objects.filter(needs_marking=True, enrollment__cohort_id=cohort_id).order_by(
                "finished_at"
            )[:50],
        ),
        (
            "course lead: essay queue of all cohorts, oldest first",
            Sitting.objects.filter(needs_marking=True).order_by("finished_at")[:50],
        ),
        (
            "trainer: quiz statistics (finished sittings of a quiz)",
            Sitting.objects.filter(quiz_id=quiz_id, complete=True).values("answers")[:2000],
        ),
    ]


def report_representative(user_id: int, *, row_counts: dict[str, int]) -> tuple[str, list]:
    lines, findings = ["--- representative queries of the coming pages (models as they are)"], []
    for label, queryset in representative_queries(user_id):
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        timing = next((ln for ln in plan if ln.startswith("Execution Time")), "")
        seq = [t for t in SEQ_SCAN.findall("\n".join(plan)) if row_counts.get(t, 0) > 1000]
        flag = "  << sequential scan on " + ", ".join(seq) if seq else ""
        lines.append(f"* {label} — {timing}{flag}")
        lines.extend("      " + ln for ln in plan)
        findings += [(label, t, sql % tuple(repr(p) for p in params)) for t in seq]
    return "\n".join(lines), findings
