"""The OpenID provider stand-in, a real program on loopback.

- ``oidc_provider``: oidc-provider-mock (a real OpenID provider: discovery, authorize, token,
  userinfo, JWKS, end session), users seeded over its HTTP API.
- ``token_relay``: sits between this platform and the mock's token endpoint like an attacker
  who controls the provider's answer (or a provider misbehaving): it re-signs the ID token with
  a key it publishes as the provider's JWKS, after an optional change to the claims, or with a
  key nobody trusts.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
import werkzeug.serving
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.wrappers import Request, Response


@pytest.fixture(scope="session")
def oidc_provider():
    """oidc-provider-mock 0.3.4 in a thread on localhost; yields its base URL."""
    from oidc_provider_mock import run_server_in_thread

    try:
        server_cm = run_server_in_thread()
        server = server_cm.__enter__()
    except OSError as error:  # pragma: no cover - a stand-in that cannot start fails the test
        pytest.fail(f"oidc-provider-mock could not start on loopback: {error}")
    yield f"http://localhost:{server.server_port}"
    server_cm.__exit__(None, None, None)


def seed_oidc_user(base_url: str, sub: str, claims: dict) -> None:
    response = requests.put(f"{base_url}/users/{sub}", json=claims, timeout=5)
    assert response.status_code == 204, response.text


def oidc_provider_entry(base_url: str, key: str = "luzern", **overrides) -> dict:
    entry = {
        "key": key,
        "protocol": "oidc",
        "label": "Kanton Luzern",
        "organisation": "Kanton Luzern",
        "discovery_url": f"{base_url}/.well-known/openid-configuration",
        "client_id": "buergerservice-akademie",
        "client_secret": "geheim-nur-fuer-tests",
        "claims": {"organisation_unit": "department", "groups": "groups"},
        "groups": {"trainers": ["lernplattform-trainer"], "leads": ["lernplattform-leitung"]},
    }
    entry.update(overrides)
    return entry


@dataclass
class OIDCLogin:
    start: object
    authorize: requests.Response | None = None
    callback_url: str = ""
    response: object = None


def oidc_login(client, sub: str, *, provider_key: str = "luzern", next_url: str = "", tamper=None):
    """Logs in through the provider like a browser: our start URL, the provider's authorize
    form (posted non-interactively with the subject), our callback. ``tamper`` may change the
    callback's query before it is sent."""
    start = client.get(
        f"/konto/sso/oidc/{provider_key}/" + (f"?next={next_url}" if next_url else "")
    )
    login = OIDCLogin(start=start)
    if start.status_code != 302:
        return login
    authorize = requests.post(
        start["Location"], data={"sub": sub}, allow_redirects=False, timeout=10
    )
    assert authorize.status_code == 302, authorize.text
    login.authorize = authorize
    location = urlparse(authorize.headers["Location"])
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    if tamper is not None:
        query = tamper(query)
    login.callback_url = location.path + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    login.response = client.get(location.path, query)
    return login


# --- The token relay ------------------------------------------------------------------------


def _rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class TokenRelay:
    url: str
    upstream_token_endpoint: str = ""
    trusted_key: object = field(default_factory=_rsa_key)
    foreign_key: object = field(default_factory=_rsa_key)
    change: Callable[[dict], dict] | None = None
    sign_with_foreign_key: bool = False
    id_tokens: list[str] = field(default_factory=list)

    def endpoints(self) -> dict:
        return {"token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks"}

    def jwks(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.trusted_key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "use": "sig", "alg": "RS256", "kid": "relay"}]}

    def relay(self, request: Request) -> Response:
        headers = {}
        if "Authorization" in request.headers:
            headers["Authorization"] = request.headers["Authorization"]
        upstream = requests.post(
            self.upstream_token_endpoint, data=request.form.to_dict(), headers=headers, timeout=10
        )
        body = upstream.json()
        if upstream.status_code == 200 and "id_token" in body:
            claims = jwt.decode(body["id_token"], options={"verify_signature": False})
            if self.change is not None:
                claims = self.change(dict(claims))
            key = self.foreign_key if self.sign_with_foreign_key else self.trusted_key
            body["id_token"] = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "relay"})
            self.id_tokens.append(body["id_token"])
        return Response(
            json.dumps(body), status=upstream.status_code, content_type="application/json"
        )

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == "/jwks":
            response = Response(json.dumps(self.jwks()), content_type="application/json")
        elif request.path == "/token" and request.method == "POST":
            response = self.relay(request)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)


@pytest.fixture
def token_relay(oidc_provider):
    relay = TokenRelay(url="")
    relay.upstream_token_endpoint = requests.get(
        f"{oidc_provider}/.well-known/openid-configuration", timeout=5
    ).json()["token_endpoint"]
    server = werkzeug.serving.make_server("localhost", 0, relay, threaded=True)
    relay.url = f"http://localhost:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield relay
    server.shutdown()
    thread.join(timeout=5)


def now() -> int:
    return int(time.time())
