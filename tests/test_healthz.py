import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert "broker" in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_answers_503_when_the_database_is_unreachable():
    # given a server whose database cannot be reached (nothing listens on port 9)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="postgres://postgres@127.0.0.1:9/none",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    env.pop("REDIS_URL", None)
    code = (
        "import django, json; django.setup();"
        "from django.test import Client; r = Client().get('/healthz');"
        "print(r.status_code); print(json.dumps(r.json()))"
    )
    # when /healthz is asked
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then it answers 503 with the database marked down
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-2:]
    assert status == "503"
    assert json.loads(body)["database"]["ok"] is False
