"""The load benchmark: one command, one table.

    .venv/bin/python -m bench.load            # full run (about 10 minutes)
    .venv/bin/python -m bench.load --quick    # smoke run (about 2 minutes)
    .venv/bin/python -m bench.load --volume   # 100,000 participants, then EXPLAIN of hot queries

Seeds (or reuses) the benchmark database, starts gunicorn with production settings in benchmark
mode plus a Celery worker, drives load from separate processes (wrk; the asyncio driver), and
prints per scenario requests/s, latency percentiles, errors, the ratio to both references
measured in the same run, and the median query count and server time from the response headers.
Method: a discarded warm-up per scenario, a sweep of connection counts to find the peak, then
repetitions (interleaved across scenarios, so drift hits all alike) at the peak and at 8
connections; medians are reported with their spread (± half the range).
"""

import argparse
import asyncio
import json
import os
import platform
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bs_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
VOLUME = {"participants": 100_000, "progress": 1_000_000, "sittings": 500_000}
TARGET_CONNECTIONS = 8  # the issue's latency targets are at 8 connections
MEMORY_LIMIT_MIB = 150
# pages compared between the data volumes (latency at 8 connections, normalised by the reference)
VOLUME_COMPARED = ("dashboard", "module", "module_cached", "cohort_report")


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="smoke run: short points, small sweep")
    p.add_argument("--participants", type=int, default=2000, help="seeded participants")
    p.add_argument("--progress", type=int, help="exact number of module-progress rows")
    p.add_argument("--sittings", type=int, help="exact number of sittings")
    p.add_argument(
        "--volume",
        action="store_true",
        help="data-volume run: 100,000 participants, 1,000,000 progress rows, 500,000 sittings",
    )
    p.add_argument("--reseed", action="store_true", help="rebuild the benchmark database")
    p.add_argument("--duration", type=float, help="seconds per measured point (10; quick 2)")
    p.add_argument("--warmup", type=float, help="seconds of discarded warm-up (5; quick 1)")
    p.add_argument("--sweep", help="connection counts to sweep (1,2,4,8,16,32; quick 2,8)")
    p.add_argument("--repetitions", type=int, default=3)
    p.add_argument("--scenarios", help="comma-separated scenario names (default: all)")
    p.add_argument("--steady-duration", type=float, help="seconds of steady load (120; quick 10)")
    p.add_argument("--pool", type=int, default=2000, help="logged-in participants to cycle")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument("--wrk-threads", type=int, default=1)
    p.add_argument("--port", type=int, default=8300, help="first port to try (up to +99)")
    p.add_argument("--explain", action="store_true", help="print EXPLAIN (on with --volume)")
    p.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    p.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    args = p.parse_args(argv)
    if args.volume:
        args.participants = VOLUME["participants"]
        args.progress = args.progress or VOLUME["progress"]
        args.sittings = args.sittings or VOLUME["sittings"]
        args.explain = True
    args.duration = args.duration or (2.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 5.0)
    args.sweep = [
        int(c) for c in (args.sweep or ("2,8" if args.quick else "1,2,4,8,16,32")).split(",")
    ]
    if TARGET_CONNECTIONS not in args.sweep:
        args.sweep = sorted({*args.sweep, TARGET_CONNECTIONS})
    args.steady_duration = args.steady_duration or (10.0 if args.quick else 120.0)
    return args


def django_env(args) -> dict:
    """Production settings (debug off, secret key, hosts) on the benchmark database and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_HTTPS="0",
        DJANGO_BENCHMARK_HEADERS="1",
        DJANGO_STATIC_ROOT=str(OUT_DIR / "static"),
        DJANGO_MEDIA_ROOT=str(OUT_DIR / "media"),
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        EMAIL_URL="consolemail://",
        # The verification scenario requests the public page from one address: its per-address
        # limit (30 a minute) would answer 429 after the first second.
        CERTIFICATE_VERIFY_RATE_LIMIT=str(10**9),
        # Certificates are issued (harness) and completed enrollments certified (worker) with a
        # signing key of the benchmark's own, created on first use.
        CERTIFICATE_SIGNING_KEY_FILE=str(OUT_DIR / "certificate-signing-key.pem"),
        CERTIFICATE_SIGNING_KEY_GENERATE="1",
    )
    return env


def free_port(first: int) -> int:
    for port in range(first, first + 100):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port in {first}–{first + 99}")


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# --- preparation -----------------------------------------------------------------------------


def prepare_database(args):
    """Migrates and seeds the benchmark database unless it already holds this seed."""
    from bench import database
    from bench.seed import SeedPlan

    plan = SeedPlan(args.participants, args.progress, args.sittings)
    signature = f"{plan.signature} migrations={database.migrations_fingerprint()}"
    current = database.state(args.database_url)
    fresh = args.reseed or current != signature
    if fresh:
        log(f"rebuilding the benchmark database ({plan.signature})")
        database.recreate(args.database_url)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    if fresh:
        from django.db import transaction

        from bench.seed import seed_participants

        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        started = time.monotonic()
        with transaction.atomic():
            report = seed_participants(plan, log=lambda m: log(m))
        log(
            f"seeded {report.participants:,} participants, {report.enrollments:,} enrollments, "
            f"{report.progress:,} module-progress rows, {report.sittings:,} sittings, "
            f"{report.cohorts} cohorts in {time.monotonic() - started:.0f}s"
        )
        database.mark(args.database_url, signature)
    else:
        log(f"reusing the benchmark database ({plan.signature})")
    call_command("collectstatic", interactive=False, verbosity=0)
    return plan


def build_context(args, host: str, port: int):
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.urls import reverse
    from wagtail.models import Site

    from bench.reference import reference_page_path
    from bench.scenarios import BenchUser, Context
    from bench.seed import bench_user_ids, course_shape, create_sessions

    Session.objects.all().delete()  # sessions of earlier runs (benchmark database only)
    pool = bench_user_ids(max(args.pool, 1000 if not args.quick else 0))
    keys = create_sessions(pool)
    names = dict(get_user_model().objects.filter(pk__in=pool).values_list("pk", "username"))
    users = [BenchUser(uid, names[uid], keys[uid]) for uid in pool]
    site = Site.objects.get(is_default_site=True)
    shape = course_shape()
    return Context(
        host=host,
        port=port,
        users=users,
        dashboard_path=reverse("training:dashboard"),
        module_paths=[m.relative_url(site) for m in shape.modules],
        reference_path=reference_page_path(),
        bare_path=reverse("bench_bare"),
        quick=args.quick,
        extra={"course_id": shape.course.pk},
    )


# --- running ---------------------------------------------------------------------------------


@dataclass
class Results:
    points: list = field(default_factory=list)  # every measured Point (sweep and repetitions)
    summaries: dict = field(default_factory=dict)  # (scenario, label, conns) -> Summary
    peaks: dict = field(default_factory=dict)  # scenario -> connections
    spikes: list = field(default_factory=list)
    steady: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    memory: dict = field(default_factory=dict)
    explain: str = ""
    findings: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)  # scenario -> why it could not run on this data


def server_key(scenario) -> tuple:
    return tuple(sorted((getattr(scenario, "server_env", None) or {}).items()))


def server_port(scenario, ctx) -> int:
    """The port of the server a scenario runs against (a second one for ``server_env``)."""
    return ctx.extra.get("server_ports", {}).get(server_key(scenario), ctx.port)


def run_page(scenario, ctx, args, plan_file, connections, duration):
    from bench import wrk

    port = server_port(scenario, ctx)
    return [
        wrk.run(
            scenario=scenario.name,
            base_url=f"http://{ctx.host}:{port}/",
            plan=plan_file,
            connections=connections,
            duration=duration,
            threads=args.wrk_threads,
            expected_status=scenario.expected_status,
        )
    ]


def _http_users(ctx, n):
    from bench.flows import HttpUser, Recorder

    recorder = Recorder()
    users = [
        HttpUser(
            host=ctx.host,
            port=ctx.port,
            user_id=u.id,
            cookies={"sessionid": u.session_key},
            recorder=recorder,
        )
        for u in ctx.users_for(n)
    ]
    return users, recorder


def run_flow(scenario, ctx, args, connections, duration):
    from bench.flows import closed_loop

    if scenario.prepare:
        scenario.prepare(ctx)
    users, recorder = _http_users(ctx, max(connections * 4, 64))

    async def flow(user):
        await scenario.flow(user, ctx)

    elapsed = asyncio.run(closed_loop(users, flow, concurrency=connections, duration=duration))
    return recorder.points(scenario.name, connections, elapsed)


def workers_threads(args) -> int:
    """Requests the server handles at once."""
    return args.workers * (args.threads if args.worker_class == "gthread" else 1)


def drain(ctx, port: int, workers: int) -> None:
    """Waits until the server has worked off what wrk left queued when it stopped.

    wrk closes its connections at the end of a point, but requests already queued in the listen
    backlog are still served; after a slow page (the cohort report) that is seconds of work,
    which would count against the next scenario. One bare request per worker, sent together,
    is served only once the queue before it is through."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.request import urlopen

    url = f"http://{ctx.host}:{port}{ctx.bare_path}"

    def get(_):
        with urlopen(url, timeout=600) as response:  # noqa: S310 (loopback)
            response.read()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(get, range(workers)))


def measure(scenario, ctx, args, plan_files, connections, duration):
    if scenario.kind == "page":
        points = run_page(scenario, ctx, args, plan_files[scenario.name], connections, duration)
        drain(ctx, server_port(scenario, ctx), workers_threads(args))
        return points
    return run_flow(scenario, ctx, args, connections, duration)


def throughput_phase(scenarios, ctx, args, results: Results):
    from bench import wrk
    from bench.scenarios import NotApplicable
    from bench.stats import Summary

    plan_files = {}
    for s in list(scenarios):
        if s.kind == "page":
            try:
                plan = s.plan(ctx)
            except NotApplicable as exc:
                log(f"  {s.name}: skipped, {exc}")
                results.skipped[s.name] = str(exc)
                scenarios.remove(s)
                continue
            plan_files[s.name] = wrk.write_plan(OUT_DIR / f"plan-{s.name}.tsv", plan)

    log(f"warm-up ({args.warmup:g}s per scenario, discarded)")
    for s in scenarios:
        measure(s, ctx, args, plan_files, TARGET_CONNECTIONS, args.warmup)

    sweep_duration = max(1.0, args.duration / 2)
    log(f"sweep {args.sweep} connections, {sweep_duration:g}s per point")
    for s in scenarios:
        best, best_rps = None, -1.0
        for c in args.sweep:
            points = measure(s, ctx, args, plan_files, c, sweep_duration)
            results.points += [("sweep", p) for p in points]
            total = sum(p.rps for p in points)
            if total > best_rps:
                best, best_rps = c, total
        results.peaks[s.name] = best
        log(f"  {s.name:<16} peak at {best} connections ({best_rps:,.0f} req/s)")

    log(
        f"{args.repetitions} repetitions at the peak and at {TARGET_CONNECTIONS} connections, "
        f"{args.duration:g}s each, interleaved"
    )
    for rep in range(args.repetitions):
        for s in scenarios:
            for c in sorted({results.peaks[s.name], TARGET_CONNECTIONS}):
                for p in measure(s, ctx, args, plan_files, c, args.duration):
                    results.points.append((f"rep{rep + 1}", p))
                    key = (p.scenario, p.label, c)
                    results.summaries.setdefault(key, Summary(p.scenario, p.label, c, []))
                    results.summaries[key].reps.append(p)


def spike_phase(scenario, ctx, args, results: Results):
    from bench.flows import spike

    n = min(scenario.users, len(ctx.users))
    chosen = ctx.users_for(n)
    if scenario.prepare:
        scenario.prepare(ctx, chosen)
    users, _recorder = _http_users(ctx, n)

    async def go():
        if scenario.before:
            sem = asyncio.Semaphore(16)

            async def one(u):
                async with sem:
                    await scenario.before(u, ctx)

            await asyncio.gather(*(one(u) for u in users))
        return await spike(users, lambda u: scenario.request(u, ctx))

    log(f"spike: {n} users released together ({scenario.name})")
    outcome = asyncio.run(go())
    # Requests whose client gave up are still queued and served: wait for them, so that the
    # check sees the final state and the next phase starts on an idle server.
    drain(ctx, ctx.port, workers_threads(args))
    time.sleep(2.0)  # the probes may have passed a request still running on another worker
    drain(ctx, ctx.port, workers_threads(args))
    problems = scenario.check(ctx, chosen) if scenario.check else []
    results.spikes.append({"scenario": scenario, "outcome": outcome, "problems": problems})


def steady_phase(scenario, ctx, args, results: Results):
    from bench.flows import steady

    n, think = scenario.users, scenario.think
    if args.quick:  # a thirtieth of the learners with a thirtieth of the think time: same rate
        n, think = max(1, n // 30), (think[0] / 30, think[1] / 30)
    n = min(n, len(ctx.users))
    chosen = ctx.users_for(n)
    if scenario.prepare:
        scenario.prepare(ctx, chosen)
    users, recorder = _http_users(ctx, n)

    async def step(user):
        await scenario.step(user, ctx)

    log(f"steady: {n} learners, think {think[0]:g}–{think[1]:g}s, {args.steady_duration:g}s")
    elapsed = asyncio.run(steady(users, step, think=think, duration=args.steady_duration))
    points = recorder.points(scenario.name, n, elapsed)
    results.steady.append({"scenario": scenario, "points": points, "think": think})


def exercise_celery(count: int = 20) -> str:
    """Sends tasks through the broker and waits for the worker's results."""
    from config.celery import app

    started = time.monotonic()
    handles = [app.send_task("config.celery.heartbeat") for _ in range(count)]
    for h in handles:
        h.get(timeout=60)
    return f"{count} tasks in {time.monotonic() - started:.2f}s"


# --- output ----------------------------------------------------------------------------------


def fmt(value, spec=",.0f", none="–"):
    return none if value is None else format(value, spec)


def evaluate(target, scenario_name, results: Results, refs):
    label = target.label or scenario_name
    at8 = results.summaries.get((scenario_name, label, TARGET_CONNECTIONS))
    peak = results.summaries.get((scenario_name, label, results.peaks.get(scenario_name)))
    if at8 is None or peak is None:
        return None
    value = {
        "p95_at_8": at8.latency("p95_ms"),
        "ratio_wagtail": peak.rps / refs["wagtail"] if refs.get("wagtail") else None,
        "ratio_bare": peak.rps / refs["bare"] if refs.get("bare") else None,
        "rps": peak.rps,
        "queries": max(at8.queries or 0, peak.queries or 0),
    }[target.measure]
    if value is None:
        return None
    ok = value <= target.limit if target.at_most else value >= target.limit
    return value, ok


def print_report(scenarios, pending, args, ctx, results: Results, out):
    def w(line=""):
        print(line, file=out)

    m = results.meta
    w()
    w("=" * 100)
    w(f"Load benchmark · {m['started']} · {m['machine']}")
    w(
        f"gunicorn {args.workers} × {args.worker_class} on 127.0.0.1:{ctx.port}, "
        f"DEBUG off, PostgreSQL + Redis cache; load from wrk / asyncio driver on the same machine"
    )
    for key in ctx.extra.get("server_ports", {}):
        names = ", ".join(s.name for s in scenarios if server_key(s) == key)
        settings_text = " ".join(f"{k}={v}" for k, v in key)
        w(f"{names}: a second gunicorn ({args.workers} × {args.worker_class}) with {settings_text}")
    w(f"data: {m['data']}; {len(ctx.users):,} logged-in participants cycled")
    w(
        f"method: warm-up {args.warmup:g}s discarded; sweep {args.sweep} × "
        f"{max(1.0, args.duration / 2):g}s; {args.repetitions} reps × {args.duration:g}s "
        "interleaved; median (± half range)"
    )
    w(f"load average before/after: {m['load_before']} / {m['load_after']}")
    w("=" * 100)

    refs = {}
    for name in ("bare", "wagtail"):
        s = results.summaries.get((name, name, results.peaks.get(name)))
        refs[name] = s.rps if s else None

    header = (
        f"{'scenario':<22}{'peak c':>7}{'req/s':>9}{'±%':>5}{'p50':>8}{'p95':>8}{'p99':>8}"
        f"{'err':>5}{'×bare':>7}{'×wagt':>7}{'q':>5}{'srv ms':>8}"
    )
    w(header)
    w(f"{'':<22}{'':>7}{'(peak)':>9}{'':>5}{'ms @8 connections':>24}")
    w("-" * len(header))
    for s in scenarios:
        labels = sorted({k[1] for k in results.summaries if k[0] == s.name})
        for label in labels:
            peak = results.summaries.get((s.name, label, results.peaks[s.name]))
            at8 = results.summaries.get((s.name, label, TARGET_CONNECTIONS))
            name = s.name if label == s.name else f"{s.name}:{label}"
            w(
                f"{name[:22]:<22}{results.peaks[s.name]:>7}{fmt(peak.rps):>9}"
                f"{fmt(peak.rps_spread, '.0f'):>5}"
                f"{fmt(at8.latency('p50_ms'), '.1f'):>8}{fmt(at8.latency('p95_ms'), '.1f'):>8}"
                f"{fmt(at8.latency('p99_ms'), '.1f'):>8}{peak.errors + at8.errors:>5}"
                f"{fmt(peak.rps / refs['bare'] if refs['bare'] else None, '.3f'):>7}"
                f"{fmt(peak.rps / refs['wagtail'] if refs['wagtail'] else None, '.2f'):>7}"
                f"{fmt(at8.queries, '.0f'):>5}{fmt(at8.server_ms, '.1f'):>8}"
            )
    w("-" * len(header))
    w(
        "req/s: median of the repetitions at the peak concurrency; ±%: half their range; "
        "latency: at 8 connections;"
    )
    w(
        "q / srv ms: medians of X-Query-Count / X-Server-Time-Ms; ×bare/×wagt: req/s over the "
        "references' req/s."
    )

    w()
    w("sweep (req/s / p95 ms per connection count; single runs):")
    for s in scenarios:
        cells = []
        for c in args.sweep:
            pts = [
                p
                for tag, p in results.points
                if tag == "sweep" and p.scenario == s.name and p.connections == c
            ]
            if pts:
                rps = sum(p.rps for p in pts)
                p95 = max(p.p95_ms for p in pts)
                cells.append(f"c{c}: {rps:,.0f}/{p95:.0f}")
        w(f"  {s.name:<16} " + "  ".join(cells))

    for entry in results.spikes:
        sc, o = entry["scenario"], entry["outcome"]
        from bench.stats import percentile

        w()
        w(f"{sc.title}")
        w(
            f"  {o.users} users: {o.served} served, {o.errors} errors {o.error_detail or ''}; "
            f"last served after {o.last_served_s:.2f}s (limit {sc.deadline_s:g}s); "
            f"p50 {percentile(o.latencies_ms, 50):.0f} ms, "
            f"p95 {percentile(o.latencies_ms, 95):.0f} ms"
        )
        for problem in entry["problems"]:
            w(f"  problem: {problem}")
    for entry in results.steady:
        sc = entry["scenario"]
        w()
        w(f"{sc.title} — think {entry['think'][0]:g}–{entry['think'][1]:g}s")
        for p in entry["points"]:
            w(
                f"  {p.label:<14} {p.requests:>6} requests, {p.rps:,.1f} req/s, p50 {p.p50_ms:.1f} "
                f"p95 {p.p95_ms:.1f} p99 {p.p99_ms:.1f} ms, {p.errors} errors, "
                f"q {fmt(p.queries_median, '.0f')}, srv {fmt(p.server_ms_median, '.1f')} ms"
            )

    mem = results.memory
    w()
    w("memory (MiB, VmHWM = peak resident; VmRSS = after the run):")
    for name in ("gunicorn", "celery"):
        if name in mem:
            x = mem[name]
            w(
                f"  {name:<9} worker peak {x['worker_peak']:.0f} (now {x['worker_now']:.0f}) "
                f"over {x['workers']} workers; master peak {x['master_peak']:.0f}"
            )
    if "celery_tasks" in mem:
        w(f"  celery worker handled {mem['celery_tasks']}")

    w()
    w("checks (targets of the issue; absolute figures are noisy on a shared machine):")
    for s in scenarios:
        for t in getattr(s, "targets", []):
            r = evaluate(t, s.name, results, refs)
            if r is None:
                continue
            value, ok = r
            w(f"  [{'ok' if ok else 'MISS'}] {s.name}: {t.text} — {value:,.2f}")
    for s in scenarios:
        errors = sum(x.errors for k, x in results.summaries.items() if k[0] == s.name)
        w(f"  [{'ok' if errors == 0 else 'MISS'}] {s.name}: no errors — {errors}")
    for entry in results.spikes:
        sc, o = entry["scenario"], entry["outcome"]
        ok = o.errors == 0 and o.last_served_s <= sc.deadline_s and not entry["problems"]
        w(
            f"  [{'ok' if ok else 'MISS'}] {sc.name}: all {o.users} served in "
            f"≤ {sc.deadline_s:g}s, no errors — {o.last_served_s:.2f}s, {o.errors} errors"
        )
    for entry in results.steady:
        sc = entry["scenario"]
        for p in entry["points"]:
            ok = p.p95_ms <= sc.p95_limit_ms and p.errors == 0
            w(
                f"  [{'ok' if ok else 'MISS'}] {sc.name}:{p.label}: p95 ≤ {sc.p95_limit_ms:g} ms, "
                f"no errors — {p.p95_ms:.1f} ms, {p.errors} errors"
            )
    for name in ("gunicorn", "celery"):
        if name in mem:
            peak = max(mem[name]["worker_peak"], mem[name]["master_peak"])
            w(
                f"  [{'ok' if peak < MEMORY_LIMIT_MIB else 'MISS'}] {name}: RSS < "
                f"{MEMORY_LIMIT_MIB} MiB — peak {peak:.0f} MiB"
            )
    for problem in results.problems:
        w(f"  [MISS] {problem}")

    if results.skipped:
        w()
        w("skipped scenarios (not applicable to this data):")
        for name, why in results.skipped.items():
            w(f"  {name:<18} {why}")

    if pending:
        w()
        w("pending scenarios (their pages do not exist yet):")
        for p in pending:
            w(f"  {p.name:<18} {p.title} — needs {p.needs}")

    capacity(scenarios, results, w)

    if results.meta.get("baseline"):
        base = results.meta["baseline"]
        w()
        w(f"data volume vs. {base['data']} ({base['started']}):")
        w("  (the check compares p95 normalised by the Wagtail reference's p95 of the same run,")
        w("   so that the load of a shared machine cancels out; absolute figures for information)")
        now_at8 = at8_figures(results)
        for name in VOLUME_COMPARED:
            now, then = now_at8.get(name), base["at8"].get(name)
            if not now or not then:
                continue
            for key in ("p50_ms", "p95_ms", "server_ms"):
                if now.get(key) is not None and then.get(key):
                    change = (now[key] - then[key]) / then[key] * 100
                    w(f"  {name:<10} {key:<9} {then[key]:8.1f} → {now[key]:8.1f} ({change:+.0f} %)")
            if now.get("p95_norm") and then.get("p95_norm"):
                change = (now["p95_norm"] - then["p95_norm"]) / then["p95_norm"] * 100
                ok = "ok" if change <= 20 else "MISS"
                w(
                    f"  [{ok}] {name}: p95 / reference p95 {then['p95_norm']:.2f} → "
                    f"{now['p95_norm']:.2f} ({change:+.0f} %, limit +20 %)"
                )

    if results.explain:
        w()
        w("EXPLAIN (ANALYZE, BUFFERS) of the queries of the participant pages:")
        w(results.explain)
        if results.findings:
            w("sequential scans on per-person tables (indexes needed):")
            for label, table, sql in results.findings:
                w(f"  {label}: {table}: {sql[:200]}")


def machine() -> str:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {mem_gib:.0f} GiB, {platform.platform(terse=True)}, "
        f"Python {platform.python_version()}"
    )


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def at8_figures(results: Results) -> dict:
    """Latencies at 8 connections of the participant pages, also relative to the reference."""
    ref = results.summaries.get(("wagtail", "wagtail", TARGET_CONNECTIONS))
    ref_p95 = ref.latency("p95_ms") if ref else None
    figures = {}
    for name in VOLUME_COMPARED:
        x = results.summaries.get((name, name, TARGET_CONNECTIONS))
        if x:
            figures[name] = {
                "p50_ms": x.latency("p50_ms"),
                "p95_ms": x.latency("p95_ms"),
                "server_ms": x.server_ms,
                "p95_norm": x.latency("p95_ms") / ref_p95 if ref_p95 else None,
            }
    return figures


def capacity(scenarios, results: Results, w, think_s: float = 60.0, p95_ms: float = 100.0):
    """Concurrently active learners one node serves: the learner request mix's sustainable
    requests/s (highest measured point with p95 ≤ 100 ms) × the mean think time (60 s).

    A page scenario's weight counts at its own sustainable rate; a flow's weights are per request
    label and count at the flow's sustainable rate (all its requests together, every label's p95
    within the limit): a flow's requests cost the server alike on average."""
    weighted = []  # (name shown, weight, sustainable rates)
    for s in scenarios:
        weight = getattr(s, "capacity_weight", 0)
        if not weight:
            continue
        if isinstance(weight, dict):
            points: dict = {}
            for tag, p in results.points:
                if p.scenario == s.name:
                    points.setdefault((tag, p.connections), []).append(p)
            rates = [
                sum(p.rps for p in ps)
                for ps in points.values()
                if max(p.p95_ms for p in ps) <= p95_ms
            ]
            weighted += [(f"{s.name}:{label}", x, rates) for label, x in weight.items()]
        else:
            rates = [
                p.rps for _, p in results.points if p.scenario == s.name and p.p95_ms <= p95_ms
            ]
            weighted.append((s.name, weight, rates))
    if not weighted:
        return
    time_per_request, total_weight, missing = 0.0, 0.0, []
    for name, weight, rates in weighted:
        if not rates:
            missing.append(name)
            continue
        time_per_request += weight / max(rates)
        total_weight += weight
    w()
    mix = ", ".join(f"{name} ×{weight:g}" for name, weight, _ in weighted)
    if missing or not total_weight:
        w(f"capacity estimate: no measured point of {', '.join(missing)} with p95 ≤ {p95_ms:g} ms")
        return
    rps = total_weight / time_per_request
    w(
        f"capacity estimate: mix {mix} sustains {rps:,.0f} req/s at p95 ≤ {p95_ms:g} ms; "
        f"× {think_s:g} s mean think time ≈ {rps * think_s:,.0f} concurrently active learners"
    )
    results.meta["capacity"] = {"rps": rps, "learners": rps * think_s, "mix": mix}


def save(results: Results, args, scenarios) -> Path:
    OUT_DIR.joinpath("results").mkdir(parents=True, exist_ok=True)
    at8 = at8_figures(results)
    data = {
        **{k: v for k, v in results.meta.items() if k != "baseline"},
        "volume": args.volume,
        "quick": args.quick,
        "at8": at8,
        "peaks": results.peaks,
        "points": [{"phase": tag, **p.as_dict()} for tag, p in results.points],
        "memory": results.memory,
    }
    size = "volume" if args.volume else f"n{args.participants}"
    path = OUT_DIR / "results" / f"{datetime.now():%Y%m%d-%H%M%S}-{size}.json"
    path.write_text(json.dumps(data, indent=1, default=str))
    return path


# What a run at the default size must share with the volume run to be its baseline: the same
# server (processes, worker class) and the same measuring method. A run of a few scenarios or
# with another worker class (a developer's experiment) is not a baseline.
BASELINE_ARGS = (
    "quick",
    "duration",
    "warmup",
    "sweep",
    "repetitions",
    "pool",
    "workers",
    "worker_class",
    "threads",
    "wrk_threads",
)


def baseline(args, results_dir: Path | None = None) -> dict | None:
    """The latest saved run at the default size of the same kind as ``args``, with every
    scenario, for the comparison."""
    files = sorted((results_dir or OUT_DIR / "results").glob("*-n2000.json"))
    for f in reversed(files):
        data = json.loads(f.read_text())
        saved = data.get("args") or {}
        if not data.get("at8") or saved.get("scenarios"):
            continue
        if all(saved.get(key) == getattr(args, key) for key in BASELINE_ARGS):
            return data
    return None


def main(argv=None) -> int:
    args = parse_args(argv)
    if not shutil_which("wrk"):
        print(
            "wrk is missing: `make bench` installs it (Debian package `wrk`), or run "
            "`apt-get install wrk`.",
            file=sys.stderr,
        )
        return 2
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    env = django_env(args)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    results = Results()
    results.meta = {
        "started": f"{datetime.now():%Y-%m-%d %H:%M}",
        "machine": machine(),
        "load_before": load_average(),
        "args": vars(args),
    }
    plan = prepare_database(args)
    results.meta["data"] = (
        f"{plan.participants:,} participants"
        + (f", {plan.progress:,} progress rows" if plan.progress else "")
        + (f", {plan.sittings:,} sittings" if plan.sittings else "")
    )

    import redis

    redis.Redis.from_url(args.redis_url).flushdb()  # only the benchmark's Redis database
    from bench import procs
    from bench.scenarios import SCENARIOS

    port = free_port(args.port)
    ctx = build_context(args, "127.0.0.1", port)
    wanted = set(args.scenarios.split(",")) if args.scenarios else None
    chosen = [s for s in SCENARIOS if wanted is None or s.name in wanted]
    throughput = [s for s in chosen if s.kind in ("page", "flow")]
    for ref in ("wagtail", "bare"):  # the references are always measured in the same run
        if not any(s.name == ref for s in throughput):
            throughput.insert(0, next(s for s in SCENARIOS if s.name == ref))
    pending = [s for s in chosen if s.kind == "pending"]

    log_dir = OUT_DIR / "logs"
    log_dir.mkdir(exist_ok=True)
    web = procs.start_gunicorn(
        env=env,
        port=port,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        log_dir=log_dir,
    )
    worker = procs.start_celery_worker(env=env, log_dir=log_dir)
    extra_servers = []  # a second gunicorn per distinct server_env (the uncached module page)
    ctx.extra["server_ports"] = {}
    for key in sorted({server_key(s) for s in throughput if server_key(s)}):
        extra_port = free_port(port + 1 + len(extra_servers))
        extra_servers.append(
            procs.start_gunicorn(
                env={**env, **dict(key)},
                port=extra_port,
                workers=args.workers,
                worker_class=args.worker_class,
                threads=args.threads,
                log_dir=log_dir,
                name="gunicorn-" + "-".join(f"{k}={v}" for k, v in key).lower(),
            )
        )
        ctx.extra["server_ports"][key] = extra_port
    try:
        procs.wait_http(f"http://127.0.0.1:{port}{ctx.bare_path}", web)
        log(f"gunicorn pid {web.pid} on port {port}, celery worker pid {worker.pid}")
        for (key, extra_port), proc in zip(
            ctx.extra["server_ports"].items(), extra_servers, strict=True
        ):
            procs.wait_http(f"http://127.0.0.1:{extra_port}{ctx.bare_path}", proc)
            settings_text = " ".join(f"{k}={v}" for k, v in key)
            log(f"second gunicorn pid {proc.pid} on port {extra_port} with {settings_text}")
        throughput_phase(throughput, ctx, args, results)
        for s in throughput:
            if getattr(s, "check", None):
                results.problems += [f"{s.name}: {problem}" for problem in s.check(ctx)]
        for s in chosen:
            if s.kind == "spike":
                spike_phase(s, ctx, args, results)
        for s in chosen:
            if s.kind == "steady":
                steady_phase(s, ctx, args, results)
        try:
            results.memory["celery_tasks"] = exercise_celery()
        except Exception as exc:  # reported, the run goes on
            results.problems.append(f"celery worker did not answer: {exc}")
        results.memory["gunicorn"] = procs.process_memory(web)
        results.memory["celery"] = procs.process_memory(worker)
    finally:
        web.stop()
        worker.stop()
        for proc in extra_servers:
            proc.stop()
    results.meta["load_after"] = load_average()

    if args.explain:
        from django.contrib.auth import get_user_model

        from bench import explain

        tables = [
            "auth_user",
            "training_enrollment",
            "training_moduleprogress",
            "training_sitting",
            "django_session",
        ]
        user = get_user_model().objects.get(pk=ctx.users[len(ctx.users) // 2].id)
        pages = [
            ("dashboard", ctx.dashboard_path),
            ("module", ctx.module_paths[len(ctx.module_paths) // 2]),
        ]
        counts = explain.table_rows(tables)
        results.explain, results.findings = explain.report(pages, user, row_counts=counts)
        text, findings = explain.report_representative(user.pk, row_counts=counts)
        results.explain += "\n" + text
        results.findings += findings
    if args.volume:
        results.meta["baseline"] = baseline(args)

    print_report(throughput, pending, args, ctx, results, sys.stdout)
    path = save(results, args, throughput)
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0


def shutil_which(name):
    from bench.procs import which

    return which(name)


if __name__ == "__main__":
    sys.exit(main())
