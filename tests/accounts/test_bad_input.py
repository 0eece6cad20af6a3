"""No input to the public forms answers with a 5xx (login, password reset with its emailed link
and new-password form, second factor code and setup, profile, certificate verification,
search): property-based (hypothesis), with the explicit case that answered 500.
The shared strategies live here; tests/training/test_bad_input.py covers quiz and trainer forms."""

import time
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.forms import LOGIN_USERNAME_TOO_LONG
from accounts.signals import PASSWORD_CHECKED_AT_SESSION_KEY
from tests.factories import TOTPDeviceFactory, UserFactory, editor

EDITOR_PASSWORD = "Sicheres-Passwort-2026"  # tests.factories.UserFactory's

# Text as people and attackers send it: short, long enough to overflow a column, control
# characters (NUL cannot be stored by PostgreSQL), and number-like strings.
NUMBERISH = st.one_of(
    st.sampled_from(["1e309", "-1e309", "9" * 10_000, "1e-999999", "NaN", "Infinity", "0x10"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.from_regex(r"\A-?[0-9]{1,400}([.,][0-9]{0,400})?(e-?[0-9]{1,7})?\Z"),
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(min_size=250, max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=5).map(
        lambda s: s + "\x00"
    ),
    NUMBERISH,
)


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # every generated example creates an account (and the reset form hashes the new password)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


LOOSE = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def no_server_error(response):
    assert response.status_code < 500, response.content.decode(errors="replace")[:500]


# --- Login ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_256_character_username_is_refused_with_a_german_message(client):
    # given a username longer than the lockout table's column (255)
    # when someone logs in with it
    response = client.post("/konto/anmelden/", {"username": "a" * 256, "password": "x"})
    # then the form comes back with the message, and nothing is recorded
    assert response.status_code == 200
    assert str(LOGIN_USERNAME_TOO_LONG % {"max": 254}) in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()


@pytest.mark.django_db
@LOOSE
@given(username=TEXT, password=TEXT)
def test_the_login_form_answers_any_input_without_a_server_error(username, password):
    response = Client().post("/konto/anmelden/", {"username": username, "password": password})
    no_server_error(response)


# --- Public forms and query parameters ------------------------------------------------------


@pytest.mark.django_db
@LOOSE
@given(email=TEXT)
def test_the_password_reset_form_answers_any_input_without_a_server_error(email):
    no_server_error(Client().post(reverse("accounts:password_reset"), {"email": email}))


@pytest.mark.django_db
@LOOSE
@given(code=TEXT, page=TEXT)
def test_verification_and_search_answer_any_input_without_a_server_error(code, page):
    client = Client()
    # (the rate limit is per address; it must not hide the answers under test)
    no_server_error(client.get(reverse("certificates:verify_start"), {"code": code}))
    if code:
        no_server_error(client.get(f"/zertifikate/pruefen/{quote(code, safe='')}/"))
    no_server_error(client.get(reverse("search"), {"q": code, "seite": page}))


@pytest.mark.django_db
@LOOSE
@given(first_name=TEXT, last_name=TEXT, email=TEXT)
def test_the_profile_form_answers_any_input_without_a_server_error(first_name, last_name, email):
    user = UserFactory()
    before = (user.first_name, user.last_name, user.email)
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:account"),
        {"first_name": first_name, "last_name": last_name, "email": email},
    )
    no_server_error(response)
    user.refresh_from_db()
    if response.status_code != 302:  # refused: nothing changed
        assert (user.first_name, user.last_name, user.email) == before


# --- Password reset link and second factor --------------------------------------------------


@pytest.mark.django_db
@LOOSE
@given(uidb64=TEXT, token=TEXT)
def test_the_password_reset_link_answers_any_uid_and_token_without_a_server_error(uidb64, token):
    # (the link's two parts are path segments: whatever an attacker puts there, quoted)
    path = f"/konto/passwort-neu/{quote(uidb64, safe='') or 'x'}/{quote(token, safe='') or 'x'}/"
    no_server_error(Client().get(path))
    no_server_error(Client().post(path, {"new_password1": token, "new_password2": token}))


@pytest.mark.django_db
@LOOSE
@given(first=TEXT, second=TEXT)
def test_the_new_password_form_answers_any_input_without_a_server_error(first, second):
    # given a person who opened their emailed reset link (the token is now in the session)
    user = UserFactory()
    before = user.password
    client = Client()
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = reverse("accounts:password_reset_confirm", args=[uidb64, token])
    form_url = client.get(link)["Location"]
    assert form_url.endswith("/set-password/")
    # when they send any two passwords
    response = client.post(form_url, {"new_password1": first, "new_password2": second})
    # then no server error, and the password changed only when the form was accepted
    no_server_error(response)
    user.refresh_from_db()
    if response.status_code != 302:
        assert user.password == before


@pytest.mark.django_db
@pytest.mark.second_factor
@LOOSE
@given(token=TEXT)
def test_the_second_factor_code_form_answers_any_input_without_a_server_error(token):
    # given a trainer with an authenticator app, logged in with the password only
    user = editor()
    TOTPDeviceFactory(user=user)
    client = Client()
    client.force_login(user)
    # when any code is sent
    response = client.post("/konto/zwei-faktor/code/", {"token": token, "next": "/admin/"})
    # then no server error, and a code that is not the current one does not verify the session
    no_server_error(response)
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
@pytest.mark.second_factor
@LOOSE
@given(password=TEXT, token=TEXT)
def test_the_second_factor_setup_answers_any_input_without_a_server_error(password, token):
    # given a trainer without an authenticator app whose session logged in long ago (asked for
    # the password again before enrolling one)
    user = editor()
    client = Client()
    client.force_login(user)
    session = client.session
    session[PASSWORD_CHECKED_AT_SESSION_KEY] = int(time.time()) - 3600
    session.save()
    # when any password, and after the right one any code, is sent
    no_server_error(client.post("/konto/zwei-faktor/", {"password": password}))
    assert client.post("/konto/zwei-faktor/", {"password": EDITOR_PASSWORD}).status_code == 302
    response = client.post("/konto/zwei-faktor/", {"token": token, "next": "/admin/"})
    # then no server error, and no device is confirmed by a code the app did not show
    no_server_error(response)
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
