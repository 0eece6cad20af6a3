"""Organisation login with SAML 2.0: a pysaml2 identity provider made in the test posts real
signed responses to the platform's ACS URL."""

import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import escape

from accounts.models import ExternalIdentity
from accounts.sso.flow import SSO_MFA_SESSION_KEY, SSO_SESSION_KEY
from accounts.sso.services import LOGIN_FAILED, NO_SUBJECT
from tests.accounts.sso.saml_stand_in import (
    IDP_ENTITY_ID,
    MFA_CONTEXT,
    OTHER_SP_ENTITY_ID,
    make_idp,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
ACS = "/konto/sso/saml/acs/"
ATTRIBUTES = {
    "email": ["peter.beispiel@admin.example.ch"],
    "givenName": ["Peter"],
    "surname": ["Beispiel"],
    "department": ["Fachstelle Digitales"],
    "groups": ["akademie-trainer"],
}


def saml_entry(metadata: str, **overrides) -> dict:
    entry = {
        "key": "agov",
        "protocol": "saml",
        "label": "AGOV",
        "entity_id": IDP_ENTITY_ID,
        "metadata_xml": metadata,
        "attributes": {"organisation_unit": "department", "groups": "groups"},
        "groups": {"trainers": ["akademie-trainer"]},
        "mfa_authn_contexts": [MFA_CONTEXT],
    }
    entry.update(overrides)
    return entry


@pytest.fixture
def idp(settings, tmp_path, client):
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"
    # The SP's metadata, as the IdP's administrators download it from the platform.
    settings.SSO_PROVIDERS = []
    sp_metadata = client.get("/konto/sso/saml/metadata/").content.decode()
    idp = make_idp(
        tmp_path,
        sp_metadata=sp_metadata,
        acs_url="http://testserver/konto/sso/saml/acs/",
        sp_entity_id="http://testserver/konto/sso/saml/metadata/",
    )
    settings.SSO_PROVIDERS = [saml_entry(idp.metadata)]
    return idp


def start(client, idp, next_url=""):
    response = client.get("/konto/sso/saml/agov/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content[:500]
    return idp.read_request(response["Location"])


def saml_login(client, idp, subject="agov-7001", attributes=ATTRIBUTES, **options):
    request_id, relay_state = start(client, idp)
    saml_response = idp.response(
        in_response_to=request_id, subject=subject, attributes=attributes, **options
    )
    return client.post(
        ACS, {"SAMLResponse": saml_response, "RelayState": relay_state}
    ), saml_response


def sso_error(response) -> str:
    html = response.content.decode()
    at = html.index('id="sso-error"')
    return html[at : html.index("</div>", at)].split("<p>", 1)[1].split("</p>")[0]


def test_the_sp_metadata_names_entity_id_acs_and_signed_assertions(client, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://akademie.example.ch"
    xml = client.get("/konto/sso/saml/metadata/").content.decode()
    assert 'entityID="https://akademie.example.ch/konto/sso/saml/metadata/"' in xml
    assert 'Location="https://akademie.example.ch/konto/sso/saml/acs/"' in xml
    assert 'WantAssertionsSigned="true"' in xml


def test_a_signed_response_logs_in_and_creates_the_account_from_the_attributes(client, idp):
    response, _ = saml_login(client, idp)
    assert response.status_code == 302
    assert response["Location"] == "/lernen/"
    identity = ExternalIdentity.objects.get(provider="agov", subject="agov-7001")
    user = identity.user
    assert (user.first_name, user.last_name, user.email) == (
        "Peter",
        "Beispiel",
        "peter.beispiel@admin.example.ch",
    )
    assert identity.organisation_unit == "Fachstelle Digitales"
    assert list(user.groups.values_list("name", flat=True)) == ["Trainer:innen"]
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SSO_SESSION_KEY] == {"provider": "agov", "protocol": "saml"}
    assert SSO_MFA_SESSION_KEY not in client.session


def test_a_later_login_updates_the_account(idp):
    saml_login(Client(), idp)
    saml_login(Client(), idp, attributes={**ATTRIBUTES, "surname": ["Neuname"], "groups": []})
    user = ExternalIdentity.objects.get(subject="agov-7001").user
    assert user.last_name == "Neuname"
    assert not user.groups.exists()
    assert User.objects.count() == 1


def test_an_mfa_context_counts_as_second_factor_when_trusted(settings, idp):
    settings.SSO_PROVIDERS = [saml_entry(idp.metadata, trust_mfa=True)]
    client = Client()
    saml_login(client, idp, context=MFA_CONTEXT)
    assert client.session[SSO_MFA_SESSION_KEY] is True


# --- Refusals ---------------------------------------------------------------------------------


def assert_refused(response, text=LOGIN_FAILED):
    assert response.status_code in (400, 403)
    assert sso_error(response) == escape(str(text))
    assert User.objects.count() == 0
    assert ExternalIdentity.objects.count() == 0
    assert AccessAttempt.objects.get(username="sso:agov").failures_since_start >= 1


def test_an_unsigned_response_is_refused(client, idp):
    response, _ = saml_login(client, idp, signed=False)
    assert_refused(response)
    assert "_auth_user_id" not in client.session


def test_a_tampered_response_is_refused(client, idp):
    import base64

    request_id, relay_state = start(client, idp)
    signed = idp.response(in_response_to=request_id, subject="agov-7001", attributes=ATTRIBUTES)
    xml = base64.b64decode(signed).decode()
    assert "Beispiel" in xml
    tampered = base64.b64encode(xml.replace("Beispiel", "Anders").encode()).decode()
    response = client.post(ACS, {"SAMLResponse": tampered, "RelayState": relay_state})
    assert_refused(response)


def test_a_replayed_response_is_refused(idp):
    # given a response that logged someone in
    first = Client()
    response, saml_response = saml_login(first, idp)
    assert response.status_code == 302
    ExternalIdentity.objects.all().delete()
    User.objects.all().delete()
    # when it is posted again, in the same browser and in another one that started a login
    again = first.post(ACS, {"SAMLResponse": saml_response})
    other = Client()
    start(other, idp)
    elsewhere = other.post(ACS, {"SAMLResponse": saml_response})
    # then both are refused
    assert_refused(again)
    assert_refused(elsewhere)


def test_an_expired_response_is_refused(client, settings, tmp_path, idp):
    # given an IdP whose assertions expired longer ago than the allowed clock skew
    directory = tmp_path / "late"
    directory.mkdir()
    late = make_idp(
        directory,
        sp_metadata=Client().get("/konto/sso/saml/metadata/").content.decode(),
        acs_url=idp.acs_url,
        sp_entity_id=idp.sp_entity_id,
        lifetime_minutes=-(settings.SSO_CLOCK_SKEW_SECONDS // 60 + 5),
    )
    settings.SSO_PROVIDERS = [saml_entry(late.metadata)]
    # when its response arrives, then it is refused (pysaml2 reports expired conditions like
    # any failed condition, so the message is the general one)
    response, _ = saml_login(client, late)
    assert_refused(response)


def test_a_response_for_another_audience_is_refused(client, idp):
    # an IdP answering our request, but with an assertion for another application
    response, _ = saml_login(client, idp, audience=OTHER_SP_ENTITY_ID)
    assert_refused(response)


def test_a_transient_name_id_is_refused_without_a_subject_attribute(client, idp):
    from saml2.saml import NAMEID_FORMAT_TRANSIENT

    response, _ = saml_login(client, idp, name_id_format=NAMEID_FORMAT_TRANSIENT)
    assert_refused(response, NO_SUBJECT)


def test_no_assertion_is_logged(client, idp, caplog):
    caplog.set_level(logging.DEBUG)
    saml_login(client, idp)
    saml_login(Client(), idp, signed=False)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Assertion" not in logged.replace("SAML Assertion", "")
    assert "agov-7001" not in logged
    assert "peter.beispiel" not in logged


def test_logout_ends_the_local_session_and_the_idp_session_by_single_logout(client, idp):
    from urllib.parse import parse_qs, urlparse

    from saml2 import BINDING_HTTP_REDIRECT

    from tests.accounts.sso.saml_stand_in import SLO_URL

    # given a person logged in through the IdP
    saml_login(client, idp)
    # when they log out here
    response = client.post("/konto/abmelden/")
    # then the local session ends and the browser carries a LogoutRequest to the IdP
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"].startswith(SLO_URL + "?")
    query = parse_qs(urlparse(response["Location"]).query)
    request = idp.server.parse_logout_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
    assert request.message.name_id.text == "agov-7001"
    # and the IdP's answer at the SLO URL completes the logout
    answer = idp.server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
    binding = idp.server.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(answer),
        destination="http://testserver/konto/sso/saml/sls/",
        relay_state=query.get("RelayState", [""])[0],
        response=True,
    )
    back = dict(binding["headers"])["Location"]
    finished = client.get(back.replace("http://testserver", ""))
    assert finished.status_code == 302
    assert finished["Location"] == "/"
