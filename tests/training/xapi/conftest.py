"""Ralph, a real xAPI LRS, on loopback for the tests.

Ralph is installed by the test setup into its own virtualenv under ``var/ralph`` (its
dependencies never enter the app's lock) and started per test with its file-system backend in a
fresh directory. That backend stores one write per data file: a second write to the same file
answers 500. Ralph reads the files matching its ``DEFAULT_LRS_FILE`` setting as a glob and
writes to a file of that very name, so the tests set it to ``fs_lrs*.jsonl`` (configuration only,
Ralph's code is untouched) and ``RalphServer.rotate()`` renames the written file to
``fs_lrs-0001.jsonl`` etc. after a delivery: the next write can create the file again, and every
read and Ralph's duplicate-id check still see all statements. A Ralph that cannot be installed
or started fails the test with the reason.
"""

import base64
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings

RALPH_REQUIREMENTS = [
    "ralph-malph[cli,lrs]==5.1.*",
    "fastapi==0.114.2",
    "uvicorn==0.30.6",
    "requests",  # missing from Ralph's extras
]
KEY, SECRET = "bsa-tests", "ralph-test-secret"
DATA_FILE = "fs_lrs*.jsonl"  # written under this literal name, read as a glob (see above)


def _ralph_home() -> Path:
    return Path(django_settings.BASE_DIR) / "var" / "ralph"


@pytest.fixture(scope="session")
def ralph_bin():
    """Ralph's command, installed once per checkout (and again when the pins change). Test
    processes running side by side (xdist) take a lock: one installs, the others wait; an
    install that was interrupted is not mistaken for a finished one."""
    home = _ralph_home()
    home.parent.mkdir(parents=True, exist_ok=True)
    ready = home / "installed.txt"
    wanted = "\n".join(RALPH_REQUIREMENTS)
    with open(home.parent / "ralph.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists() or ready.read_text() != wanted:
            shutil.rmtree(home, ignore_errors=True)
            try:
                subprocess.run(
                    [sys.executable, "-m", "venv", str(home)], check=True, capture_output=True
                )
                subprocess.run(
                    [str(home / "bin" / "python"), "-m", "pip", "install", "-q",
                     *RALPH_REQUIREMENTS],
                    check=True, capture_output=True, timeout=900,
                )  # fmt: skip
            except (subprocess.SubprocessError, OSError) as error:
                output = getattr(error, "stderr", b"") or b""
                pytest.fail(
                    f"Ralph (the test LRS) could not be installed into {home}: {error}\n"
                    f"{output.decode(errors='replace')[-2000:]}"
                )
            ready.write_text(wanted)
    return home / "bin" / "ralph"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RalphServer:
    url: str
    data_dir: Path
    rotations: int = 0

    @property
    def endpoint(self) -> str:
        return f"{self.url}/xAPI"

    def _get(self, path: str, **params):
        query = urllib.parse.urlencode(params)
        request = urllib.request.Request(  # noqa: S310
            f"{self.url}{path}" + (f"?{query}" if query else ""),
            headers={
                "Authorization": "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode(),
                "X-Experience-API-Version": "1.0.3",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def statement(self, statement_id) -> dict:
        body = self._get("/xAPI/statements", statementId=str(statement_id))
        if "statements" in body:
            assert len(body["statements"]) == 1, body
            return body["statements"][0]
        return body

    def statements(self) -> list[dict]:
        return self._get("/xAPI/statements", limit=500)["statements"]

    def rotate(self) -> None:
        """Moves the data file aside so the next write can create it again (see above)."""
        current = self.data_dir / DATA_FILE
        if current.exists():
            self.rotations += 1
            current.rename(self.data_dir / f"fs_lrs-{self.rotations:04d}.jsonl")


@pytest.fixture
def ralph(ralph_bin, tmp_path, settings):
    """A running Ralph LRS on loopback; the app's xAPI settings point at it."""
    work = tmp_path / "ralph"
    data = work / "data"
    data.mkdir(parents=True)
    env = {
        **os.environ,
        "RALPH_AUTH_FILE": str(work / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_APP_DIR": str(work / "app"),
        "RALPH_BACKENDS__LRS__FS__DEFAULT_LRS_FILE": DATA_FILE,
    }
    auth = subprocess.run(
        [str(ralph_bin), "auth", "-u", KEY, "-p", SECRET, "-s", "all",
         "-M", "mailto:lrs@example.com", "-w"],
        env=env, cwd=work, capture_output=True, timeout=120,
    )  # fmt: skip
    if auth.returncode != 0:
        pytest.fail(f"Ralph could not create its credentials: {auth.stderr.decode()[-2000:]}")
    port = _free_port()
    log = open(work / "server.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [str(ralph_bin), "runserver", "-b", "fs", "-h", "127.0.0.1", "-p", str(port),
         "--fs-default-directory-path", str(data)],
        env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    server = RalphServer(url=f"http://127.0.0.1:{port}", data_dir=data)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{server.url}/__lbheartbeat__", timeout=2).close()  # noqa: S310
                break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "Ralph did not start: "
                        + (work / "server.log").read_text(errors="replace")[-2000:]
                    )
                time.sleep(0.3)
        settings.XAPI_LRS_ENDPOINT = server.endpoint
        settings.XAPI_LRS_KEY = KEY
        settings.XAPI_LRS_SECRET = SECRET
        settings.XAPI_VERSION = "1.0.3"
        settings.XAPI_ACTIVITY_BASE = "https://akademie.example.org"
        yield server
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        process.wait(timeout=20)
        log.close()
