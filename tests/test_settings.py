"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_django(env_overrides: dict, code: str = "import django; django.setup(); print('ok')"):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_start_fails_with_a_clear_message_without_secret_key_and_hosts():
    # given DJANGO_DEBUG off and neither secret key nor allowed hosts
    # when Django starts
    result = run_django({"DJANGO_DEBUG": "0"})
    # then it refuses, naming both variables
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_start_fails_when_only_the_allowed_hosts_are_missing():
    result = run_django({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr
    assert "DJANGO_SECRET_KEY" not in result.stderr.split("ImproperlyConfigured")[-1]


def test_development_defaults_use_sqlite_under_var_and_in_process_tasks():
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from config.celery import app;"
        "print(settings.DATABASES['default']['ENGINE']);"
        "print(settings.DATABASES['default']['NAME']);"
        "print(app.conf.task_always_eager, settings.CACHES['default']['BACKEND']);"
        "print(settings.LANGUAGE_CODE, settings.TIME_ZONE)"
    )
    result = run_django({"DJANGO_DEBUG": "1"}, code)
    assert result.returncode == 0, result.stderr
    engine, name, celery_and_cache, language = result.stdout.strip().splitlines()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "var" / "db.sqlite3")
    assert celery_and_cache == "True django.core.cache.backends.locmem.LocMemCache"
    assert language == "de Europe/Zurich"


def test_redis_url_configures_broker_result_backend_and_cache():
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from config.celery import app;"
        "print(app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager);"
        "print(settings.CACHES['default']['LOCATION'])"
    )
    result = run_django({"DJANGO_DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/3"}, code)
    assert result.returncode == 0, result.stderr
    celery_line, cache_line = result.stdout.strip().splitlines()
    assert celery_line == "redis://127.0.0.1:6379/3 redis://127.0.0.1:6379/3 False"
    assert cache_line == "redis://127.0.0.1:6379/3"


def test_celery_is_configured_for_reliable_delivery():
    code = (
        "import django; django.setup(); from config.celery import app; c = app.conf;"
        "print(c.task_serializer, c.accept_content, c.task_acks_late,"
        " c.task_reject_on_worker_lost, c.worker_prefetch_multiplier,"
        " sorted(c.beat_schedule))"
    )
    result = run_django({"DJANGO_DEBUG": "1"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("json ['json'] True True 1 [")
    assert "'worker-heartbeat'" in result.stdout
