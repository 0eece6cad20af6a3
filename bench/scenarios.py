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

Adding a scenario is adding one entry to ``SCENARIOS`` (see the pending ones at the end).
"""

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.flows import HttpUser, RequestSpec


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
    kind: str = "page"


@dataclass
class FlowScenario:
    name: str
    title: str
    flow: Callable[[HttpUser, Context], Awaitable[None]]
    prepare: Callable[[Context], None] | None = None
    check: Callable[[Context], list[str]] | None = None
    targets: list[Target] = field(default_factory=list)
    capacity_weight: float = 0.0  # per request of the flow
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
    PageScenario("module", "module page", module_plan, targets=PAGE_TARGETS, capacity_weight=3),
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
    # --- round two: plug in when the pages exist (see bench/README.md, "Adding scenarios") ---
    Pending(
        "quiz_flow",
        "quiz flow: start, answer each question, finish",
        "quiz start/answer/finish URLs (FlowScenario; answer posts ~3× page views)",
    ),
    Pending(
        "exam_start_spike",
        "exam-start spike: 1,000 start the same quiz at once",
        "quiz start URL (SpikeScenario; check: exactly 1,000 sittings)",
    ),
    Pending(
        "steady_exam",
        "steady exam load: 1,000 learners, 30–90 s think time between answers",
        "quiz answer URL (SteadyScenario, p95 ≤ 100 ms)",
    ),
    Pending(
        "module_cached",
        "module page with its content fragment cached (≥ 0.4 × bare)",
        "a fragment cache in the module template that the benchmark can switch off for the "
        "uncached run (PageScenario twice)",
    ),
    Pending(
        "cohort_report",
        "trainer's cohort report of 500 participants (data-volume comparison)",
        "cohort report URL (PageScenario with a trainer's session)",
    ),
    Pending(
        "verification",
        "public certificate verification page",
        "certificate verification URL (PageScenario with certificate codes)",
    ),
]
