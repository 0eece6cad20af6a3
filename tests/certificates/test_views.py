import hashlib
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse

from certificates import services, signing
from certificates.views import UPLOAD_NOT_PDF
from tests.certificates.conftest import complete
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(enrollment, course):
    complete(enrollment, course)
    return services.issue_certificate(enrollment_id=enrollment.pk).certificate


@pytest.fixture
def revoked(issued, django_user_model):
    lead = django_user_model.objects.create_superuser("chefin", "chefin@example.org", "x")
    return services.revoke_certificate(
        certificate_id=issued.pk, reason="Identität nicht bestätigt", revoked_by=lead
    )


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def pdf_bytes(certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def test_the_qr_link_shows_a_valid_certificate_and_nothing_more(client, issued):
    # when someone follows the link of the QR code
    response = client.get(f"/zertifikate/pruefen/{issued.token}/")
    # then it says valid, with holder, course and issue date only
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gültig" in html
    assert "Jürgen Weißmüller-Größ" in html
    assert "Experte für digitalen Bürgerservice" in html
    assert issued.serial in html
    assert "jw@example.org" not in html and "juergen" not in html
    assert "Digitale Service-Expertise" not in html  # sections stay on the certificate
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: c.display_code,
        lambda c: c.code.lower(),
        lambda c: " " + c.display_code.replace("0", "O").replace("1", "l") + " ",
    ],
    ids=["printed", "lowercase", "misread-letters"],
)
def test_the_short_code_is_found_however_it_is_typed(client, issued, typed):
    response = client.get(reverse("certificates:verify", args=[typed(issued)]))
    assert response.status_code == 200
    assert issued.serial in response.content.decode()


def test_typing_the_code_in_the_form_leads_to_the_result(client, issued):
    response = client.get("/zertifikate/pruefen/", {"code": issued.display_code})
    assert response.status_code == 302
    assert response["Location"] == f"/zertifikate/pruefen/{issued.display_code}/"


@pytest.mark.parametrize("code", ["K7Q2-M8XH-4TC9", "kurz", "x" * 200, "%3Cscript%3E"])
def test_unknown_or_malformed_codes_get_a_friendly_german_404(client, issued, code):
    response = client.get(f"/zertifikate/pruefen/{code}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Zertifikat nicht gefunden" in html
    assert "<script>" not in html


def test_a_revoked_certificate_shows_date_and_reason(client, revoked):
    response = client.get(f"/zertifikate/pruefen/{revoked.token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Widerrufen am" in html
    assert "Identität nicht bestätigt" in html
    assert "Gültig" not in html


def test_the_json_variant_carries_the_signed_payload(client, issued):
    # when a machine asks
    response = client.get(f"/zertifikate/pruefen/{issued.display_code}/json/")
    # then it gets the same facts and what it needs to verify the signature offline
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "serial", "holder", "course", "revoked_on")} == {
        "status": "valid",
        "serial": issued.serial,
        "holder": "Jürgen Weißmüller-Größ",
        "course": "Experte für digitalen Bürgerservice",
        "revoked_on": None,
    }
    assert body["signed"]["jwks"] == "http://testserver/zertifikate/jwks.json"
    jwks = client.get("/zertifikate/jwks.json").json()
    assert signing.verify(
        body["signed"]["payload"].encode(), body["signed"]["signature"], jwks, body["signed"]["kid"]
    )
    assert (
        json.loads(body["signed"]["payload"])["pdf_sha256"]
        == hashlib.sha256(pdf_bytes(issued)).hexdigest()
    )


def test_the_json_variant_answers_404_for_unknown_codes(client, issued):
    response = client.get("/zertifikate/pruefen/0000-0000-0000/json/")
    assert response.status_code == 404
    assert response.json() == {"status": "unknown"}


def test_the_jwks_is_also_at_the_well_known_address(client, settings):
    # given a retired key still published
    settings.CERTIFICATE_RETIRED_PUBLIC_KEYS = [signing.b64url(b"\x01" * 32)]
    # when both addresses are asked
    well_known = client.get("/.well-known/jwks.json").json()
    app = client.get("/zertifikate/jwks.json").json()
    # then both list the current key first, then the retired one
    assert well_known == app
    current = signing.signing_key()
    assert [k["x"] for k in well_known["keys"]] == [
        signing.b64url(current.public_bytes),
        signing.b64url(b"\x01" * 32),
    ]
    assert well_known["keys"][0] == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": signing.b64url(current.public_bytes),
        "kid": current.key_id,
        "use": "sig",
        "alg": "EdDSA",
    }


def test_verification_is_rate_limited_per_address(client, issued, settings):
    # given a limit of three lookups a minute
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 3
    url = f"/zertifikate/pruefen/{issued.display_code}/"
    # when a fourth lookup comes from the same address
    statuses = [client.get(url).status_code for _ in range(4)]
    # then it is refused in German, while another address still gets through
    assert statuses == [200, 200, 200, 429]
    refused = client.get(url)
    assert "Zu viele Anfragen" in refused.content.decode()
    assert refused["Retry-After"] == "60"
    assert client.get(url, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(client, issued, settings):
    # given one trusted reverse proxy (every request arrives from its address) and a limit of 2
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 2
    url = f"/zertifikate/pruefen/{issued.display_code}/"

    def lookup(client_address, claimed=""):
        forwarded = f"{claimed}, {client_address}" if claimed else client_address
        return client.get(url, REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR=forwarded).status_code

    # when one client uses up its allowance, also claiming other addresses in the header
    first = [lookup("203.0.113.7"), lookup("203.0.113.7", claimed="198.51.100.1")]
    third = lookup("203.0.113.7", claimed="198.51.100.2")
    # then that client is refused, and another client behind the same proxy is not
    assert first == [200, 200]
    assert third == 429
    assert lookup("203.0.113.8") == 200


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, issued, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 1
    url = f"/zertifikate/pruefen/{issued.display_code}/"
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    # a different claimed address does not open a new bucket
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_all_clients_together_meet_a_global_ceiling(client, issued, settings):
    # given a high limit per address and a global ceiling of 3 lookups a minute
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 100
    settings.CERTIFICATE_VERIFY_GLOBAL_RATE_LIMIT = 3
    url = f"/zertifikate/pruefen/{issued.display_code}/"
    # when lookups come from ever new addresses
    statuses = [client.get(url, REMOTE_ADDR=f"10.0.1.{i}").status_code for i in range(1, 6)]
    # then the fourth and later are refused all the same
    assert statuses == [200, 200, 200, 429, 429]


def test_uploading_the_genuine_pdf_confirms_it(client, issued):
    upload = SimpleUploadedFile("z.pdf", pdf_bytes(issued), content_type="application/pdf")
    response = client.post("/zertifikate/pruefen/", {"pdf": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Die Datei ist unverändert" in html
    assert issued.serial in html


def test_uploading_an_edited_pdf_reports_it_as_not_genuine(client, issued):
    # given the PDF with the name changed in its metadata (one byte is enough)
    edited = pdf_bytes(issued).replace(b"Zertifikat", b"Zertifikas", 1)
    upload = SimpleUploadedFile("z.pdf", edited, content_type="application/pdf")
    # when it is uploaded
    response = client.post("/zertifikate/pruefen/", {"pdf": upload})
    # then it is reported as not genuine
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nicht echt" in html
    assert issued.serial not in html


def test_uploading_something_else_is_refused_with_a_german_message(client, issued):
    upload = SimpleUploadedFile("z.pdf", b"GIF89a...", content_type="application/pdf")
    response = client.post("/zertifikate/pruefen/", {"pdf": upload})
    assert response.status_code == 200
    assert str(UPLOAD_NOT_PDF) in response.content.decode()


def test_the_holder_downloads_their_own_certificate(client, issued):
    client.force_login(issued.enrollment.user)
    response = client.get(f"/zertifikate/{issued.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="Zertifikat-{issued.serial}.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == pdf_bytes(issued)


def test_nobody_else_downloads_it(client, issued):
    client.force_login(UserFactory(username="neugierig"))
    assert client.get(f"/zertifikate/{issued.pk}/pdf/").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client, issued):
    response = client.get(f"/zertifikate/{issued.pk}/pdf/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/")


def test_a_revoked_certificate_cannot_be_downloaded_and_says_why(client, revoked):
    client.force_login(revoked.enrollment.user)
    response = client.get(f"/zertifikate/{revoked.pk}/pdf/")
    assert response.status_code == 410
    html = response.content.decode()
    assert f"Das Zertifikat {revoked.serial} wurde am" in html
    assert "Identität nicht bestätigt" in html


def render_status(enrollment) -> str:
    template = Template("{% load certificate_tags %}{% certificate_status enrollment %}")
    return template.render(Context({"enrollment": enrollment}))


def test_the_status_tag_shows_nothing_before_completion(enrollment, course):
    complete(enrollment, course, except_last=True)
    assert render_status(enrollment).strip() == ""


def test_the_status_tag_shows_pending_then_the_download(enrollment, course):
    # given a completed enrollment whose certificate is not issued yet
    complete(enrollment, course)
    enrollment.refresh_from_db()
    # then the dashboard says it is being made
    assert "Zertifikat wird erstellt …" in render_status(enrollment)
    # and once issued it links the download
    certificate = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    html = render_status(enrollment)
    assert f'href="/zertifikate/{certificate.pk}/pdf/"' in html
    assert "wird erstellt" not in html


def test_the_dashboard_shows_the_certificate(client, issued):
    client.force_login(issued.enrollment.user)
    response = client.get("/lernen/")
    assert f"/zertifikate/{issued.pk}/pdf/" in response.content.decode()
