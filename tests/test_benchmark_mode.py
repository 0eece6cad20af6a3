"""Benchmark mode: measurement headers and the two reference endpoints bench/ compares with."""

import re
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.reference import (
    REFERENCE_PARAGRAPH,
    REFERENCE_SLUG,
    REFERENCE_TITLE,
    ensure_reference_page,
    reference_page_model,
)
from core.benchmark import QUERY_COUNT_HEADER, SERVER_TIME_HEADER
from tests.test_settings import ROOT

MIDDLEWARE = "core.benchmark.BenchmarkHeadersMiddleware"


@pytest.fixture
def benchmark_mode(settings):
    settings.BENCHMARK_HEADERS = True
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]


def test_bare_view_is_not_found_outside_benchmark_mode(client, db):
    response = client.get("/bench/bare")
    assert response.status_code == 404


def test_responses_carry_no_measurements_outside_benchmark_mode(client, db):
    response = client.get("/healthz")
    assert QUERY_COUNT_HEADER not in response
    assert SERVER_TIME_HEADER not in response


def test_bare_view_answers_a_short_plain_response_without_queries(client, db, benchmark_mode):
    response = client.get("/bench/bare")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain"
    assert response[QUERY_COUNT_HEADER] == "0"
    assert float(response[SERVER_TIME_HEADER]) >= 0


def test_query_count_header_counts_every_query_of_the_request(client, demo, benchmark_mode):
    # given a logged-in participant (session and user are loaded from the database)
    client.force_login(demo["participant"])
    # when the dashboard is requested
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/lernen/")
    # then the header reports exactly the queries the request ran
    assert response.status_code == 200
    assert int(response[QUERY_COUNT_HEADER]) == len(queries)
    assert len(queries) > 0


def test_server_time_header_is_milliseconds_with_two_decimals(client, demo, benchmark_mode):
    response = client.get("/")
    value = response[SERVER_TIME_HEADER]
    whole, _, decimals = value.partition(".")
    assert whole.isdigit() and len(decimals) == 2
    assert float(value) > 0


@pytest.mark.parametrize(("env_value", "expected"), [("1", "True 0"), ("0", "False -1")])
def test_environment_switches_the_middleware_on_as_the_outermost(env_value, expected):
    code = (
        "import django; django.setup(); from django.conf import settings;"
        f"m = settings.MIDDLEWARE; i = m.index({MIDDLEWARE!r}) if {MIDDLEWARE!r} in m else -1;"
        "print(settings.BENCHMARK_HEADERS, i)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DJANGO_BENCHMARK_HEADERS": env_value,
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_reference_page_renders_a_title_and_one_paragraph_through_the_base_layout(demo, client):
    # given the reference page the benchmark creates
    page = ensure_reference_page()
    # when it is requested anonymously, as the benchmark does
    response = client.get(page.url)
    # then it is a live page of the reference type with the site's layout, title and paragraph
    assert response.status_code == 200
    assert page.live and type(page) is reference_page_model()
    html = response.content.decode()
    assert re.search(rf"<h1[^>]*>\s*{REFERENCE_TITLE}\s*</h1>", html)
    assert REFERENCE_PARAGRAPH in html
    assert 'class="skip-link"' in html and 'class="site-footer"' in html


def test_reference_page_is_created_once(demo):
    first = ensure_reference_page()
    second = ensure_reference_page()
    assert first.pk == second.pk
    assert type(first).objects.filter(slug=REFERENCE_SLUG).count() == 1


def test_reference_page_of_another_type_is_replaced(demo):
    # given a page of another type at the reference's slug (e.g. the stand-in before a change)
    from wagtail.models import Page, Site

    from cms.models import CoursePage

    home = Site.objects.get(is_default_site=True).root_page
    home.add_child(instance=CoursePage(title="Alt", slug=REFERENCE_SLUG))
    # when the benchmark ensures its reference page
    page = ensure_reference_page()
    # then exactly one page has the slug, of the reference type
    pages = Page.objects.child_of(home).filter(slug=REFERENCE_SLUG)
    assert [p.pk for p in pages] == [page.pk]
    assert pages.get().specific_class is reference_page_model()
