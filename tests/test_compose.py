"""docker-compose.yml cannot run here (no Docker engine), so its wiring is checked as data."""

import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def command_of(service: str) -> str:
    command = SERVICES[service].get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_all_services_exist_with_health_checks():
    assert set(SERVICES) >= {"postgres", "redis", "web", "worker", "beat"}
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert "healthcheck" in SERVICES[name], name


def test_worker_health_check_pings_the_projects_celery_app_on_its_own_node():
    test = " ".join(SERVICES["worker"]["healthcheck"]["test"])
    app = re.search(r"celery\s+-A\s+(\S+)\s+inspect\s+ping", test).group(1)
    assert (ROOT / app / "celery.py").exists()
    assert "--destination celery@$$HOSTNAME" in test  # $$: compose's escape for a shell $


def test_beat_health_check_watches_the_schedule_file_beat_writes():
    schedule = re.search(r"--schedule\s+(\S+)", command_of("beat")).group(1)
    check = SERVICES["beat"]["healthcheck"]["test"]
    assert f"glob.glob('{schedule}*')" in check[-1]
    compile(check[-1], "healthcheck", "exec")  # the inline program is valid Python


def test_volumes_are_named():
    assert {"postgres-data", "media"} <= set(COMPOSE["volumes"])


def test_web_runs_gunicorn_on_the_projects_wsgi_module_after_migrating():
    command = command_of("web")
    assert "migrate" in command
    module = re.search(r"gunicorn\s+(\S+):application", command).group(1)
    assert (ROOT / (module.replace(".", "/") + ".py")).exists()
    assert module == settings.WSGI_APPLICATION.rsplit(".", 1)[0]


def test_worker_and_beat_use_the_projects_celery_app():
    for service, sub in (("worker", "worker"), ("beat", "beat")):
        command = command_of(service)
        app = re.search(r"celery\s+-A\s+(\S+)\s+" + sub, command).group(1)
        assert (ROOT / app / "celery.py").exists()


def test_environment_names_are_the_ones_settings_read():
    read_by_settings = {
        name
        for module in ("settings.py", "settings_sso.py")
        for name in re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', (ROOT / "config" / module).read_text())
    }
    for name in ("web", "worker", "beat"):
        env = SERVICES[name].get("environment") or {}
        keys = set(env) if isinstance(env, dict) else {e.split("=", 1)[0] for e in env}
        anchors = SERVICES[name].get("env_file")
        assert keys or anchors, name
        assert keys <= read_by_settings, (name, keys - read_by_settings)
    for required in ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        assert required in SERVICES["web"]["environment"]


def test_the_organisation_login_settings_reach_web_worker_and_beat():
    # every service runs the settings module, so each gets the SSO settings the same way
    for name in ("web", "worker", "beat"):
        env = SERVICES[name]["environment"]
        for setting in (
            "SSO_PROVIDERS",
            "SSO_LOCAL_LOGIN",
            "SSO_CLOCK_SKEW_SECONDS",
            "SSO_SAML_ENTITY_ID",
            "SSO_SAML_KEY_FILE",
            "SSO_SAML_CERT_FILE",
        ):
            assert env[setting].startswith("${" + setting + ":-"), (name, setting)
