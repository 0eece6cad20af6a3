"""Benchmark data: N participants with realistic progress, written with PostgreSQL COPY.

Rows are built as model instances (so model defaults and fields added later are filled in the
way the ORM would fill them) and streamed through ``COPY ... FROM STDIN``: 100,000 participants
with 1,000,000 progress rows and 500,000 sittings load in minutes, not hours.

Progress follows the course's reading order. A participant has touched the first ``rows``
modules, completed the first ``completed`` of them (content read, quiz passed, module complete),
and has ``sittings`` quiz attempts: a passed one for each completed module with a quiz, earlier
failed attempts, and an open attempt on the module in progress.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

USERNAME_PREFIX = "bench-"
BENCH_PASSWORD = "Bench-Passwort-2026"  # noqa: S105  (benchmark database only)
COHORT_SIZE = 500
FIRST_NAMES = ["Anna", "Beat", "Claudia", "Daniel", "Eva", "Fritz", "Gabriela", "Hans", "Irene"]
LAST_NAMES = ["Ammann", "Bühler", "Christen", "Dubach", "Egli", "Frei", "Gerber", "Huber"]


@dataclass(frozen=True)
class SeedPlan:
    """How much to seed. ``progress`` and ``sittings`` are exact totals when given."""

    participants: int
    progress: int | None = None
    sittings: int | None = None
    seed: int = 2026

    @property
    def signature(self) -> str:
        return (
            f"bench-seed v1 participants={self.participants} progress={self.progress} "
            f"sittings={self.sittings} seed={self.seed}"
        )


@dataclass
class CourseShape:
    course: object
    modules: list  # ModulePage, reading order
    quizzes: dict  # module id -> Quiz (live) or absent
    question_ids: dict = field(default_factory=dict)  # quiz id -> [block ids]
    max_scores: dict = field(default_factory=dict)  # quiz id -> points


@dataclass
class SeedReport:
    participants: int = 0
    enrollments: int = 0
    progress: int = 0
    sittings: int = 0
    cohorts: int = 0


def course_shape() -> CourseShape:
    from cms.models import CoursePage
    from cms.selectors import course_modules
    from training.quizzes.selectors import module_quiz

    course = CoursePage.objects.live().order_by("path").first()
    if course is None:
        raise RuntimeError("No live course: run seed_demo first.")
    modules = course_modules(course)
    quizzes = {}
    shape = CourseShape(course=course, modules=modules, quizzes=quizzes)
    for module in modules:
        quiz = module_quiz(module.pk)
        if quiz is None or quiz.latest_revision_id is None:
            continue
        quizzes[module.pk] = quiz
        questions = list(quiz.questions)
        shape.question_ids[quiz.pk] = [block.id for block in questions]
        shape.max_scores[quiz.pk] = sum(int(block.value.get("points") or 1) for block in questions)
    return shape


def copy_objects(model, objs) -> int:
    """Writes unsaved model instances with COPY. Returns the number of rows written."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    now = timezone.now()
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
            for obj in objs:
                row = []
                for f in fields:
                    value = getattr(obj, f.attname)
                    if value is None and (
                        getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
                    ):
                        value = now
                    row.append(f.get_db_prep_save(value, connection))
                copy.write_row(row)
                count += 1
    return count


def _distribute(total: int, n: int, rng: random.Random, cap: int) -> list[int]:
    """``n`` integers in 0..cap summing to ``total`` (as even as possible, shuffled)."""
    if total > n * cap:
        raise ValueError(f"{total} rows do not fit {n} participants × {cap}")
    base, extra = divmod(total, n)
    values = [base + 1] * extra + [base] * (n - extra)
    rng.shuffle(values)
    return values


def participant_shapes(plan: SeedPlan, n_modules: int, n_quiz_modules: int, rng: random.Random):
    """(rows, completed, sittings) per participant."""
    n = plan.participants
    if plan.progress is None:
        rows = [rng.randint(0, n_modules) for _ in range(n)]
    else:
        rows = _distribute(plan.progress, n, rng, n_modules)
    if plan.sittings is None:
        sittings = [None] * n
    else:
        max_attempts = 5
        sittings = _distribute(plan.sittings, n, rng, max(1, n_quiz_modules) * max_attempts)
    shapes = []
    for r, s in zip(rows, sittings, strict=True):
        if plan.progress is None:
            # Everyone works on the module after the ones completed; some finished the course.
            completed = r if (r == n_modules and rng.random() < 0.5) else max(0, r - 1)
        else:
            completed = rng.randint(0, r)
        if s is not None:
            completed = min(completed, s)  # each completed quiz module needs its passed sitting
        shapes.append((r, completed, s))
    return shapes


def _progress_and_sittings(
    *, rng, shape: CourseShape, user_id, enrollment_id, rows, completed, sittings, start
):
    from training.models import ModuleProgress, Sitting

    progress, attempts = [], []
    touched_quiz_modules = []
    t = start
    for i, module in enumerate(shape.modules[:rows]):
        t += timedelta(minutes=rng.randint(10, 60 * 24 * 3))
        done = i < completed
        read = done or rng.random() < 0.5
        quiz = shape.quizzes.get(module.pk)
        progress.append(
            ModuleProgress(
                enrollment_id=enrollment_id,
                module_id=module.pk,
                started_at=t,
                content_done_at=t + timedelta(minutes=15) if read else None,
                quiz_passed_at=t + timedelta(minutes=25) if done and quiz else None,
                completed_at=t + timedelta(minutes=25) if done else None,
                page_revision_id=module.latest_revision_id if read else None,
            )
        )
        if quiz:
            touched_quiz_modules.append((module, quiz, done, t))

    if sittings is None:  # realistic default: one per touched quiz, some failed first tries
        plan = []
        for module, quiz, done, t in touched_quiz_modules:
            if done:
                if rng.random() < 0.3:
                    plan.append((module, quiz, "failed", t))
                plan.append((module, quiz, "passed", t))
            elif rng.random() < 0.4:
                plan.append((module, quiz, rng.choice(["failed", "open"]), t))
    else:  # exact count: passed sittings for completed modules, the rest spread as attempts
        plan = [(m, q, "passed", t) for m, q, done, t in touched_quiz_modules if done]
        rest = sittings - len(plan)
        pool = touched_quiz_modules or [
            (m, shape.quizzes[m.pk], False, start) for m in shape.modules if m.pk in shape.quizzes
        ]
        for k in range(rest):
            m, q, _done, t = pool[k % len(pool)]
            plan.append((m, q, "failed", t))
        # at most one open attempt per quiz: turn one failed attempt of an unfinished quiz into it
        for k, (m, q, state, t) in enumerate(plan):
            if state == "failed" and not any(
                pm.pk == m.pk and ps == "passed" for pm, _, ps, _ in plan
            ):
                if rng.random() < 0.3:
                    plan[k] = (m, q, "open", t)
                break

    attempt_numbers: dict[int, int] = {}
    # failed attempts first, then passed/open, in the order they happened
    plan.sort(key=lambda p: (p[0].path, {"failed": 0, "passed": 1, "open": 2}[p[2]]))
    for module, quiz, state, t in plan:
        n = attempt_numbers.get(quiz.pk, 0) + 1
        attempt_numbers[quiz.pk] = n
        max_score = shape.max_scores[quiz.pk]
        order = list(shape.question_ids[quiz.pk])
        if quiz.random_order:
            rng.shuffle(order)
        began = t + timedelta(minutes=16 + n)
        if state == "open":
            score, passed, answers = 0, None, {qid: None for qid in order[: len(order) // 2]}
        else:
            need = max(1, (max_score * quiz.pass_mark + 99) // 100)
            score = rng.randint(need, max_score) if state == "passed" else rng.randint(0, need - 1)
            passed = state == "passed"
            answers = {qid: None for qid in order}
        attempts.append(
            Sitting(
                user_id=user_id,
                quiz_id=quiz.pk,
                quiz_revision_id=quiz.latest_revision_id,
                enrollment_id=enrollment_id,
                module_id=module.pk,
                attempt_number=n,
                question_order=order,
                answers=answers,
                score=score,
                max_score=max_score,
                passed=passed,
                complete=state != "open",
                needs_marking=False,
                started_at=began,
                finished_at=None if state == "open" else began + timedelta(minutes=8),
            )
        )
    return progress, attempts


def seed_participants(plan: SeedPlan, *, log=print) -> SeedReport:
    """Adds ``plan.participants`` participants (``bench-0000001`` …) with progress and sittings."""
    from training.models import Cohort, Enrollment, ModuleProgress, Sitting

    rng = random.Random(plan.seed)
    shape = course_shape()
    report = SeedReport()
    User = get_user_model()
    password = make_password(BENCH_PASSWORD)  # one hash for all: hashing 100,000 takes hours
    now = timezone.now()
    n = plan.participants

    cohorts = [
        Cohort(
            name=f"Bench-Kohorte {i + 1:03d}",
            organisation=f"Gemeinde {i + 1:03d}",
            course_id=shape.course.pk,
            starts_on=(now - timedelta(days=120)).date(),
        )
        for i in range(max(1, (n + COHORT_SIZE - 1) // COHORT_SIZE))
    ]
    Cohort.objects.bulk_create(cohorts)
    report.cohorts = len(cohorts)

    log(f"  users: {n:,}")
    report.participants = copy_objects(
        User,
        (
            User(
                username=f"{USERNAME_PREFIX}{i + 1:07d}",
                first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)],
                email=f"{USERNAME_PREFIX}{i + 1:07d}@example.org",
                password=password,
                is_active=True,
                date_joined=now - timedelta(days=130),
            )
            for i in range(n)
        ),
    )
    user_ids = list(
        User.objects.filter(username__startswith=USERNAME_PREFIX)
        .order_by("username")
        .values_list("pk", flat=True)
    )

    starts = [now - timedelta(days=rng.randint(20, 120)) for _ in range(n)]
    report.enrollments = copy_objects(
        Enrollment,
        (
            Enrollment(
                user_id=uid,
                course_id=shape.course.pk,
                cohort_id=cohorts[i // COHORT_SIZE].pk,
                enrolled_at=starts[i],
            )
            for i, uid in enumerate(user_ids)
        ),
    )
    enrollment_of = dict(
        Enrollment.objects.filter(user_id__in=user_ids).values_list("user_id", "pk")
    )

    shapes = participant_shapes(plan, len(shape.modules), len(shape.quizzes), rng)
    required = {m.pk for m in shape.modules if m.required}
    completed_enrollments = []

    def generated(i: int, uid: int):
        r, c, s = shapes[i]
        # one generator per participant: the two passes below see the same rows
        return _progress_and_sittings(
            rng=random.Random(plan.seed * 1_000_003 + i),
            shape=shape,
            user_id=uid,
            enrollment_id=enrollment_of[uid],
            rows=r,
            completed=c,
            sittings=s,
            start=starts[i],
        )

    def progress_rows():
        for i, uid in enumerate(user_ids):
            progress, _ = generated(i, uid)
            if required and required <= {p.module_id for p in progress if p.completed_at}:
                completed_enrollments.append(enrollment_of[uid])
            yield from progress

    def sitting_rows():
        for i, uid in enumerate(user_ids):
            yield from generated(i, uid)[1]

    # One COPY at a time per connection: progress first, then the sittings in a second pass.
    log("  module progress")
    report.progress = copy_objects(ModuleProgress, progress_rows())
    log("  sittings")
    report.sittings = copy_objects(Sitting, sitting_rows())
    if completed_enrollments:
        Enrollment.objects.filter(pk__in=completed_enrollments).update(completed_at=now)
    with connection.cursor() as cursor:
        for model in (User, Enrollment, ModuleProgress, Sitting):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return report


def bench_user_ids(limit: int, *, seed: int = 7) -> list[int]:
    """A fixed sample of benchmark participants (spread over the whole population)."""
    User = get_user_model()
    ids = list(
        User.objects.filter(username__startswith=USERNAME_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(ids) <= limit:
        return ids
    return sorted(random.Random(seed).sample(ids, limit))


def create_sessions(user_ids: list[int], *, data: dict | None = None) -> dict[int, str]:
    """Logged-in sessions created in the session store, as a login would: user id -> key.

    ``data`` adds keys a login writes for some users (django-otp's device after the code)."""
    import time
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import SessionBase

    from core.security import RENEWED_AT_SESSION_KEY

    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    backends = settings.AUTHENTICATION_BACKENDS
    backend = next((b for b in backends if b.endswith("ModelBackend")), backends[-1])
    User = get_user_model()
    keys = {}
    for user in User.objects.filter(pk__in=user_ids).only("pk", "password"):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[RENEWED_AT_SESSION_KEY] = int(time.time())  # as accounts.signals on login
        session.update(data or {})
        session.create()
        keys[user.pk] = session.session_key
    return keys
