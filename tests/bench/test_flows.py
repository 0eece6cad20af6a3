"""The benchmark's asyncio driver against the real app served over a real socket.

Only pages that need no database rows are used (the login form, the language switch, the bare
view), so no test data has to be committed for the server thread to see it.
"""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application

from bench.flows import FlowError, HttpUser, Recorder, RequestSpec, spike
from core.benchmark import QUERY_COUNT_HEADER


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(settings):
    settings.BENCHMARK_HEADERS = True
    settings.MIDDLEWARE = ["core.benchmark.BenchmarkHeadersMiddleware", *settings.MIDDLEWARE]
    httpd = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    httpd.set_app(get_wsgi_application())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address
    httpd.shutdown()
    httpd.server_close()


def run(coroutine):
    """Runs the driver in its own thread: the browser tests keep an event loop in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def users(address, n):
    recorder = Recorder()
    host, port = address
    return [
        HttpUser(host=host, port=port, user_id=i, cookies={}, recorder=recorder) for i in range(n)
    ], recorder


def test_a_flow_reads_the_csrf_token_of_a_page_and_posts_it_with_the_cookie(server):
    # given a visitor
    (user,), recorder = users(server, 1)

    # when it opens the login form and posts the language switch with the form's token
    async def flow():
        page = await user.get("/konto/anmelden/", label="form")
        await user.post(
            "/i18n/setlang/",
            {"csrfmiddlewaretoken": page.csrf_token(), "language": "en", "next": "/lernen/"},
            label="post",
            expect=(302,),
        )

    run(flow())
    # then both succeeded, the cookies were kept, and the benchmark headers were recorded
    assert {k: len(v) for k, v in recorder.latencies.items()} == {"form": 1, "post": 1}
    assert dict(recorder.errors) == {}
    assert "csrftoken" in user.cookies and user.cookies["django_language"] == "en"
    assert recorder.queries["form"] == [0] and recorder.queries["post"] == [0]


def test_a_post_without_the_token_is_recorded_as_an_error_and_stops_the_flow(server):
    (user,), recorder = users(server, 1)
    with pytest.raises(FlowError):
        run(user.post("/i18n/setlang/", {"language": "en"}, label="post", expect=(302,)))
    assert dict(recorder.errors["post"]) == {"403": 1}


def test_a_spike_sends_every_request_at_the_barrier_and_counts_the_responses(server):
    # given twenty users, each with a connection open
    many, recorder = users(server, 20)
    # when all request the bare view at the same moment
    outcome = run(spike(many, lambda u: RequestSpec("GET", "/bench/bare", label="bare")))
    # then all are served, each with its status and latency
    assert (outcome.users, outcome.served, outcome.errors) == (20, 20, 0)
    assert [r.status for r in outcome.responses] == [200] * 20
    assert all(r.headers[QUERY_COUNT_HEADER.lower()] == "0" for r in outcome.responses)
    assert len(recorder.latencies["bare"]) == 20
    assert outcome.last_served_s * 1000 == outcome.latencies_ms[-1]
