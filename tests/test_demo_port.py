"""`make demo PORT=8123`: the demo serves on that port, and every absolute link follows it —
mails through WAGTAILADMIN_BASE_URL, pages' own links through the default site."""

import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Site

from cms.models import ModulePage

ROOT = Path(__file__).resolve().parent.parent


def test_make_demo_passes_the_port_to_the_server_the_links_and_the_site():
    assert shutil.which("make"), "make is needed for `make demo`"
    plan = subprocess.run(
        ["make", "-n", "demo", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    lines = plan.splitlines()
    migrate = next(line for line in lines if "manage.py migrate" in line)
    seed = next(line for line in lines if "manage.py seed_demo" in line)
    serve = next(line for line in lines if "manage.py runserver" in line)
    for line in (migrate, seed, serve):
        assert "WAGTAILADMIN_BASE_URL=http://127.0.0.1:8123" in line
    assert "-v0" not in migrate  # each migration is listed while it runs
    assert seed.endswith("seed_demo --site-url http://127.0.0.1:8123")
    assert serve.endswith("runserver 127.0.0.1:8123")


@pytest.mark.django_db
def test_the_demo_site_takes_host_and_port_from_the_demo_address(settings):
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8123"
    out = StringIO()
    call_command("seed_demo", site_url="http://127.0.0.1:8123", stdout=out)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8123)
    assert "Website: 127.0.0.1:8123" in out.getvalue()
    module = ModulePage.objects.live().first()
    assert module.full_url.startswith("http://127.0.0.1:8123/")
