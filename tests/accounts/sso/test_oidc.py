"""Organisation login with OpenID Connect, against oidc-provider-mock on loopback."""

import logging
from urllib.parse import parse_qs, urlparse

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import ExternalIdentity
from accounts.services import erase_account, export_personal_data
from accounts.sso.flow import SSO_MFA_SESSION_KEY, SSO_SESSION_KEY
from accounts.sso.services import (
    LOCKED_OUT,
    LOGIN_EXPIRED,
    LOGIN_FAILED,
    SUBJECT_CONFLICT,
    move_external_identity,
)
from audit.models import AuditAction, AuditEntry
from tests.accounts.sso.oidc_stand_in import (
    now,
    oidc_login,
    oidc_provider_entry,
    seed_oidc_user,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PROVIDER_LOGGERS = ("authlib", "werkzeug", "oidc_provider_mock")
User = get_user_model()

CLAIMS = {
    "email": "anna.muster@lu.example.ch",
    "given_name": "Anna",
    "family_name": "Muster",
    "department": "Einwohnerdienste",
    "groups": [],
}


def sso_error(response) -> str:
    html = response.content.decode()
    start = html.index('id="sso-error"')
    return html[start : html.index("</div>", start)].split("<p>", 1)[1].split("</p>")[0]


def message(text) -> str:
    from django.utils.html import escape

    return escape(str(text))


@pytest.fixture
def luzern(settings, oidc_provider):
    settings.SSO_PROVIDERS = [oidc_provider_entry(oidc_provider)]
    return oidc_provider


@pytest.fixture
def relayed(settings, oidc_provider, token_relay):
    """Luzern, its tokens passing through the relay (which can change and re-sign them)."""
    settings.SSO_PROVIDERS = [oidc_provider_entry(oidc_provider, endpoints=token_relay.endpoints())]
    return token_relay


def test_first_login_creates_the_account_from_the_claims_and_lands_on_the_dashboard(client, luzern):
    # given a person at the provider
    seed_oidc_user(luzern, "lu-1001", CLAIMS)
    # when they log in with the Luzern button
    login = oidc_login(client, "lu-1001")
    # then the request to the provider carried state, nonce and a PKCE S256 challenge
    sent = parse_qs(urlparse(login.start["Location"]).query)
    assert sent["response_type"] == ["code"]
    assert sent["code_challenge_method"] == ["S256"]
    assert len(sent["code_challenge"][0]) == 43
    assert len(sent["state"][0]) >= 32 and len(sent["nonce"][0]) >= 32
    assert sent["redirect_uri"] == ["http://testserver/konto/sso/oidc/callback/"]
    # and they land on "Mein Lernstand", logged in to a new account with name and email
    assert login.response.status_code == 302
    assert login.response["Location"] == "/lernen/"
    identity = ExternalIdentity.objects.get(provider="luzern", subject="lu-1001")
    user = identity.user
    assert (user.first_name, user.last_name, user.email) == (
        "Anna",
        "Muster",
        "anna.muster@lu.example.ch",
    )
    assert user.username.startswith("luzern-") and "anna" not in user.username
    assert not user.has_usable_password()
    assert identity.organisation_unit == "Einwohnerdienste"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SSO_SESSION_KEY] == {"provider": "luzern", "protocol": "oidc"}
    assert "oidc_states" not in client.session or client.session["oidc_states"] == {}
    assert client.get("/lernen/").status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.SSO_ACCOUNT_CREATED, subject=user).exists()


def test_a_later_login_updates_name_and_email_on_the_same_account(luzern):
    # given a person who logged in once
    seed_oidc_user(luzern, "lu-1002", CLAIMS)
    oidc_login(Client(), "lu-1002")
    user = ExternalIdentity.objects.get(subject="lu-1002").user
    # when their name and email change at the provider and they log in again
    seed_oidc_user(
        luzern,
        "lu-1002",
        {**CLAIMS, "family_name": "Beispiel", "email": "anna.beispiel@lu.example.ch"},
    )
    login = oidc_login(Client(), "lu-1002")
    # then the same account carries the new name and email
    assert login.response.status_code == 302
    user.refresh_from_db()
    assert (user.last_name, user.email) == ("Beispiel", "anna.beispiel@lu.example.ch")
    assert ExternalIdentity.objects.filter(subject="lu-1002").count() == 1
    assert User.objects.filter(email__startswith="anna.").count() == 1


def test_the_same_email_at_a_second_provider_is_a_new_account_never_a_merge(
    settings, oidc_provider
):
    # given two providers, and a local account with the same email too
    settings.SSO_PROVIDERS = [
        oidc_provider_entry(oidc_provider, key="luzern"),
        oidc_provider_entry(oidc_provider, key="zug", label="Kanton Zug"),
    ]
    local = UserFactory(username="anna-lokal", email=CLAIMS["email"])
    seed_oidc_user(oidc_provider, "same-person", CLAIMS)
    # when the person logs in through each provider, with the same email
    oidc_login(Client(), "same-person", provider_key="luzern")
    oidc_login(Client(), "same-person", provider_key="zug")
    # then each provider's identity has its own new account; the local one is untouched
    luzern_user = ExternalIdentity.objects.get(provider="luzern").user
    zug_user = ExternalIdentity.objects.get(provider="zug").user
    assert len({luzern_user.pk, zug_user.pk, local.pk}) == 3
    assert not ExternalIdentity.objects.filter(user=local).exists()


def test_a_changed_subject_creates_no_silent_duplicate(luzern):
    # given a person who logged in, and whose provider later re-created their directory entry
    seed_oidc_user(luzern, "lu-alt", CLAIMS)
    oidc_login(Client(), "lu-alt")
    existing = ExternalIdentity.objects.get(subject="lu-alt").user
    seed_oidc_user(luzern, "lu-neu", CLAIMS)
    # when they log in under the new subject
    client = Client()
    login = oidc_login(client, "lu-neu")
    # then the login is refused with a German message, no account is created, it is audited
    assert login.response.status_code == 403
    assert sso_error(login.response) == message(SUBJECT_CONFLICT)
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(
        action=AuditAction.SSO_SUBJECT_CONFLICT, subject=existing
    ).exists()
    # and once the Kursleitung moves the identity, the new subject reaches the old account
    move_external_identity(provider_key="luzern", old_subject="lu-alt", new_subject="lu-neu")
    again = Client()
    assert oidc_login(again, "lu-neu").response.status_code == 302
    assert again.session["_auth_user_id"] == str(existing.pk)


def test_groups_map_to_roles_at_each_login_and_every_change_is_audited(luzern):
    # given a person in the provider's trainer group
    seed_oidc_user(luzern, "lu-1003", {**CLAIMS, "groups": ["lernplattform-trainer", "x"]})
    oidc_login(Client(), "lu-1003")
    user = ExternalIdentity.objects.get(subject="lu-1003").user
    trainers = Group.objects.get(name="Trainer:innen")
    assert list(user.groups.all()) == [trainers]
    granted = AuditEntry.objects.get(action=AuditAction.SSO_MAPPING_CHANGED, subject=user)
    assert granted.details["granted"] == ["Trainer:innen"]
    # when the provider moves them to the lead group and another unit
    seed_oidc_user(
        luzern,
        "lu-1003",
        {**CLAIMS, "groups": ["lernplattform-leitung"], "department": "Steuern"},
    )
    oidc_login(Client(), "lu-1003")
    # then the next login changes the roles and the unit, and records it
    assert list(user.groups.values_list("name", flat=True)) == ["Kursleitung"]
    change = AuditEntry.objects.filter(action=AuditAction.SSO_MAPPING_CHANGED).first()
    assert change.details == {
        "provider": "luzern",
        "granted": ["Kursleitung"],
        "withdrawn": ["Trainer:innen"],
        "organisation_unit": {"from": "Einwohnerdienste", "to": "Steuern"},
    }
    assert ExternalIdentity.objects.get(subject="lu-1003").organisation_unit == "Steuern"


@pytest.mark.second_factor
def test_an_editor_needs_the_second_factor_unless_the_provider_asserts_mfa_and_is_trusted(
    settings, oidc_provider
):
    # given a trainer from a provider that is not trusted for MFA
    settings.SSO_PROVIDERS = [oidc_provider_entry(oidc_provider, trust_mfa=False)]
    claims = {**CLAIMS, "groups": ["lernplattform-trainer"], "amr": ["pwd", "mfa"]}
    seed_oidc_user(oidc_provider, "lu-1004", claims)
    untrusted = Client()
    oidc_login(untrusted, "lu-1004")
    # then the admin asks for the second factor
    assert untrusted.get("/admin/")["Location"].startswith("/konto/zwei-faktor/")
    # when the deployment trusts the provider's MFA
    settings.SSO_PROVIDERS = [oidc_provider_entry(oidc_provider, trust_mfa=True)]
    trusted = Client()
    oidc_login(trusted, "lu-1004")
    # then the asserted MFA counts as the second factor
    assert trusted.session[SSO_MFA_SESSION_KEY] is True
    assert trusted.get("/admin/").status_code == 200
    # and without "mfa" in amr it does not
    seed_oidc_user(oidc_provider, "lu-1004", {**claims, "amr": ["pwd"]})
    password_only = Client()
    oidc_login(password_only, "lu-1004")
    assert SSO_MFA_SESSION_KEY not in password_only.session
    assert password_only.get("/admin/")["Location"].startswith("/konto/zwei-faktor/")


# --- Refusals: German message, no account created or changed, counted for the lockout --------


def assert_refused(login, text, *, status=403):
    assert login.response.status_code == status
    assert sso_error(login.response) == message(text)
    assert User.objects.count() == 0
    assert ExternalIdentity.objects.count() == 0


def test_a_wrong_state_is_refused(client, luzern):
    seed_oidc_user(luzern, "lu-2001", CLAIMS)
    login = oidc_login(client, "lu-2001", tamper=lambda q: {**q, "state": "x" * 32})
    assert_refused(login, LOGIN_FAILED, status=400)
    assert AccessAttempt.objects.get(username="sso:oidc").failures_since_start == 1


def test_a_replayed_callback_is_refused(luzern):
    # given a completed login
    seed_oidc_user(luzern, "lu-2002", CLAIMS)
    client = Client()
    login = oidc_login(client, "lu-2002")
    assert login.response.status_code == 302
    # when the same callback URL (code and state) is sent again, in another browser
    replay = Client().get(login.callback_url)
    # then it is refused: the state belongs to no session there
    assert replay.status_code == 400
    assert sso_error(replay) == message(LOGIN_FAILED)


def test_the_relay_passes_an_unchanged_token(client, oidc_provider, relayed):
    # the baseline for the refusals below: re-signed with the published key, the login works
    seed_oidc_user(oidc_provider, "lu-3000", CLAIMS)
    login = oidc_login(client, "lu-3000")
    assert login.response.status_code == 302
    assert ExternalIdentity.objects.filter(subject="lu-3000").exists()


@pytest.mark.parametrize(
    ("change", "foreign_key", "expected"),
    [
        (lambda c: {**c, "nonce": "a-nonce-from-another-login-0123456789"}, False, LOGIN_FAILED),
        (None, True, LOGIN_FAILED),
        (lambda c: {**c, "iat": now() - 7200, "exp": now() - 3600}, False, LOGIN_EXPIRED),
        (lambda c: {**c, "aud": "another-application"}, False, LOGIN_FAILED),
        (lambda c: {**c, "iss": "http://localhost:1"}, False, LOGIN_FAILED),
        (lambda c: {k: v for k, v in c.items() if k != "exp"}, False, LOGIN_FAILED),
    ],
    ids=["wrong-nonce", "foreign-key", "expired", "wrong-audience", "wrong-issuer", "no-exp"],
)
def test_a_token_that_fails_a_check_is_refused(
    client, oidc_provider, relayed, change, foreign_key, expected
):
    # given the provider's answer changed in one respect
    seed_oidc_user(oidc_provider, "lu-3001", CLAIMS)
    relayed.change = change
    relayed.sign_with_foreign_key = foreign_key
    # when the person logs in
    login = oidc_login(client, "lu-3001")
    # then the login is refused with a German message and nothing is created
    assert_refused(login, expected)
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="sso:luzern").failures_since_start == 1


def test_refused_logins_lock_the_provider_for_the_address(client, settings, oidc_provider, relayed):
    seed_oidc_user(oidc_provider, "lu-3002", CLAIMS)
    relayed.sign_with_foreign_key = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        oidc_login(client, "lu-3002")
    # when the person tries again, even with a valid answer
    relayed.sign_with_foreign_key = False
    locked = client.get("/konto/sso/oidc/luzern/")
    # then the start page is refused with the lockout message
    assert locked.status_code == 429
    assert sso_error(locked) == message(LOCKED_OUT % {"minutes": 15})


def test_no_token_is_logged(client, oidc_provider, relayed, caplog):
    seed_oidc_user(oidc_provider, "lu-3003", CLAIMS)
    caplog.set_level(logging.DEBUG)
    oidc_login(client, "lu-3003")
    relayed.sign_with_foreign_key = True
    oidc_login(Client(), "lu-3003")
    assert len(relayed.id_tokens) == 2
    # (the stand-in provider in this process logs through authlib and werkzeug: not ours)
    ours = [r for r in caplog.records if not r.name.startswith(PROVIDER_LOGGERS)]
    for token in relayed.id_tokens:
        leaking = [r.name for r in ours if token.split(".")[1] in r.getMessage()]
        assert leaking == []


def test_an_unknown_provider_is_not_found(client, luzern):
    assert client.get("/konto/sso/oidc/gibt-es-nicht/").status_code == 404


# --- Logout, privacy --------------------------------------------------------------------------


def test_logout_ends_the_local_session_and_the_providers(client, luzern):
    seed_oidc_user(luzern, "lu-4001", CLAIMS)
    oidc_login(client, "lu-4001")
    id_token = client.session["oidc_id_token"]
    # when the person logs out
    response = client.post("/konto/abmelden/")
    # then the local session is gone and the browser goes on to the provider's end session
    assert "_auth_user_id" not in client.session
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == luzern
    query = parse_qs(location.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]


def test_the_data_download_lists_the_external_identity_and_erasure_removes_it(luzern):
    seed_oidc_user(luzern, "lu-5001", CLAIMS)
    oidc_login(Client(), "lu-5001")
    user = ExternalIdentity.objects.get(subject="lu-5001").user
    # the download lists it
    record = export_personal_data(user=user)["records"]["accounts.externalidentity"]
    assert [(i["provider"], i["subject"]) for i in record["items"]] == [("luzern", "lu-5001")]
    # erasure removes it; the next login at the provider starts a new, empty account
    erase_account(user=user, actor=user)
    assert not ExternalIdentity.objects.exists()
    assert oidc_login(Client(), "lu-5001").response.status_code == 302
    assert ExternalIdentity.objects.get(subject="lu-5001").user_id != user.pk
