"""An IdP described by its metadata URL (as eIAM, AGOV and ADFS publish it): fetched over HTTP
from a real server on loopback, kept for an hour, and a metadata server that is down neither
stops logins (the last metadata read keeps serving) nor answers with a 500."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import escape

from accounts.models import ExternalIdentity
from accounts.sso import saml
from accounts.sso.services import PROVIDER_UNREACHABLE
from tests.accounts.sso.test_saml import (
    ACS,
    ATTRIBUTES,
    idp,  # noqa: F401 (fixture)
    saml_entry,
    saml_login,
    sso_error,
)

pytestmark = pytest.mark.django_db
User = get_user_model()


class MetadataServer:
    """Serves the IdP's metadata XML at /metadata.xml; ``status`` other than 200 answers that
    status; counts the fetches."""

    def __init__(self, xml: str):
        self.xml = xml.encode()
        self.status = 200
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.fetches += 1
                body = server.xml if server.status == 200 else b"Wartung"
                self.send_response(server.status)
                self.send_header("Content-Type", "application/samlmetadata+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/metadata.xml"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def login_as(stand_in, subject: str):
    """A login of a person of their own (an address per subject: the same address under a new
    subject would be refused as a changed subject)."""
    attributes = {**ATTRIBUTES, "email": [f"{subject}@admin.example.ch"]}
    return saml_login(Client(), stand_in, subject=subject, attributes=attributes)


@pytest.fixture
def remote_idp(settings, idp):  # noqa: F811 (the imported fixture)
    """The IdP of tests/accounts/sso/test_saml.py, configured by its metadata URL only."""
    server = MetadataServer(idp.metadata)
    settings.SSO_PROVIDERS = [saml_entry("", metadata_xml="", metadata_url=server.url)]
    saml._configs.clear()
    yield idp, server
    server.stop()
    saml._configs.clear()


def test_logins_work_with_metadata_fetched_once_from_the_url(remote_idp):
    # given an IdP configured by its metadata URL
    stand_in, server = remote_idp
    # when two people log in within the hour
    first, _ = login_as(stand_in, "agov-1")
    second, _ = login_as(stand_in, "agov-2")
    # then both are logged in, and the metadata was fetched once
    assert (first.status_code, second.status_code) == (302, 302)
    assert ExternalIdentity.objects.filter(provider="agov").count() == 2
    assert server.fetches == 1


@pytest.mark.parametrize("outage", ["error status", "server gone"])
def test_a_metadata_server_that_fails_later_keeps_the_last_metadata(
    remote_idp, monkeypatch, outage
):
    # given metadata fetched at an earlier login
    stand_in, server = remote_idp
    assert login_as(stand_in, "agov-1")[0].status_code == 302
    fetches = server.fetches
    # when the hour is over and the metadata server fails
    monkeypatch.setattr(saml, "CONFIG_MAX_AGE", 0)
    if outage == "server gone":
        server.stop()
    else:
        server.status = 503
    # then the next login still works with the metadata read before
    response, _ = login_as(stand_in, "agov-2")
    assert response.status_code == 302, response.content.decode()[:500]
    assert ExternalIdentity.objects.filter(subject="agov-2").exists()
    if outage == "error status":
        assert server.fetches > fetches  # it was asked again
        # and once the server answers again, the fresh metadata is read
        server.status = 200
        asked = server.fetches
        assert login_as(stand_in, "agov-3")[0].status_code == 302
        assert server.fetches > asked


def test_metadata_that_was_never_read_gives_a_german_message_not_a_500(remote_idp):
    # given an IdP whose metadata server is down before anybody logged in
    stand_in, server = remote_idp
    server.stop()
    client = Client()
    # when someone presses its button
    start = client.get("/konto/sso/saml/agov/")
    # then the login page says the provider cannot be reached (nobody is locked out for it)
    assert start.status_code == 502
    assert sso_error(start) == escape(str(PROVIDER_UNREACHABLE))
    # and a response posted to the ACS URL meanwhile gets the same answer, not a 500
    posted = client.post(ACS, {"SAMLResponse": "eA==", "RelayState": ""})
    assert posted.status_code == 502
    assert sso_error(posted) == escape(str(PROVIDER_UNREACHABLE))
    assert User.objects.count() == 0
    # and our own SP metadata, which the IdP's administrators download, is still served
    metadata = client.get("/konto/sso/saml/metadata/")
    assert metadata.status_code == 200
    assert "AssertionConsumerService" in metadata.content.decode()


def test_unreadable_metadata_at_the_url_is_handled_like_an_unreachable_server(remote_idp):
    stand_in, server = remote_idp
    server.xml = b"<html>Wartungsarbeiten</html>"
    response = Client().get("/konto/sso/saml/agov/")
    assert response.status_code == 502
    assert sso_error(response) == escape(str(PROVIDER_UNREACHABLE))
