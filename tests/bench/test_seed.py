"""The benchmark's data: exact volumes, consistent progress, sittings pinned to quiz revisions."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from bench.seed import SeedPlan, course_shape, create_sessions, seed_participants
from training.models import Enrollment, ModuleProgress, Sitting

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark seeds with PostgreSQL COPY"
)


def bench_users():
    return get_user_model().objects.filter(username__startswith="bench-")


def test_exact_volumes_are_seeded(demo):
    # when 20 participants with 150 progress rows and 60 sittings are seeded
    report = seed_participants(SeedPlan(20, progress=150, sittings=60), log=lambda m: None)
    # then exactly these rows exist
    assert (report.participants, report.progress, report.sittings) == (20, 150, 60)
    assert bench_users().count() == 20
    assert Enrollment.objects.filter(user__in=bench_users()).count() == 20
    assert ModuleProgress.objects.filter(enrollment__user__in=bench_users()).count() == 150
    assert Sitting.objects.filter(user__in=bench_users()).count() == 60


def test_progress_follows_the_reading_order_and_sittings_their_quiz_revision(demo):
    # when participants with realistic progress are seeded
    seed_participants(SeedPlan(40), log=lambda m: None)
    shape = course_shape()
    order = [m.pk for m in shape.modules]
    required = {m.pk for m in shape.modules if m.required}
    # then each one has touched a prefix of the course's modules …
    for enrollment in Enrollment.objects.filter(user__in=bench_users()):
        rows = list(enrollment.progress.all())
        touched = sorted(order.index(p.module_id) for p in rows)
        assert touched == list(range(len(rows)))
        done = {p.module_id for p in rows if p.completed_at}
        # … each completed module with a quiz has a passed sitting …
        passed = set(
            Sitting.objects.filter(enrollment=enrollment, passed=True).values_list(
                "module_id", flat=True
            )
        )
        assert {m for m in done if m in shape.quizzes} <= passed
        # … and the enrollment is complete exactly when every required module is
        assert (enrollment.completed_at is not None) == (required <= done)
    # and every sitting is pinned to its quiz's revision, with its questions
    for sitting in Sitting.objects.filter(user__in=bench_users()).select_related("quiz"):
        assert sitting.quiz_revision_id == sitting.quiz.latest_revision_id
        assert sorted(sitting.question_order) == sorted(shape.question_ids[sitting.quiz_id])
        assert 0 <= sitting.score <= sitting.max_score
        assert sitting.complete == (sitting.finished_at is not None)


def test_created_sessions_log_the_participants_in(demo, client):
    # given sessions created in the session store for two benchmark participants
    seed_participants(SeedPlan(2), log=lambda m: None)
    ids = list(bench_users().order_by("pk").values_list("pk", flat=True))
    keys = create_sessions(ids)
    # when each session cookie is sent to the dashboard
    for user_id in ids:
        client.cookies["sessionid"] = keys[user_id]
        response = client.get("/lernen/")
        # then the page is served to that participant
        assert response.status_code == 200
        assert response.wsgi_request.user.pk == user_id
