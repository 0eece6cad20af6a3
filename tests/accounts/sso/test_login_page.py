"""The login page with the organisations' buttons, the local form switched off, the emergency
login for superusers, and what an account from the organisation login can do on its own."""

import re

import pytest
from django.test import Client

from accounts.models import ExternalIdentity
from accounts.sso.providers import parse_provider
from accounts.sso.views import EMERGENCY_ONLY_SUPERUSERS, LOCAL_LOGIN_OFF
from tests.accounts.sso.oidc_stand_in import oidc_login, oidc_provider_entry, seed_oidc_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Sicheres-Passwort-2026"


def saml_entry(**overrides):
    return {
        "key": "agov",
        "protocol": "saml",
        "label": "AGOV",
        "entity_id": "https://idp.agov.example/saml",
        "metadata_url": "https://idp.agov.example/metadata",
        **overrides,
    }


def buttons(response) -> list[tuple[str, str]]:
    return re.findall(r'<a class="button" href="([^"]+)">([^<]+)</a>', response.content.decode())


def test_one_button_per_provider_in_the_configured_order(client, settings):
    settings.SSO_PROVIDERS = [
        oidc_provider_entry("https://login.example", key="luzern", label="Kanton Luzern"),
        saml_entry(),
    ]
    page = client.get("/konto/anmelden/?next=/lernen/fortschritt/")
    assert page.status_code == 200
    assert buttons(page) == [
        ("/konto/sso/oidc/luzern/?next=%2Flernen%2Ffortschritt%2F", "Mit Kanton Luzern anmelden"),
        ("/konto/sso/saml/agov/?next=%2Flernen%2Ffortschritt%2F", "Mit AGOV anmelden"),
    ]
    assert 'name="password"' in page.content.decode()  # the local form is kept by default


def test_without_providers_the_page_is_the_local_form_only(client):
    page = client.get("/konto/anmelden/")
    assert buttons(page) == []
    assert 'name="password"' in page.content.decode()


def test_switched_off_the_local_form_is_gone_and_refuses_posts(client, settings):
    # given a deployment with organisation login only
    settings.SSO_PROVIDERS = [oidc_provider_entry("https://login.example")]
    settings.SSO_LOCAL_LOGIN = False
    UserFactory(username="lokal", password=PASSWORD)
    # then the page shows only the button, and a posted password does not log in
    page = client.get("/konto/anmelden/")
    assert 'name="password"' not in page.content.decode()
    assert len(buttons(page)) == 1
    posted = client.post("/konto/anmelden/", {"username": "lokal", "password": PASSWORD})
    assert posted.status_code == 403
    assert str(LOCAL_LOGIN_OFF) in posted.content.decode()
    assert "_auth_user_id" not in client.session
    # and Wagtail's admin login sends to the login page instead of asking for a password
    admin_login = client.get("/admin/login/?next=/admin/")
    assert admin_login.status_code == 302
    assert admin_login["Location"] == "/konto/anmelden/?next=%2Fadmin%2F"


def test_the_emergency_login_admits_superusers_only(settings):
    settings.SSO_LOCAL_LOGIN = False
    UserFactory(username="admin", password=PASSWORD, is_superuser=True, is_staff=True)
    UserFactory(username="lokal", password=PASSWORD)
    # a participant is refused with a German message
    participant = Client()
    refused = participant.post(
        "/konto/notfall-anmeldung/", {"username": "lokal", "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert str(EMERGENCY_ONLY_SUPERUSERS) in refused.content.decode()
    assert "_auth_user_id" not in participant.session
    # a superuser gets in, even with the local login switched off
    admin = Client()
    response = admin.post("/konto/notfall-anmeldung/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in admin.session


def test_the_emergency_login_counts_wrong_passwords_for_the_lockout(settings):
    settings.SSO_LOCAL_LOGIN = False
    UserFactory(username="admin", password=PASSWORD, is_superuser=True)
    client = Client()
    statuses = [
        client.post("/konto/notfall-anmeldung/", {"username": "admin", "password": "x"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"key": "Luzern!", "protocol": "oidc"}, "key"),
        ({"key": "lu", "protocol": "cas"}, "protocol"),
        ({"key": "lu", "protocol": "oidc", "discovery_url": "https://x"}, "client_id"),
        ({"key": "lu", "protocol": "saml", "metadata_url": "https://x"}, "entity_id"),
        ({"key": "lu", "protocol": "saml", "entity_id": "https://x"}, "metadata"),
        (
            {
                "key": "lu",
                "protocol": "oidc",
                "client_id": "c",
                "discovery_url": "https://x",
                "groups": {"admins": ["g"]},
            },
            "groups",
        ),
    ],
)
def test_a_wrong_provider_entry_is_named_at_once(entry, message):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=message):
        parse_provider(entry)


def test_an_account_from_the_organisation_login_can_erase_itself_without_a_password(
    settings, oidc_provider
):
    # given a person who only ever logged in through their organisation (no password here)
    settings.SSO_PROVIDERS = [oidc_provider_entry(oidc_provider)]
    seed_oidc_user(oidc_provider, "lu-9001", {"email": "a@lu.example.ch"})
    client = Client()
    oidc_login(client, "lu-9001")
    page = client.get("/konto/loeschen/")
    assert 'name="password"' not in page.content.decode()
    # when they confirm the erasure
    response = client.post("/konto/loeschen/", {"confirm": "on"})
    # then the account is erased and its link to the provider is gone
    assert response.status_code == 302
    assert not ExternalIdentity.objects.exists()


def test_the_move_command_re_keys_an_identity_and_refuses_a_taken_subject():
    from io import StringIO

    from django.core.management import CommandError, call_command

    from audit.models import AuditAction, AuditEntry

    user = UserFactory()
    ExternalIdentity.objects.create(provider="luzern", subject="alt", user=user)
    ExternalIdentity.objects.create(provider="luzern", subject="belegt", user=UserFactory())
    call_command("sso_move_identity", "luzern", "alt", "neu", stdout=StringIO())
    assert ExternalIdentity.objects.get(subject="neu").user == user
    assert AuditEntry.objects.filter(action=AuditAction.SSO_IDENTITY_MOVED, subject=user).exists()
    with pytest.raises(CommandError):
        call_command("sso_move_identity", "luzern", "neu", "belegt", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("sso_move_identity", "luzern", "gibt-es-nicht", "x", stdout=StringIO())
