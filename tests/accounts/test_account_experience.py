"""Mein Konto as a participant uses it: changing the password (validators, other sessions
logged out, German messages, no guessing with an open session), the form of the qualification
on the certificate, the list of what happened, and the readable data download."""

import shutil
import subprocess

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client

from accounts.models import Notification, Profile
from accounts.notifications import Kind, notify
from accounts.profile import PASSWORD_CHANGE_ATTEMPTS_PER_HOUR
from tests.factories import UserFactory, user_in_group

pytestmark = pytest.mark.django_db

OLD = "Alte-Schalter-Losung-1"
NEW = "Rathausplatz-Schalter-7"


@pytest.fixture
def person(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = UserFactory(
        username="muster", first_name="Hans", last_name="Muster", email="hans@example.org"
    )
    user.set_password(OLD)
    user.save()
    cache.delete(f"accounts:password-change:{user.pk}")
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change(client, old, new, again=None):
    return client.post(
        "/konto/passwort/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


# --- password ---------------------------------------------------------------------------------


def test_the_account_page_offers_the_password_change(person):
    html = logged_in(person).get("/konto/").content.decode()
    assert '<a href="/konto/passwort/">Passwort ändern</a>' in html


def test_a_new_password_logs_out_every_other_session_but_this_one(person):
    # given the person logged in on two devices
    here, elsewhere = logged_in(person), logged_in(person)
    assert elsewhere.get("/konto/").status_code == 200
    # when they change the password here
    response = change(here, OLD, NEW)
    # then it is changed, this session goes on and says so in German
    assert response.status_code == 302 and response.headers["Location"] == "/konto/"
    page = here.get("/konto/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ihr Passwort ist geändert." in html
    assert "Ihre anderen Anmeldungen" in html
    person.refresh_from_db()
    assert person.check_password(NEW)
    # and the other device is logged out
    assert SESSION_KEY not in elsewhere.session
    assert elsewhere.get("/konto/").headers["Location"].startswith("/konto/anmelden/")


def test_a_wrong_current_password_changes_nothing(person):
    client = logged_in(person)
    response = change(client, "falsch-falsch-falsch", NEW)
    assert response.status_code == 400
    assert "Das Passwort stimmt nicht." in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(OLD)


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("kurz-1", None, "Dieses Passwort ist zu kurz. Es muss mindestens 12 Zeichen enthalten."),
        ("123456789012345", None, "Dieses Passwort ist komplett numerisch."),
        ("password1234", None, "Dieses Passwort ist zu üblich."),
        (NEW, NEW + "x", "Die beiden Passwörter sind nicht identisch."),
    ],
)
def test_the_password_validators_refuse_a_weak_or_mistyped_password(person, new, again, message):
    client = logged_in(person)
    response = change(client, OLD, new, again)
    assert response.status_code == 400
    assert message in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(OLD)


def test_an_open_session_cannot_be_used_to_guess_the_password(person):
    client = logged_in(person)
    for _ in range(PASSWORD_CHANGE_ATTEMPTS_PER_HOUR):
        assert change(client, "geraten-geraten", NEW).status_code == 400
    # once the allowance is used up, even the right password is not checked
    response = change(client, OLD, NEW)
    assert response.status_code == 400
    assert "Zu viele falsche Passwörter hintereinander." in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(OLD)


def test_an_account_of_the_organisation_login_has_no_password_to_change(person):
    person.set_unusable_password()
    person.save()
    client = logged_in(person)
    assert (
        "Sie melden sich über Ihre Organisation an"
        in client.get("/konto/passwort/").content.decode()
    )
    assert change(client, "", NEW).status_code == 200
    person.refresh_from_db()
    assert not person.has_usable_password()


# --- form of the qualification --------------------------------------------------------------------


def test_the_participant_chooses_the_form_of_the_qualification(person):
    client = logged_in(person)
    # given the neutral form by default
    assert "<strong>Fachperson (neutral)</strong>" in client.get("/konto/").content.decode()
    # when they choose «Expertin»
    response = client.post("/konto/bezeichnung/", {"qualification_form": "expertin"})
    # then it is stored and shown
    assert response.status_code == 302
    assert Profile.objects.get(user=person).qualification_form == "expertin"
    assert "<strong>Expertin</strong>" in client.get("/konto/").content.decode()


@pytest.mark.parametrize("value", ["", "koenigin", "x" * 5000])
def test_an_unknown_form_is_refused_and_nothing_stored(person, value):
    response = logged_in(person).post("/konto/bezeichnung/", {"qualification_form": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Bitte wählen Sie" in html
    assert not Profile.objects.filter(user=person).exists()


# --- notifications --------------------------------------------------------------------------------


def test_mein_konto_lists_what_happened_to_this_person_only(person):
    other = UserFactory(username="andere")
    notify(
        user_id=person.pk,
        kind=Kind.CERTIFICATE_ISSUED,
        params={"serial": "DBS-2027-000001", "course": "Testkurs"},
        link="/zertifikate/x/",
    )
    notify(user_id=other.pk, kind=Kind.ENROLLED, params={"course": "Geheimkurs"})
    client = logged_in(person)
    for url in ("/konto/", "/konto/benachrichtigungen/"):
        html = client.get(url).content.decode()
        assert "Ihr Zertifikat DBS-2027-000001 für «Testkurs» ist ausgestellt." in html
        assert "Geheimkurs" not in html


def test_a_repeated_occasion_is_written_once(person):
    for _ in range(2):
        notify(user_id=person.pk, kind=Kind.ESSAY_MARKED, params={"quiz": "Q"}, occasion="m-1")
    assert Notification.objects.filter(user=person).count() == 1


# --- data download ------------------------------------------------------------------------------


def test_participants_see_only_the_categories_that_hold_their_data(person):
    notify(user_id=person.pk, kind=Kind.ENROLLED, params={"course": "Testkurs"})
    html = logged_in(person).get("/konto/daten/").content.decode()
    assert "<li>Konto und Profil</li>" in html
    assert "<li>Ihre Benachrichtigungen</li>" in html
    for editor_only in ("API-Zugangsschlüssel", "Seiten, die Sie angelegt haben", "Bearbeitungs"):
        assert editor_only not in html


def test_the_readable_summary_lists_the_persons_data(person):
    html = logged_in(person).get("/konto/daten/uebersicht/").content.decode()
    assert "<h1>Meine Daten im Überblick</h1>" in html
    assert "<dt>Vorname</dt><dd>Hans</dd>" in html
    assert "<dt>E-Mail-Adresse</dt><dd>hans@example.org</dd>" in html
    assert "API-Zugangsschlüssel" not in html


def test_an_editor_sees_their_editor_categories(db):
    from wagtail.models.api import APIToken

    editor = user_in_group("Trainer:innen", username="trainerin")
    APIToken.objects.create(user=editor, name="Export", key_hash="0" * 64, prefix="abc")
    html = logged_in(editor).get("/konto/daten/").content.decode()
    assert "API-Zugangsschlüssel" in html


def test_the_summary_downloads_as_a_pdf_that_reads_back(person, tmp_path):
    response = logged_in(person).get("/konto/daten/meine-daten.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="meine-daten-')
    assert response.content.startswith(b"%PDF-")
    assert shutil.which("pdftotext"), "`make test` installs Debian's poppler-utils"
    source = tmp_path / "daten.pdf"
    source.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "Meine Daten" in text and "Konto und Profil" in text
    assert "hans@example.org" in text and "Muster" in text
