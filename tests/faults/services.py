"""Own Redis and PostgreSQL instances for the fault tests, and a web server (gunicorn) in front
of them: started on free ports, stopped and restarted on purpose, removed afterwards. The shared
services of the machine are never touched."""

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, *, up: bool, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.2)
            is_up = s.connect_ex(("127.0.0.1", port)) == 0
        if is_up == up:
            return
        time.sleep(0.05)
    pytest.fail(f"port {port} did not go {'up' if up else 'down'} within {timeout}s")


class OwnRedis:
    """``redis-server`` on a free port without persistence (a restart starts empty, like a
    replaced container)."""

    def __init__(self):
        if not shutil.which("redis-server"):
            pytest.fail("redis-server is not installed: the fault tests start their own Redis")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port, up=True)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        wait_port(self.port, up=False)


class OwnPostgres:
    """A PostgreSQL cluster in a temporary directory (initdb + pg_ctl as the postgres user when
    run as root), trust authentication, on a free port."""

    def __init__(self):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not bins:
            pytest.fail("PostgreSQL's initdb is not installed: the fault tests start their own")
        self.bin = bins[-1].parent
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="fault-pg-"))
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.dir / "data"),
            "--auth=trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool, *args):
        subprocess.run(
            [*self.as_postgres, str(self.bin / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.dir / "data"),
            "-o",
            options,
            "-w",
            "-l",
            str(self.dir / "log"),
            "start",
        )
        wait_port(self.port, up=True)

    def stop(self):
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        wait_port(self.port, up=False)

    def remove(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class WebServer:
    """gunicorn with production settings (debug off) on the given database and Redis."""

    database_url: str
    redis_url: str
    tmp: Path
    extra_env: dict = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen | None = None

    def start(self):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.faults.settings",
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="fault-test-secret-key-" + "x" * 40,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_HTTPS="0",
            DJANGO_ADMIN_REQUIRE_2FA="0",
            DJANGO_MEDIA_ROOT=str(self.tmp / "media"),
            DJANGO_LOG_LEVEL="WARNING",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            CERTIFICATE_SIGNING_KEY_FILE=str(self.tmp / "signing-key.pem"),
            CERTIFICATE_SIGNING_KEY_GENERATE="1",
            **self.extra_env,
        )
        self.log = (self.tmp / f"gunicorn-{self.port}.log").open("w")
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_port(self.port, up=True, timeout=60)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()

    def browser(self) -> "Browser":
        return Browser(f"http://127.0.0.1:{self.port}")


@dataclass
class Answer:
    status: int
    headers: dict
    body: str
    seconds: float

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A client with cookies that does not follow redirects and records how long each took."""

    CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.timings: list[tuple[str, float]] = []

    def request(self, path: str, data: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 (http only)
        if data is not None:
            request.add_header("Referer", self.base + path)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, headers, text = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, headers, text = error.code, dict(error.headers), error.read()
        seconds = time.monotonic() - started
        self.timings.append((path, seconds))
        return Answer(status, headers, text.decode("utf-8", "replace"), seconds)

    def set_cookie(self, name: str, value: str) -> None:
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0,
                name,
                value,
                None,
                False,
                "127.0.0.1",
                False,
                False,
                "/",
                True,
                False,
                None,
                False,
                None,
                None,
                {},
            )
        )

    def get(self, path: str) -> Answer:
        return self.request(path)

    def post(self, path: str, data: dict | None = None, *, form_page: str = "/") -> Answer:
        """Posts with the CSRF cookie's token (opening ``form_page`` first if there is none)."""
        if not any(c.name == "csrftoken" for c in self.jar):
            self.get(form_page)
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        return self.request(path, {**(data or {}), "csrfmiddlewaretoken": token})
