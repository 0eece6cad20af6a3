"""The processes under test: gunicorn (production settings) and a Celery worker; their memory."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _bin(name: str) -> str:
    candidate = VENV_BIN / name
    return str(candidate) if candidate.exists() else name


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self, timeout: float = 20.0) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(5)


def start_gunicorn(
    *,
    env: dict,
    port: int,
    workers: int,
    worker_class: str,
    threads: int,
    log_dir: Path,
    name: str = "gunicorn",
) -> Proc:
    log = log_dir / f"{name}.log"
    cmd = [
        _bin("gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--backlog",
        "2048",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        cmd += ["--threads", str(threads)]
    popen = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    return Proc(name, popen, log)


def start_celery_worker(*, env: dict, log_dir: Path, concurrency: int = 2) -> Proc:
    log = log_dir / "celery.log"
    cmd = [
        _bin("celery"),
        "-A",
        "config",
        "worker",
        "--loglevel",
        "WARNING",
        "--pool",
        "prefork",
        "--concurrency",
        str(concurrency),
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        f"bench-{os.getpid()}@%h",
    ]
    popen = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    return Proc("celery", popen, log)


def wait_http(url: str, proc: Proc, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(
                f"{proc.name} exited; see {proc.log}:\n{proc.log.read_text()[-2000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s: {last}")


def children(pid: int) -> list[int]:
    result = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            result += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return result


def memory_kib(pid: int) -> dict[str, int]:
    """Current (VmRSS) and peak (VmHWM) resident memory of one process, in KiB."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


def process_memory(proc: Proc) -> dict:
    """Peak and current RSS of the master and of its largest child (a worker), in MiB."""
    master = memory_kib(proc.pid)
    kids = [memory_kib(c) for c in children(proc.pid)]
    kids = [k for k in kids if k]
    mib = 1024

    def largest(key):
        return max((k.get(key, 0) for k in kids), default=0) / mib

    return {
        "master_peak": master.get("VmHWM", 0) / mib,
        "master_now": master.get("VmRSS", 0) / mib,
        "worker_peak": largest("VmHWM"),
        "worker_now": largest("VmRSS"),
        "workers": len(kids),
    }


def which(name: str) -> str | None:
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None
