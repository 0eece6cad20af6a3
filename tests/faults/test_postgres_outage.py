"""PostgreSQL goes away: every page, the admin included, answers 503 with a German page in the
site's layout and Retry-After; /healthz answers 503 at once; after the restart it is 200 again.
Runs its own PostgreSQL cluster and web server."""

import pytest

from tests.faults.services import OwnPostgres, WebServer


@pytest.fixture
def own_postgres():
    postgres = OwnPostgres()
    postgres.start()
    yield postgres
    postgres.remove()


@pytest.fixture
def web(own_postgres, tmp_path):
    # No Redis: this test is about the database alone (tasks would run in-process).
    server = WebServer(own_postgres.url, "", tmp_path).start()
    yield server
    server.stop()


def test_without_the_database_every_page_answers_503_in_german(own_postgres, web):
    browser = web.browser()
    # given the site with its database
    assert browser.get("/healthz").status == 200
    # when PostgreSQL stops
    own_postgres.stop()
    anonymous = {"/": browser.get("/")}
    # (a logged-in person's browser sends its session cookie: reading it needs the database)
    browser.set_cookie("sessionid", "x" * 32)
    pages = {
        **anonymous,
        **{path: browser.get(path) for path in ("/lernen/", "/konto/", "/admin/")},
    }
    health = web.browser().get("/healthz")  # as the container health check calls it
    # then every page says so in German, in the site's layout, and when to try again
    for path, answer in pages.items():
        assert answer.status == 503, (path, answer.status, answer.body[:300])
        assert "<h1>Vorübergehend nicht erreichbar</h1>" in answer.body, path
        assert 'class="site-header"' in answer.body, path
        assert answer.headers["Retry-After"] == "30", path
        assert "Technischer Fehler" not in answer.body, path
    # and the health check answers 503 with the reason
    assert health.status == 503
    assert '"status": "error"' in health.body and "OperationalError" in health.body
    print("timings without PostgreSQL (s):", [(p, round(t, 3)) for p, t in browser.timings])
    # when PostgreSQL is back, the health check is 200 again
    own_postgres.start()
    assert web.browser().get("/healthz").status == 200
