"""Runs wrk (a separate C process, light on the shared CPU) against a plan of requests."""

import json
import subprocess
from pathlib import Path

from bench.stats import Point, histogram_median

SCRIPT = Path(__file__).resolve().parent / "wrk" / "pages.lua"


def write_plan(path: Path, requests: list[tuple[str, str, str]]) -> Path:
    """``requests``: (method, path, cookie header or "") per line, cycled through by wrk."""
    with path.open("w") as f:
        for method, url_path, cookie in requests:
            if "\t" in url_path or "\t" in cookie or "\n" in url_path + cookie:
                raise ValueError(f"bad plan entry {url_path!r}")
            f.write(f"{method}\t{url_path}\t{cookie}\n")
    return path


def run(
    *,
    scenario: str,
    base_url: str,
    plan: Path,
    connections: int,
    duration: float,
    threads: int = 1,
    expected_status: int = 200,
) -> Point:
    threads = max(1, min(threads, connections))
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
        base_url,
        "--",
        str(plan),
        str(expected_status),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    line = next(
        (ln for ln in result.stdout.splitlines() if ln.startswith("BENCH-JSON ")),
        None,
    )
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("BENCH-JSON "))
    socket_errors = {k: v for k, v in data["errors"].items() if k != "status" and v}
    detail = dict(socket_errors)
    if data["unexpected"]:
        detail["status"] = data["unexpected_status"]
    duration_s = data["duration_us"] / 1e6
    lat = data["latency_us"]
    server_ms = histogram_median({int(k) / 10: v for k, v in data["server_ms_x10"].items()})
    queries = histogram_median({int(k): v for k, v in data["queries"].items()})
    return Point(
        scenario=scenario,
        label=scenario,
        connections=connections,
        requests=data["requests"],
        duration_s=duration_s,
        rps=data["requests"] / duration_s if duration_s else 0.0,
        p50_ms=lat["p50"] / 1000,
        p95_ms=lat["p95"] / 1000,
        p99_ms=lat["p99"] / 1000,
        max_ms=lat["max"] / 1000,
        errors=sum(socket_errors.values()) + data["unexpected"],
        error_detail=detail,
        queries_median=queries,
        server_ms_median=server_ms,
        tool="wrk",
    )
