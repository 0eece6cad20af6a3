"""Open Badges 3.0: every certificate is also an OpenBadgeCredential (VC-JWT, EdDSA).

Each credential is validated against 1EdTech's OB 3.0 JSON Schema (vendored in ``schemas/``)
and verified with PyJWT, an implementation independent of the one that signs (joserfc). The
status list is decoded here by hand, not with the module that encodes it.
"""

import base64
import gzip
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils import timezone

from certificates import credentials, services
from certificates.models import Certificate
from tests.certificates.conftest import complete, enroll_someone
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "ob_v3p0_achievementcredential_schema.json").read_text()
)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def issued(enrollment, course):
    complete(enrollment, course)
    return services.issue_certificate(enrollment_id=enrollment.pk).certificate


@pytest.fixture
def lead(django_user_model):
    return django_user_model.objects.create_superuser("chefin", "chefin@example.org", "x")


def published_key(client, token):
    """The public key named by the token's kid, from the published JWKS (never its header)."""
    kid = jwt.get_unverified_header(token)["kid"].rsplit("#", 1)[-1]
    jwks = client.get("/.well-known/jwks.json").json()
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == kid]
    return jwt.PyJWK(jwk, algorithm="EdDSA").key


def decode(client, token, **options):
    return jwt.decode(
        token,
        published_key(client, token),
        algorithms=["EdDSA"],
        options={"verify_sub": False, **options.pop("options", {})},
        **options,
    )


def validate(payload):
    jsonschema.Draft201909Validator(
        SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    ).validate(payload)


def bit(client, status):
    """Fetches the status list credential, verifies it with PyJWT and reads the bit by hand."""
    response = client.get(
        status["statusListCredential"].removeprefix("https://akademie.example.ch")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response["Cache-Control"] == "public, max-age=300"
    token = response.content.decode()
    status_list = decode(client, token)
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) * 8 >= 131_072
    index = int(status["statusListIndex"])
    return (raw[index // 8] >> (7 - index % 8)) & 1


def test_every_issued_credential_is_valid_against_1edtechs_schema(issued, course):
    # given a second certificate, of a course with a validity
    course.page.validity_months = 24
    course.page.save()
    other = enroll_someone(course, "zweite")
    complete(other, course)
    second = services.issue_certificate(enrollment_id=other.pk).certificate
    # then both credentials validate
    for certificate in (issued, second):
        _header, payload = credentials.decode_unverified(certificate.credential_jwt)
        validate(payload)
        assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert payload["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "validUntil" not in credentials.decode_unverified(issued.credential_jwt)[1]
    assert credentials.decode_unverified(second.credential_jwt)[1]["validUntil"].startswith(
        str(timezone.now().year + 2)
    )


def test_a_broken_credential_fails_the_schema(issued):
    # the schema check is not a formality: a credential without issuer fails it
    _header, payload = credentials.decode_unverified(issued.credential_jwt)
    del payload["issuer"]
    with pytest.raises(jsonschema.ValidationError):
        validate(payload)


def test_the_credential_says_who_what_and_when_without_the_email(client, issued, course):
    # when a second implementation verifies it with the published key
    payload = decode(client, issued.credential_jwt)
    # then
    header = jwt.get_unverified_header(issued.credential_jwt)
    assert header["alg"] == "EdDSA"
    assert header["kid"].startswith("https://akademie.example.ch/.well-known/jwks.json#")
    assert "d" not in header["jwk"]
    issuer = client.get("/zertifikate/aussteller/").json()
    assert payload["issuer"]["id"] == issuer["id"] == payload["iss"]
    assert payload["issuer"]["name"] == issuer["name"] == "Bürgerservice-Akademie"
    assert payload["jti"] == payload["id"] == f"urn:uuid:{issued.pk}"
    assert payload["nbf"] == int(issued.issued_at.timestamp())
    achievement = payload["credentialSubject"]["achievement"]
    assert achievement["name"] == "Experte für digitalen Bürgerservice"
    narrative = achievement["criteria"]["narrative"]
    for section in issued.sections:
        assert f"{section['title']}: {section['teaching_units']} UE" in narrative
    assert [e["name"] for e in payload["evidence"]] == [m.title for m in course.modules]
    assert (
        f"Seitenrevision {course.modules[0].live_revision_id}"
        in (payload["evidence"][0]["description"])
    )
    (identity,) = payload["credentialSubject"]["identifier"]
    assert identity["hashed"] is True
    assert identity["identityType"] == "emailAddress"
    expected = hashlib.sha256(("jw@example.org" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert (
        "jw@example.org"
        not in base64.urlsafe_b64decode(issued.credential_jwt.split(".")[1] + "==").decode()
    )


def test_a_tampered_credential_is_refused(client, issued):
    # given the payload with another holder's course
    header, payload, signature = issued.credential_jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["achievement"]["name"] = "Doktor der Verwaltung"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    token = f"{header}.{forged}.{signature}"
    # then the independent verifier refuses it
    with pytest.raises(jwt.InvalidSignatureError):
        decode(client, token)
    # and so does the verification page
    response = client.post(
        "/zertifikate/pruefen/", {"pdf": SimpleUploadedFile("n.jwt", token.encode())}
    )
    assert str(credentials.CREDENTIAL_BAD_SIGNATURE) in response.content.decode()
    assert issued.serial not in response.content.decode()


def test_a_credential_signed_with_another_key_is_refused(client, issued):
    # given the same claims signed by someone else's Ed25519 key (their jwk in the header)
    claims = credentials.decode_unverified(issued.credential_jwt)[1]
    header = jwt.get_unverified_header(issued.credential_jwt)
    token = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers=header)
    # then
    with pytest.raises(jwt.InvalidSignatureError):
        decode(client, token)
    response = client.post(
        "/zertifikate/pruefen/", {"pdf": SimpleUploadedFile("n.jwt", token.encode())}
    )
    assert str(credentials.CREDENTIAL_BAD_SIGNATURE) in response.content.decode()


def test_revocation_sets_the_credentials_status_bit(client, issued, lead, course):
    # given a second, valid certificate
    other = enroll_someone(course, "zweite")
    complete(other, course)
    second = services.issue_certificate(enrollment_id=other.pk).certificate
    status = decode(client, issued.credential_jwt)["credentialStatus"]
    second_status = decode(client, second.credential_jwt)["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert bit(client, status) == 0
    # when the first is revoked
    services.revoke_certificate(certificate_id=issued.pk, reason="Täuschung", revoked_by=lead)
    # then its bit is set, the other's is not
    assert bit(client, status) == 1
    assert bit(client, second_status) == 0


def test_an_expired_credential_is_invalid(client, issued, settings):
    # given a certificate whose validity has ended (as if time passed)
    payload = decode(client, issued.credential_jwt)
    course_page = issued.enrollment.course
    course_page.validity_months = 12
    course_page.save()
    other = enroll_someone_in(issued)
    token = other.credential_jwt
    # then a verifier a year and a day later refuses it as expired
    with pytest.raises(jwt.ExpiredSignatureError):
        decode(client, token, leeway=-timedelta(days=367), options={"verify_nbf": False})
    # and accepts it today
    assert decode(client, token)["jti"] == f"urn:uuid:{other.pk}"
    assert "exp" not in payload
    # the verification page says "abgelaufen" once the end date is past, not "widerrufen"
    Certificate.objects.filter(pk=other.pk).update(
        valid_until=timezone.now() - timedelta(minutes=1)
    )
    page = client.get(f"/zertifikate/pruefen/{other.token}/").content.decode()
    assert "Abgelaufen" in page
    assert "Widerrufen" not in page
    assert client.get(f"/zertifikate/pruefen/{other.token}/json/").json()["status"] == "expired"
    # and where the deployment wants it, the status list flags it too
    status = payload_of(other)["credentialStatus"]
    assert bit(client, status) == 0
    settings.CERTIFICATE_STATUS_LIST_EXPIRED = True
    assert bit(client, status) == 1


def enroll_someone_in(issued):
    from tests.certificates.conftest import Course

    course_page = issued.enrollment.course
    cohort = issued.enrollment.cohort
    from cms.models import ModulePage, SectionPage

    sections = list(SectionPage.objects.child_of(course_page).order_by("order"))
    modules = [m for s in sections for m in ModulePage.objects.child_of(s).order_by("path")]
    course = Course(page=course_page, sections=sections, modules=modules, cohort=cohort)
    other = enroll_someone(course, "spaeter")
    complete(other, course)
    return services.issue_certificate(enrollment_id=other.pk).certificate


def payload_of(certificate):
    return credentials.decode_unverified(certificate.credential_jwt)[1]


def test_the_validity_shows_on_the_verification_page_and_in_the_signed_payload(issued):
    course_page = issued.enrollment.course
    course_page.validity_months = 36
    course_page.save()
    other = enroll_someone_in(issued)
    assert other.valid_until.year == other.issued_at.year + 3
    assert json.loads(other.signed_payload)["valid_until"] == other.valid_until.isoformat()
    assert "valid_until" not in json.loads(issued.signed_payload)


def test_the_verification_page_accepts_the_credential_as_jwt_and_json(client, issued):
    # when the holder's .jwt is uploaded
    response = client.post(
        "/zertifikate/pruefen/",
        {"pdf": SimpleUploadedFile("n.jwt", issued.credential_jwt.encode())},
    )
    page = response.content.decode()
    assert "Der digitale Nachweis ist echt" in page
    assert issued.serial in page
    # and the readable .json, unchanged
    readable = json.dumps(payload_of(issued)).encode()
    page = client.post(
        "/zertifikate/pruefen/", {"pdf": SimpleUploadedFile("n.json", readable)}
    ).content.decode()
    assert "Der digitale Nachweis ist echt" in page
    # a changed .json is refused
    changed = payload_of(issued)
    changed["validFrom"] = "2020-01-01T00:00:00Z"
    page = client.post(
        "/zertifikate/pruefen/",
        {"pdf": SimpleUploadedFile("n.json", json.dumps(changed).encode())},
    ).content.decode()
    assert str(credentials.CREDENTIAL_BAD_SIGNATURE) in page
    assert issued.serial not in page


@pytest.mark.parametrize(
    "content",
    [b"eyJ.kaputt", b"{nicht json", b'{"id": "urn:uuid:00000000-0000-0000-0000-000000000000"}'],
)
def test_malformed_or_unknown_credentials_get_a_german_message(client, issued, content):
    response = client.post("/zertifikate/pruefen/", {"pdf": SimpleUploadedFile("n.jwt", content)})
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Nicht echt" in page
        or "kein digitaler Nachweis" in page
        or "nicht im Zertifikats" in (page)
    )
    assert issued.serial not in page


def test_the_holder_downloads_the_credential_and_nobody_else(client, issued, lead):
    client.force_login(issued.enrollment.user)
    response = client.get(f"/zertifikate/{issued.pk}/nachweis.jwt")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response.content.decode() == issued.credential_jwt
    assert f'filename="Nachweis-{issued.serial}.jwt"' in response["Content-Disposition"]
    readable = client.get(f"/zertifikate/{issued.pk}/nachweis.json")
    assert readable.json() == payload_of(issued)
    assert client.get(f"/zertifikate/{issued.pk}/nachweis.exe").status_code == 404
    # someone else
    client.force_login(UserFactory(username="neugierig"))
    assert client.get(f"/zertifikate/{issued.pk}/nachweis.jwt").status_code == 404
    # revoked
    services.revoke_certificate(certificate_id=issued.pk, reason="Täuschung", revoked_by=lead)
    client.force_login(issued.enrollment.user)
    assert client.get(f"/zertifikate/{issued.pk}/nachweis.jwt").status_code == 410


def test_mein_lernstand_offers_the_credential_next_to_the_pdf(rf, issued):
    request = rf.get("/")
    request.user = issued.enrollment.user
    html = Template("{% load certificate_tags %}{% certificate_status enrollment %}").render(
        Context({"enrollment": issued.enrollment, "request": request})
    )
    assert f"/zertifikate/{issued.pk}/pdf/" in html
    assert f"/zertifikate/{issued.pk}/nachweis.jwt" in html
    assert f"/zertifikate/{issued.pk}/nachweis.json" in html


def test_the_status_list_refuses_absurd_list_numbers(client):
    assert client.get("/zertifikate/status/99999999/").status_code == 404
