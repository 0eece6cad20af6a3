"""Forgotten password: a one-time link by email, German throughout, telling nobody whether an
address has an account."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from accounts.services import PASSWORD_RESET_EMAILS_PER_HOUR
from tests.accounts.test_lockout import LOCKED_MESSAGE, attempt, non_field_errors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Rathausplatz-Schalter-7"
TOO_SHORT = "Dieses Passwort ist zu kurz. Es muss mindestens 12 Zeichen enthalten."
LINK = re.compile(r"https?://\S+/konto/passwort-neu/[^/\s]+/[^/\s]+/")


@pytest.fixture
def person(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://akademie.example.ch"
    user = UserFactory(
        username="muster", first_name="Hans", last_name="Muster", email="hans@example.org"
    )
    # The allowance of reset emails per account lives in the shared cache (an earlier run may
    # have used it up for the same id).
    cache.delete(f"accounts:password-reset:{user.pk}")
    return user


def request_link(client, email, capture):
    with capture(execute=True):
        return client.post("/konto/passwort-vergessen/", {"email": email})


def test_the_login_page_links_to_the_password_reset(client):
    html = client.get("/konto/anmelden/").content.decode()
    assert '<a href="/konto/passwort-vergessen/">Passwort vergessen?</a>' in html


def test_a_forgotten_password_is_replaced_with_the_emailed_link_once(
    client, person, django_capture_on_commit_callbacks
):
    # given the reset page, opened anonymously
    page = client.get("/konto/passwort-vergessen/")
    assert page.status_code == 200
    assert "<h1>Passwort vergessen</h1>" in page.content.decode()
    # when the person gives their address (in other letter case)
    response = request_link(client, "Hans@Example.org", django_capture_on_commit_callbacks)
    # then the page says an email is on its way, and it is: German, with a one-time link
    assert response.status_code == 302
    assert response.headers["Location"] == "/konto/passwort-vergessen/gesendet/"
    done = client.get(response.headers["Location"])
    assert "Bitte prüfen Sie Ihr Postfach" in done.content.decode()
    (email,) = mail.outbox
    assert email.to == ["hans@example.org"]
    assert email.subject == "Neues Passwort für die Bürgerservice-Akademie"
    assert email.body.startswith("Guten Tag Hans Muster\n")
    assert "Über diesen Link legen Sie es fest:" in email.body
    assert "Ihr Benutzername: muster" in email.body
    assert "Ihr bisheriges Passwort bleibt gültig." in email.body
    link = LINK.search(email.body).group(0)
    assert link.startswith("https://akademie.example.ch/konto/passwort-neu/")

    # when they open the link: the token moves into the session, out of the address bar
    path = link.removeprefix("https://akademie.example.ch")
    opened = client.get(path)
    assert opened.status_code == 302
    form_url = opened.headers["Location"]
    assert form_url.endswith("/set-password/")
    form_page = client.get(form_url).content.decode()
    assert "Neues Passwort festlegen" in form_page
    assert 'autocomplete="new-password"' in form_page
    # and set a new password
    saved = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    # then it is saved, and they log in with it (no automatic login)
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/konto/passwort-neu/fertig/"
    assert (
        "Ihr neues Passwort ist gespeichert."
        in client.get(saved.headers["Location"]).content.decode()
    )
    assert "_auth_user_id" not in client.session
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert client.login(username="muster", password=NEW_PASSWORD)
    client.logout()

    # when the link is opened a second time
    again = client.get(path)
    # then it no longer works
    assert again.status_code == 200
    assert "Dieser Link gilt nicht mehr." in again.content.decode()
    assert 'href="/konto/passwort-vergessen/"' in again.content.decode()


def test_a_short_password_is_refused_with_the_german_message(
    client, person, django_capture_on_commit_callbacks
):
    # given an opened reset link
    request_link(client, "hans@example.org", django_capture_on_commit_callbacks)
    path = LINK.search(mail.outbox[0].body).group(0).removeprefix("https://akademie.example.ch")
    form_url = client.get(path).headers["Location"]
    # when the new password is too short
    response = client.post(form_url, {"new_password1": "Kurz-1234", "new_password2": "Kurz-1234"})
    # then the form says why, in German, with the error linked to its field
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#id_new_password1">{TOO_SHORT}</a>' in html
    assert 'aria-invalid="true"' in html
    person.refresh_from_db()
    assert person.check_password("Sicheres-Passwort-2026")
    # and two different passwords are refused too
    response = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    assert "Die beiden Passwörter sind nicht identisch." in response.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client, person, django_capture_on_commit_callbacks
):
    # when someone asks for an address without an account, and for one with an account
    unknown = request_link(client, "niemand@example.org", django_capture_on_commit_callbacks)
    assert mail.outbox == []
    known = request_link(client, "hans@example.org", django_capture_on_commit_callbacks)
    # then both get the same answer, and only the account's owner gets an email
    assert (unknown.status_code, unknown.headers["Location"]) == (
        known.status_code,
        known.headers["Location"],
    )
    assert [m.to for m in mail.outbox] == [["hans@example.org"]]


@pytest.mark.parametrize("kind", ["inactive", "without password"])
def test_accounts_that_cannot_log_in_get_no_email(
    client, person, kind, django_capture_on_commit_callbacks
):
    if kind == "inactive":
        person.is_active = False
    else:
        person.set_unusable_password()
    person.save()
    response = request_link(client, "hans@example.org", django_capture_on_commit_callbacks)
    assert response.headers["Location"] == "/konto/passwort-vergessen/gesendet/"
    assert mail.outbox == []


def test_a_missing_or_malformed_address_is_explained_at_its_field(client):
    html = client.post("/konto/passwort-vergessen/", {"email": ""}).content.decode()
    assert '<a href="#id_email">Bitte geben Sie Ihre E-Mail-Adresse ein.</a>' in html
    html = client.post("/konto/passwort-vergessen/", {"email": "hans"}).content.decode()
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein" in html
    assert mail.outbox == []


def test_a_mailbox_gets_a_few_links_per_hour_at_most(
    client, person, django_capture_on_commit_callbacks
):
    # when someone requests links for the same account again and again
    for _ in range(PASSWORD_RESET_EMAILS_PER_HOUR + 2):
        response = request_link(client, "hans@example.org", django_capture_on_commit_callbacks)
        # then every answer is the same
        assert response.headers["Location"] == "/konto/passwort-vergessen/gesendet/"
    # but only the allowance is mailed
    assert len(mail.outbox) == PASSWORD_RESET_EMAILS_PER_HOUR


def test_a_tampered_link_does_not_work(client, person):
    response = client.get("/konto/passwort-neu/MQ/abc-0123456789abcdef/")
    assert response.status_code == 200
    assert "Dieser Link gilt nicht mehr." in response.content.decode()


def test_a_new_password_lifts_the_login_lockout(client, person, django_capture_on_commit_callbacks):
    # given an account locked after five wrong passwords
    for _ in range(5):
        attempt(client, "muster")
    assert non_field_errors(attempt(client, "muster")) == [LOCKED_MESSAGE]
    # when its owner sets a new password with the emailed link
    request_link(client, "hans@example.org", django_capture_on_commit_callbacks)
    path = LINK.search(mail.outbox[0].body).group(0).removeprefix("https://akademie.example.ch")
    form_url = client.get(path).headers["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    # then they can log in with it at once
    assert attempt(client, "muster", NEW_PASSWORD).status_code == 302


def test_wagtails_own_password_reset_leads_to_the_apps_and_mails_nothing(
    client, person, django_capture_on_commit_callbacks
):
    # given Wagtail's password reset address, which once mailed past the app's limit
    # when someone opens it, or posts an address to it again and again
    opened = client.get("/admin/password_reset/")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(PASSWORD_RESET_EMAILS_PER_HOUR + 2):
            posted = client.post("/admin/password_reset/", {"email": "hans@example.org"})
    # then it leads to the app's reset, and no email leaves from there
    assert opened.status_code == 302
    assert opened.headers["Location"] == "/konto/passwort-vergessen/"
    assert posted.status_code == 302
    assert mail.outbox == []
    # and Wagtail's other reset steps do not exist
    assert client.get("/admin/password_reset/done/").status_code == 404
    assert client.get("/admin/password_reset/complete/").status_code == 404
    # and the admin's login page offers no second way
    assert "password_reset" not in client.get("/admin/login/").content.decode()


def test_the_apps_reset_keeps_its_limit_when_reached_from_the_admin_address(
    client, person, django_capture_on_commit_callbacks
):
    # given someone who followed Wagtail's reset address to the app's reset
    target = client.get("/admin/password_reset/").headers["Location"]
    # when they ask for more links than the allowance
    for _ in range(PASSWORD_RESET_EMAILS_PER_HOUR + 2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(target, {"email": "hans@example.org"})
    # then only the allowance is mailed
    assert len(mail.outbox) == PASSWORD_RESET_EMAILS_PER_HOUR


def test_the_reset_form_does_the_same_work_for_a_known_and_an_unknown_address(
    client, person, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # when the form is posted with a known and with an unknown address
    work = {}
    for email in ("hans@example.org", "niemand@example.org"):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False) as callbacks,
        ):
            response = client.post("/konto/passwort-vergessen/", {"email": email})
        work[email] = (
            response.status_code,
            response.headers["Location"],
            len(queries),
            len(callbacks),
        )
    # then the request does the same: same answer, same queries, one task enqueued after commit
    assert work["hans@example.org"] == work["niemand@example.org"]
    assert work["hans@example.org"][3] == 1
    assert mail.outbox == []  # the lookup and the email are the task's work
