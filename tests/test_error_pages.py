"""Every error status the app answers with has a German page in the site's layout (English with
the language cookie), without inline script or style (CSP)."""

import re

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.error_urls import GONE_PATH
from tests.factories import UserFactory, complete_course, enroll, make_course

pytestmark = pytest.mark.django_db

DJANGO_DEFAULTS = (
    "Bad Request (400)",
    "Mehr Information ist verfügbar",
    "Forbidden",
    "<h1>Not Found",
)


def assert_site_error_page(response, status: int, heading: str):
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    # the site's layout (base.html): header, skip link, main landmark, stylesheet
    assert 'class="site-header"' in body and 'id="inhalt"' in body and "css/site" in body
    assert f"<h1>{heading}</h1>" in body
    assert not any(default in body for default in DJANGO_DEFAULTS), body
    # nothing that would need 'unsafe-inline' under the site's Content Security Policy
    assert "<script" not in body and "<style" not in body and not re.search(r"\sstyle=", body)
    return body


def test_an_unknown_host_gets_the_german_400_page(client):
    # given a request for a host the site does not serve (DisallowedHost, before any site)
    # when it is answered
    response = client.get("/konto/anmelden/", HTTP_HOST="boese.example")
    # then it is the site's 400 page
    assert_site_error_page(response, 400, "Anfrage nicht verarbeitet")


def test_an_oversized_body_gets_the_german_400_page(client, settings):
    # given a limit on the request body
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    # when a form is posted with a larger body
    response = client.post("/konto/anmelden/", {"username": "x" * 5_000, "password": "y"})
    # then it is the site's 400 page
    assert_site_error_page(response, 400, "Anfrage nicht verarbeitet")


def test_too_many_fields_get_the_german_400_page(client, settings):
    # given a limit on the number of fields
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    # when a form is posted with more
    response = client.post("/konto/anmelden/", {f"feld{i}": "x" for i in range(20)})
    # then it is the site's 400 page
    assert_site_error_page(response, 400, "Anfrage nicht verarbeitet")


def test_a_csrf_failure_gets_the_german_403_page():
    # given a form posted without its token (a page left open overnight, cookies blocked)
    client = Client(enforce_csrf_checks=True)
    # when it is answered
    response = client.post("/konto/anmelden/", {"username": "a", "password": "b"})
    # then it is the site's page saying what to do, not Django's bare CSRF page
    assert_site_error_page(response, 403, "Formular abgelaufen")


def test_an_unknown_address_gets_the_german_404_page(client):
    response = client.get("/lernen/gibt-es-nicht/")
    assert_site_error_page(response, 404, "Seite nicht gefunden")


def test_a_wrong_method_gets_the_german_405_page(client):
    # given an address that only answers GET
    # when it is posted to
    response = client.post("/healthz")
    # then it is the site's 405 page, with the allowed methods still named
    assert_site_error_page(response, 405, "Aktion nicht möglich")
    assert response["Allow"] == "GET"


@pytest.mark.urls("tests.error_urls")
def test_a_bodiless_gone_answer_gets_the_german_410_page(client):
    # given an address that answers 410 without a body (a redirect to nowhere)
    # when it is opened
    response = client.get(GONE_PATH)
    # then it is the site's 410 page
    assert_site_error_page(response, 410, "Nicht mehr verfügbar")


@pytest.mark.usefixtures("_media")
def test_a_revoked_certificate_gets_a_410_page_in_the_layout_that_says_why(client):
    # given a participant whose certificate was revoked
    certificate = revoked_certificate()
    client.force_login(certificate.enrollment.user)
    # when they download it
    response = client.get(f"/zertifikate/{certificate.pk}/pdf/")
    # then the 410 page in the site's layout names the certificate and the reason
    body = assert_site_error_page(response, 410, "Zertifikat widerrufen")
    assert f"Das Zertifikat {certificate.serial} wurde am" in body
    assert "Irrtümlich ausgestellt." in body


def test_a_permission_error_gets_the_german_403_page(client, monkeypatch):
    # given a participant and a view that refuses
    client.force_login(UserFactory())
    monkeypatch.setattr("training.quizzes.selectors.category_progress", _raise(PermissionDenied))
    # when it answers
    response = client.get("/lernen/fortschritt/")
    # then it is the site's 403 page
    assert_site_error_page(response, 403, "Kein Zugriff")


def test_a_server_error_gets_the_german_500_page_in_the_layout(monkeypatch):
    # given a participant and a view that fails
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    monkeypatch.setattr(
        "training.quizzes.selectors.category_progress", _raise(RuntimeError("Testfehler"))
    )
    # when it answers
    response = client.get("/lernen/fortschritt/")
    # then it is the site's 500 page (no longer a bare page outside the layout)
    assert_site_error_page(response, 500, "Technischer Fehler")


@pytest.mark.parametrize(
    ("request_kwargs", "status", "heading"),
    [
        ({"path": "/konto/anmelden/", "HTTP_HOST": "boese.example"}, 400, "Request not processed"),
        ({"path": "/lernen/gibt-es-nicht/"}, 404, "Page not found"),
        ({"path": GONE_PATH}, 410, "No longer available"),
    ],
)
@pytest.mark.urls("tests.error_urls")
def test_error_pages_are_translated_to_english(client, request_kwargs, status, heading):
    # given a person who chose English
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    # when an error page answers
    response = client.get(**request_kwargs)
    # then it is in English
    body = assert_site_error_page(response, status, heading)
    assert '<html lang="en">' in body


@pytest.mark.usefixtures("_media")
def test_the_revoked_certificate_page_is_translated_to_english(client):
    certificate = revoked_certificate()
    client.force_login(certificate.enrollment.user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(f"/zertifikate/{certificate.pk}/pdf/")
    assert_site_error_page(response, 410, "Certificate revoked")


def test_the_csrf_page_is_translated_to_english():
    client = Client(enforce_csrf_checks=True)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/konto/anmelden/", {"username": "a", "password": "b"})
    assert_site_error_page(response, 403, "Form expired")


def _raise(error):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def revoked_certificate():
    """A participant's issued certificate, revoked by the Kursleitung."""
    from certificates.services import issue_certificate, revoke_certificate

    course, _section, _modules = make_course(modules=1)
    enrollment = enroll(UserFactory(), course)
    complete_course(enrollment)
    certificate = issue_certificate(enrollment_id=enrollment.pk).certificate
    return revoke_certificate(
        certificate_id=certificate.pk,
        reason="Irrtümlich ausgestellt.",
        revoked_by=UserFactory(is_superuser=True),
    )
