"""The scenarios of the load benchmark, and the seams for the ones still to come.

Four kinds, each with its own engine in bench/load.py:

- ``PageScenario``: stateless requests driven by wrk (a plan of method, path and session cookie,
  cycled through); swept over connection counts, repeated, compared with the references.
- ``FlowScenario``: a per-user flow in the asyncio driver (bench/flows.py), e.g. start a quiz,
  answer each question, finish; swept and repeated like pages, reported per request label.
- ``SpikeScenario``: N users (1,000) send one request each at the same moment; all must be
  served within a deadline, without errors, and ``check`` verifies the database afterwards.
- ``SteadyScenario``: N learners (1,000) repeat a step with a think time (30–90 s); p95 counts.

``prepare``/``check`` functions are synchronous and run in the harness process with Django set
up on the benchmark database (ORM allowed); flow, step and request functions run in the driver
and talk HTTP only.

Adding a scenario is adding one entry to ``SCENARIOS``.
"""

import html
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.flows import FlowError, HttpUser, RequestSpec


@dataclass(frozen=True)
class BenchUser:
    id: int
    username: str
    session_key: str

    @property
    def cookie(self) -> str:
        return f"sessionid={self.session_key}"


@dataclass
class Context:
    """What scenarios may use: addresses, the seeded course and the logged-in participants."""

    host: str
    port: int
    users: list[BenchUser]
    dashboard_path: str
    module_paths: list[str]
    reference_path: str
    bare_path: str
    quick: bool = False
    extra: dict = field(default_factory=dict)  # for second-round scenarios (quiz ids, codes …)

    def users_for(self, n: int) -> list[BenchUser]:
        return self.users[: min(n, len(self.users))]


@dataclass
class Target:
    """A line of the checks printed after the table: ``what`` of ``measure`` against a limit."""

    text: str
    measure: str  # see load.evaluate_target: p95_at_8, ratio_wagtail, ratio_bare, rps, ...
    limit: float
    label: str | None = None  # for flows: the request label it applies to
    at_most: bool = True


@dataclass
class PageScenario:
    name: str
    title: str
    plan: Callable[[Context], list[tuple[str, str, str]]]
    reference: bool = False
    expected_status: int = 200
    targets: list[Target] = field(default_factory=list)
    # share of a learner's requests in the capacity estimate (0: not a learner request)
    capacity_weight: float = 0.0
    # extra environment for the server this scenario runs against: load.py starts a second
    # gunicorn for it (e.g. the module page with the fragment cache off)
    server_env: dict | None = None
    kind: str = "page"


@dataclass
class FlowScenario:
    name: str
    title: str
    flow: Callable[[HttpUser, Context], Awaitable[None]]
    prepare: Callable[[Context], None] | None = None
    check: Callable[[Context], list[str]] | None = None
    targets: list[Target] = field(default_factory=list)
    # share of a learner's requests per request label, e.g. {"answer": 3, "question": 1}; each
    # counts at the flow's own sustainable requests/s (load.capacity)
    capacity_weight: dict[str, float] = field(default_factory=dict)
    kind: str = "flow"


@dataclass
class SpikeScenario:
    name: str
    title: str
    users: int
    request: Callable[[HttpUser, Context], RequestSpec]
    before: Callable[[HttpUser, Context], Awaitable[None]] | None = None  # e.g. read a token
    prepare: Callable[[Context, list[BenchUser]], None] | None = None
    check: Callable[[Context, list[BenchUser]], list[str]] | None = None
    deadline_s: float = 5.0
    kind: str = "spike"


@dataclass
class SteadyScenario:
    name: str
    title: str
    users: int
    step: Callable[[HttpUser, Context], Awaitable[None]]
    think: tuple[float, float] = (30.0, 90.0)
    prepare: Callable[[Context, list[BenchUser]], None] | None = None
    p95_limit_ms: float = 100.0
    kind: str = "steady"


@dataclass
class Pending:
    """A scenario whose pages do not exist yet: listed in the output as pending."""

    name: str
    title: str
    needs: str
    kind: str = "pending"


# --- round one: what exists now -----------------------------------------------------------------


def _rotate(ctx: Context, paths: list[str], *, logged_in: bool = True) -> list[tuple]:
    """One request per user, the paths spread over them: every request is another person."""
    users = ctx.users_for(2000)
    if not logged_in:
        return [("GET", p, "") for p in paths]
    return [("GET", paths[i % len(paths)], u.cookie) for i, u in enumerate(users)]


def bare_plan(ctx):
    return _rotate(ctx, [ctx.bare_path], logged_in=False)


def wagtail_plan(ctx):
    return _rotate(ctx, [ctx.reference_path], logged_in=False)


def dashboard_plan(ctx):
    return _rotate(ctx, [ctx.dashboard_path])


def module_plan(ctx):
    return _rotate(ctx, ctx.module_paths)


PAGE_TARGETS = [
    Target("p95 ≤ 40 ms at 8 connections", "p95_at_8", 40.0),
    Target("req/s ≥ 1.0 × Wagtail reference", "ratio_wagtail", 1.0, at_most=False),
    Target("queries per request ≤ 12", "queries", 12.0),
]


async def reading_flow(user: HttpUser, ctx: Context) -> None:
    """A participant opens the dashboard, a module, and posts a form (the language switch).

    Checks the driver end to end (session cookie, CSRF token from the page, a POST with its
    redirect); the quiz flow of round two has the same shape.
    """
    await user.get(ctx.dashboard_path, label="dashboard")
    page = await user.get(random.choice(ctx.module_paths), label="module")
    token = page.csrf_token()
    await user.post(
        "/i18n/setlang/",
        {"csrfmiddlewaretoken": token, "language": "de", "next": ctx.dashboard_path},
        label="form post",
        expect=(302,),
    )


async def read_module_step(user: HttpUser, ctx: Context) -> None:
    await user.get(random.choice(ctx.module_paths), label="module")


def dashboard_request(user: HttpUser, ctx: Context) -> RequestSpec:
    return RequestSpec("GET", ctx.dashboard_path, label="dashboard")


# --- round two: quiz, certificates, trainer report, the cached module page ---------------------

# The quiz of the benchmark: the last module's (no attempt limit, no time limit, one question per
# page with feedback after each answer, no essay). Few seeded participants have reached it, so
# resetting the benchmark users' attempts at it (the prepare functions below) disturbs little.
QUIZ_MODULE_SLUG = "buerger-als-mitgestaltende"
FLOW_USERS = 128  # load.run_flow uses up to 4 users per connection, 32 connections at most
TRAINER_USERNAME = "trainerin-bench"  # not "bench-…": those are the participants
CERTIFICATES = 300


def bench_quiz(ctx: Context) -> dict:
    """Paths and ids of the benchmark quiz, looked up once (in the harness, ORM allowed)."""
    if "quiz" not in ctx.extra:
        from django.urls import reverse
        from wagtail.models import Site

        from bench.seed import course_shape

        shape = course_shape()
        module = next(m for m in shape.modules if m.slug == QUIZ_MODULE_SLUG)
        quiz = shape.quizzes[module.pk]
        if quiz.attempt_limit is not None or quiz.time_limit_minutes:
            raise RuntimeError(f"{quiz}: the benchmark quiz must have no attempt or time limit")
        ctx.extra["quiz"] = {
            "id": quiz.pk,
            "module_path": module.relative_url(Site.objects.get(is_default_site=True)),
            "start_path": reverse("training:start_quiz", args=[module.pk]),
        }
    return ctx.extra["quiz"]


def reset_quiz_attempts(ctx: Context, user_ids: list[int]) -> None:
    """Deletes these participants' attempts at the benchmark quiz, so that every run and every
    measured point starts from the same state (and attempt numbers do not grow run by run)."""
    from training.models import Sitting

    Sitting.objects.filter(user_id__in=user_ids, quiz_id=bench_quiz(ctx)["id"]).delete()


def reset_flow_users(ctx: Context) -> None:
    reset_quiz_attempts(ctx, [u.id for u in ctx.users_for(FLOW_USERS)])


def reset_users(ctx: Context, users: list[BenchUser]) -> None:
    reset_quiz_attempts(ctx, [u.id for u in users])


_INPUT = re.compile(r"<input\b[^>]*>")
_ATTR = re.compile(r'([a-z-]+)="([^"]*)"')
_FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)" class="quiz-form"')


def question_form(page_text: str) -> tuple[str, dict]:
    """The quiz form of a question page: its action and the fields of one answer (token,
    question id, and a choice: one radio option, or one or two checkboxes)."""
    action = _FORM_ACTION.search(page_text)
    if not action:
        raise FlowError("no quiz form in the page")
    fields: dict = {"answer": []}
    options: list[tuple[str, str]] = []
    for tag in _INPUT.findall(page_text):
        attrs = {k: html.unescape(v) for k, v in _ATTR.findall(tag)}
        name = attrs.get("name")
        if name in ("token", "question", "csrfmiddlewaretoken"):
            fields[name] = attrs.get("value", "")
        elif name == "answer":
            options.append((attrs.get("type", "radio"), attrs.get("value", "")))
    if "token" not in fields or "question" not in fields or not options:
        raise FlowError("incomplete quiz form")
    if options[0][0] == "checkbox":
        fields["answer"] = random.sample([v for _, v in options], k=min(2, len(options)))
    else:
        fields["answer"] = [random.choice(options)[1]]
    return html.unescape(action.group(1)), fields


def _location(response) -> str:
    return response.headers["location"].split("#", 1)[0]


async def start_quiz(user: HttpUser, ctx: Context) -> str:
    """Opens the quiz's module page and starts (or resumes) an attempt: the sitting's path."""
    quiz = ctx.extra["quiz"]
    page = await user.get(quiz["module_path"], label="quiz page")
    started = await user.post(
        quiz["start_path"],
        {"csrfmiddlewaretoken": page.csrf_token()},
        label="start",
        expect=(302,),
    )
    return _location(started)


async def answer(user: HttpUser, ctx: Context, path: str) -> str:
    """Reads the current question and posts an answer: where the server sends the person next
    (the next question with feedback on this one, or the result)."""
    question = await user.get(path, label="question")
    action, fields = question_form(question.text)
    answered = await user.post(action, fields, label="answer", expect=(302,))
    return _location(answered)


async def quiz_flow(user: HttpUser, ctx: Context) -> None:
    path = await start_quiz(user, ctx)
    for _ in range(100):  # at most as many questions as any quiz has
        if "/ergebnis/" in path:
            break
        path = await answer(user, ctx, path)
    await user.get(path, label="result")


async def read_start_form(user: HttpUser, ctx: Context) -> None:
    page = await user.get(ctx.extra["quiz"]["module_path"], label="quiz page")
    user.state["csrf"] = page.csrf_token()


def start_request(user: HttpUser, ctx: Context) -> RequestSpec:
    return RequestSpec(
        "POST",
        ctx.extra["quiz"]["start_path"],
        {"csrfmiddlewaretoken": user.state["csrf"]},
        label="start",
        expect=(302,),
    )


def exactly_one_sitting_each(ctx: Context, users: list[BenchUser]) -> list[str]:
    from django.db.models import Count

    from training.models import Sitting

    sittings = Sitting.objects.filter(
        user_id__in=[u.id for u in users], quiz_id=ctx.extra["quiz"]["id"]
    )
    total = sittings.count()
    open_ = sittings.filter(complete=False).count()
    doubles = sittings.values("user_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    problems = []
    if total != len(users) or open_ != len(users):
        problems.append(f"{total} sittings ({open_} open) instead of {len(users)}")
    if doubles:
        problems.append(f"{doubles} participants with more than one sitting")
    return problems


async def answer_one_question(user: HttpUser, ctx: Context) -> None:
    """A learner's step in the exam: the current question read and answered; a learner without
    an attempt (or whose attempt just ended) opens the quiz and starts one first."""
    path = user.state.get("sitting")
    if path is None or "/ergebnis/" in path:
        path = await start_quiz(user, ctx)
    user.state["sitting"] = await answer(user, ctx, path)


def trainer_session(ctx: Context) -> tuple[str, int]:
    """A trainer of the first benchmark cohort, logged in with a confirmed TOTP device.

    The session is the one a login with the second factor leaves: django-otp's
    ``otp_device_id`` marks it verified (as ``django_otp.login`` does after the code), so the
    admin's second-factor requirement stays on for the benchmark server.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.seed import create_sessions
    from cms.services import TRAINERS
    from training.models import Cohort

    cohort = Cohort.objects.filter(name__startswith="Bench-Kohorte").order_by("pk").first()
    trainer, _ = get_user_model().objects.get_or_create(
        username=TRAINER_USERNAME,
        defaults={"first_name": "Trainerin", "last_name": "Bench", "is_active": True},
    )
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    cohort.trainers.add(trainer)
    device = TOTPDevice.objects.filter(user=trainer, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=trainer, name="Benchmark", confirmed=True)
    key = create_sessions([trainer.pk], data={DEVICE_ID_SESSION_KEY: device.persistent_id})
    return key[trainer.pk], cohort.pk


def cohort_report_plan(ctx):
    from django.urls import reverse

    session_key, cohort_id = trainer_session(ctx)
    path = reverse("training_workspace:report", args=[cohort_id])
    return [("GET", path, f"sessionid={session_key}")]


class NotApplicable(Exception):
    """A scenario that cannot run on the seeded data (the harness skips it and says why)."""


def verification_plan(ctx):
    """Certificates issued (as the worker would) for up to 300 completed enrollments of the
    benchmark participants; their public verification pages, requested anonymously."""
    from django.urls import reverse

    from bench.seed import USERNAME_PREFIX
    from certificates.services import issue_certificate
    from training.models import Enrollment

    enrollments = (
        Enrollment.objects.filter(
            completed_at__isnull=False, user__username__startswith=USERNAME_PREFIX
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:CERTIFICATES]
    )
    certificates = [issue_certificate(enrollment_id=pk).certificate for pk in enrollments]
    codes = [c.display_code for c in certificates if c is not None]
    if not codes:
        # e.g. the data-volume seed: its exact number of progress rows completes no course
        raise NotApplicable("no completed enrollment to issue a certificate for")
    ctx.extra["certificates"] = len(codes)
    return [("GET", reverse("certificates:verify", args=[code]), "") for code in codes]


SCENARIOS = [
    PageScenario("bare", "reference: bare Django view", bare_plan, reference=True),
    PageScenario("wagtail", "reference: plain Wagtail page", wagtail_plan, reference=True),
    PageScenario(
        "dashboard",
        "dashboard (Mein Lernstand)",
        dashboard_plan,
        targets=PAGE_TARGETS,
        capacity_weight=1,
    ),
    PageScenario(
        "module",
        "module page, fragment cache off (second gunicorn, DJANGO_FRAGMENT_CACHE=0)",
        module_plan,
        targets=PAGE_TARGETS,
        server_env={"DJANGO_FRAGMENT_CACHE": "0"},
    ),
    PageScenario(
        "module_cached",
        "module page as deployed: its body cached per published revision",
        module_plan,
        targets=[Target("req/s ≥ 0.4 × bare", "ratio_bare", 0.4, at_most=False)],
        capacity_weight=3,
    ),
    FlowScenario(
        "reading_flow",
        "reading flow: dashboard → module → form post (driver check)",
        reading_flow,
    ),
    SpikeScenario(
        "spike_dashboard",
        "spike: 1,000 participants open the dashboard at once",
        users=1000,
        request=dashboard_request,
    ),
    SteadyScenario(
        "steady_reading",
        "steady: 1,000 learners read modules (30–90 s think time)",
        users=1000,
        step=read_module_step,
    ),
    FlowScenario(
        "quiz_flow",
        "quiz flow: quiz page, start, each question read and answered, result",
        quiz_flow,
        prepare=reset_flow_users,
        capacity_weight={"question": 1, "answer": 3},
        targets=[
            Target("answer ≥ 250 req/s", "rps", 250, label="answer", at_most=False),
            Target("answer p95 ≤ 60 ms", "p95_at_8", 60, label="answer"),
        ],
    ),
    PageScenario(
        "verification",
        "public certificate verification page (anonymous, issued certificates)",
        verification_plan,
    ),
    PageScenario(
        "cohort_report",
        "trainer's cohort report (500 participants), session with the second factor",
        cohort_report_plan,
    ),
    SpikeScenario(
        "exam_start_spike",
        "exam-start spike: 1,000 participants start the same quiz at once",
        users=1000,
        before=read_start_form,
        request=start_request,
        prepare=reset_users,
        check=exactly_one_sitting_each,
    ),
    SteadyScenario(
        "steady_exam",
        "steady exam load: 1,000 learners answer a question every 30–90 s",
        users=1000,
        step=answer_one_question,
        prepare=reset_users,
    ),
]
