"""A small asyncio HTTP/1.1 driver for stateful scenarios: user flows, a spike, steady load.

wrk measures stateless page throughput; flows that read a token from one page and post it to
the next (quiz answers with CSRF and sequence tokens), 1,000 users released by a barrier, or
1,000 learners thinking 30–90 s between requests need per-user state. Each virtual user has its
own cookie jar; every response's latency, status and benchmark headers are recorded per label.
Only the standard library: no dependency to install or lock.
"""

import asyncio
import html
import random
import re
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.stats import Point, percentile

CSRF_INPUT = re.compile(
    rb'name="csrfmiddlewaretoken"\s+value="([^"]+)"|value="([^"]+)"\s+name="csrfmiddlewaretoken"'
)


class FlowError(Exception):
    """A response the flow cannot continue from (already recorded as an error)."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: bytes
    latency_ms: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def csrf_token(self) -> str:
        match = CSRF_INPUT.search(self.body)
        if not match:
            raise FlowError("no csrfmiddlewaretoken in the page")
        return html.unescape((match.group(1) or match.group(2)).decode())


@dataclass
class RequestSpec:
    method: str
    path: str
    data: dict | None = None
    label: str = "request"
    expect: tuple[int, ...] = (200,)


@dataclass
class Recorder:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    queries: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    server_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def record(self, label: str, response: Response, ok: bool) -> None:
        self.latencies[label].append(response.latency_ms)
        if not ok:
            self.errors[label][str(response.status)] += 1
        q = response.headers.get("x-query-count")
        if q is not None:
            self.queries[label].append(int(q))
        ms = response.headers.get("x-server-time-ms")
        if ms is not None:
            self.server_ms[label].append(float(ms))

    def failure(self, label: str, kind: str) -> None:
        self.errors[label][kind] += 1

    def points(self, scenario: str, connections: int, duration_s: float) -> list[Point]:
        labels = sorted(set(self.latencies) | set(self.errors))
        result = []
        for label in labels:
            lat = sorted(self.latencies.get(label, []))
            errors = sum(self.errors.get(label, {}).values())
            q = sorted(self.queries.get(label, []))
            ms = sorted(self.server_ms.get(label, []))
            result.append(
                Point(
                    scenario=scenario,
                    label=label,
                    connections=connections,
                    requests=len(lat),
                    duration_s=duration_s,
                    rps=len(lat) / duration_s if duration_s else 0.0,
                    p50_ms=percentile(lat, 50),
                    p95_ms=percentile(lat, 95),
                    p99_ms=percentile(lat, 99),
                    max_ms=lat[-1] if lat else 0.0,
                    errors=errors,
                    error_detail=dict(self.errors.get(label, {})),
                    queries_median=percentile(q, 50) if q else None,
                    server_ms_median=percentile(ms, 50) if ms else None,
                    tool="python",
                )
            )
        return result


def _encode_request(host: str, port: int, spec: RequestSpec, cookies: dict[str, str]) -> bytes:
    lines = [
        f"{spec.method} {spec.path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Connection: close",
        "User-Agent: bench-flows",
    ]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    body = b""
    if spec.data is not None:
        body = urllib.parse.urlencode(spec.data, doseq=True).encode()
        lines.append("Content-Type: application/x-www-form-urlencoded")
        lines.append(f"Content-Length: {len(body)}")
        # Django checks the Referer only for HTTPS; the Origin is not sent, as by a form post.
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _parse_response(raw: bytes, latency_ms: float) -> Response:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or not lines[0].startswith("HTTP/"):
        raise ConnectionError("no HTTP response")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":
            pair = value.split(";", 1)[0]
            k, _, v = pair.partition("=")
            cookies[k.strip()] = v.strip()
        else:
            headers[name] = value
    if headers.get("transfer-encoding") == "chunked":
        body = _dechunk(body)
    return Response(status, headers, cookies, body, latency_ms)


def _dechunk(data: bytes) -> bytes:
    out, rest = bytearray(), data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2 :]
    return bytes(out)


class HttpUser:
    """One virtual participant: its id, a cookie jar (session cookie first) and its own state."""

    def __init__(self, *, host: str, port: int, user_id: int, cookies: dict, recorder: Recorder):
        self.host, self.port, self.user_id = host, port, user_id
        self.cookies = dict(cookies)
        self.recorder = recorder
        self.state: dict = {}

    def encode(self, spec: RequestSpec) -> bytes:
        return _encode_request(self.host, self.port, spec, self.cookies)

    def accept(self, spec: RequestSpec, response: Response) -> Response:
        self.cookies.update(response.cookies)
        ok = response.status in spec.expect
        self.recorder.record(spec.label, response, ok)
        if not ok:
            raise FlowError(f"{spec.label}: status {response.status}")
        return response

    async def send(self, spec: RequestSpec) -> Response:
        start = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
            try:
                writer.write(self.encode(spec))
                await writer.drain()
                raw = await reader.read(-1)
            finally:
                writer.close()
            response = _parse_response(raw, (time.perf_counter() - start) * 1000)
        except (OSError, ConnectionError, ValueError) as exc:
            self.recorder.failure(spec.label, type(exc).__name__)
            raise FlowError(f"{spec.label}: {exc}") from exc
        return self.accept(spec, response)

    async def get(self, path: str, *, label: str, expect=(200,)) -> Response:
        return await self.send(RequestSpec("GET", path, None, label, tuple(expect)))

    async def post(self, path: str, data: dict, *, label: str, expect=(200, 302)) -> Response:
        return await self.send(RequestSpec("POST", path, data, label, tuple(expect)))


Flow = Callable[[HttpUser], Awaitable[None]]


async def closed_loop(users: list[HttpUser], flow: Flow, *, concurrency: int, duration: float):
    """``concurrency`` workers run ``flow`` for the next free user until the time is up.

    A user is never in two flows at once (as a person with one browser tab).
    """
    if len(users) < concurrency:
        raise ValueError(f"{concurrency} concurrent flows need at least as many users")
    queue: asyncio.Queue[HttpUser] = asyncio.Queue()
    for user in users:
        queue.put_nowait(user)
    deadline = time.monotonic() + duration

    async def worker():
        while time.monotonic() < deadline:
            user = await queue.get()
            try:
                await flow(user)
            except FlowError:
                pass  # recorded; the next flow starts fresh
            finally:
                queue.put_nowait(user)

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.monotonic() - start


@dataclass
class SpikeOutcome:
    users: int
    served: int
    errors: int
    error_detail: dict
    last_served_s: float
    latencies_ms: list[float]
    responses: list[Response | None]


async def spike(
    users: list[HttpUser],
    request_for: Callable[[HttpUser], RequestSpec],
    *,
    timeout: float = 60.0,
) -> SpikeOutcome:
    """Opens one connection per user, then sends every request at the same moment (a barrier).

    Latency counts from the release, so the slowest user's latency is the time until the last
    one is served.
    """
    release = asyncio.Event()
    t0 = 0.0
    detail: dict[str, int] = defaultdict(int)
    connections = []
    sem = asyncio.Semaphore(200)

    async def connect(user):
        async with sem:
            try:
                return await asyncio.open_connection(user.host, user.port)
            except OSError as exc:
                detail[f"connect {type(exc).__name__}"] += 1
                return None

    connections = await asyncio.gather(*(connect(u) for u in users))
    specs = [request_for(u) for u in users]
    payloads = [u.encode(s) for u, s in zip(users, specs, strict=True)]

    async def one(i):
        conn = connections[i]
        if conn is None:
            return None
        reader, writer = conn
        await release.wait()
        try:
            writer.write(payloads[i])
            await writer.drain()
            raw = await asyncio.wait_for(reader.read(-1), timeout)
            return _parse_response(raw, (time.perf_counter() - t0) * 1000)
        except (OSError, ConnectionError, ValueError, TimeoutError) as exc:
            detail[type(exc).__name__] += 1
            return None
        finally:
            writer.close()

    tasks = [asyncio.ensure_future(one(i)) for i in range(len(users))]
    await asyncio.sleep(0.2)  # every coroutine is waiting at the barrier
    t0 = time.perf_counter()
    release.set()
    responses = await asyncio.gather(*tasks)
    served, latencies = 0, []
    for user, spec, response in zip(users, specs, responses, strict=True):
        if response is None:
            continue
        user.cookies.update(response.cookies)
        ok = response.status in spec.expect
        user.recorder.record(spec.label, response, ok)
        latencies.append(response.latency_ms)
        if ok:
            served += 1
        else:
            detail[str(response.status)] += 1
    latencies.sort()
    return SpikeOutcome(
        users=len(users),
        served=served,
        errors=len(users) - served,
        error_detail=dict(detail),
        last_served_s=(latencies[-1] / 1000) if latencies else 0.0,
        latencies_ms=latencies,
        responses=list(responses),
    )


async def steady(
    users: list[HttpUser],
    step: Flow,
    *,
    think: tuple[float, float],
    duration: float,
    seed: int = 11,
) -> float:
    """Every user repeats ``step`` with a think time drawn from ``think`` (seconds) in between.

    Users start spread over the first think interval, as learners who arrive at different times.
    """
    rng = random.Random(seed)
    deadline = time.monotonic() + duration

    async def learner(user, first_delay):
        await asyncio.sleep(first_delay)
        while time.monotonic() < deadline:
            try:
                await step(user)
            except FlowError:
                pass
            await asyncio.sleep(min(rng.uniform(*think), max(0.0, deadline - time.monotonic())))

    start = time.monotonic()
    await asyncio.gather(*(learner(u, rng.uniform(0, think[1])) for u in users))
    return time.monotonic() - start
