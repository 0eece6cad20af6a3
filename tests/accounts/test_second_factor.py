"""Multi-factor login: required for every account that can enter the Wagtail admin (issue 7)."""

import re

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from tests.factories import TOTPDeviceFactory, UserFactory, editor, totp_code

pytestmark = pytest.mark.django_db

SETUP = "/konto/zwei-faktor/"
VERIFY = "/konto/zwei-faktor/code/"
PASSWORD = "Sicheres-Passwort-2026"


@pytest.fixture(autouse=True)
def _no_throttle_delay(settings):
    # django-otp makes each wrong code delay the next try (1 s, 2 s, 4 s ...); the tests that do
    # not test the throttle itself would otherwise depend on the clock.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def login(client, user, next_url="/admin/"):
    return client.post(
        "/konto/anmelden/", {"username": user.username, "password": PASSWORD, "next": next_url}
    )


def messages_of(response) -> list[str]:
    html = response.content.decode()
    return [" ".join(m.split()) for m in re.findall(r'class="errorlist"[^>]*><li>(.*?)</li>', html)]


@pytest.mark.second_factor
@pytest.mark.parametrize("group", ["Trainer:innen", "Kursleitung"])
def test_an_editor_without_second_factor_is_sent_to_set_it_up_before_the_admin(client, group):
    # given a trainer or course lead who has not set up an authenticator app
    user = editor(group)
    # when they log in and open the admin
    login(client, user)
    response = client.get("/admin/pages/")
    # then they land on the German setup page, and come back to the admin afterwards
    assert response.status_code == 302
    assert response.headers["Location"] == f"{SETUP}?next=%2Fadmin%2Fpages%2F"
    page = client.get(response.headers["Location"])
    html = page.content.decode()
    assert "<h1>Zwei-Faktor-Anmeldung einrichten</h1>" in html
    assert "Ihr Konto hat Zugang zum Redaktionsbereich" in html
    assert '<div class="qr-code" role="img" aria-label="QR-Code für die Authenticator-App">' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # when they enter the code their app shows
    done = client.post(SETUP, {"token": totp_code(device), "next": "/admin/pages/"})
    # then the device is confirmed, this session counts as verified and the admin opens
    assert done.status_code == 302
    assert done.headers["Location"] == "/admin/pages/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/admin/pages/").status_code == 200


@pytest.mark.second_factor
def test_the_setup_page_keeps_its_secret_when_reloaded(client):
    user = editor()
    client.force_login(user)
    first = client.get(SETUP).content.decode()
    second = client.get(SETUP).content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', first).group(1)
    assert len(secret.replace(" ", "")) == 32
    assert secret in second
    assert TOTPDevice.objects.filter(user=user).count() == 1


@pytest.mark.second_factor
def test_an_editor_with_second_factor_must_enter_a_code_after_the_password(client):
    # given a trainer with a confirmed authenticator app
    user = editor()
    device = TOTPDeviceFactory(user=user)
    # when they log in with the password only
    response = login(client, user)
    # then every page, the admin included, first asks for the code
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").headers["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.get("/lernen/").headers["Location"] == f"{VERIFY}?next=%2Flernen%2F"
    # when they enter a wrong code
    wrong = client.post(VERIFY, {"token": "000000", "next": "/admin/"})
    # then the German message is shown at the field and they stay unverified
    assert wrong.status_code == 200
    assert messages_of(wrong) == [str(services.INVALID_TOKEN)]
    assert client.get("/admin/").status_code == 302
    # when they enter the current code
    right = client.post(VERIFY, {"token": totp_code(device), "next": "/admin/"})
    # then they reach the admin
    assert right.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.second_factor
def test_a_code_can_be_used_only_once(client):
    user = editor()
    device = TOTPDeviceFactory(user=user)
    code = totp_code(device)
    client.force_login(user)
    assert client.post(VERIFY, {"token": code}).status_code == 302
    other = client.__class__()
    other.force_login(user)
    replay = other.post(VERIFY, {"token": code})
    assert messages_of(replay) == [str(services.INVALID_TOKEN)]


@pytest.mark.second_factor
def test_wrong_codes_slow_down_further_tries(client, settings):
    # given django-otp's throttle (after n wrong codes the next is refused for 2^(n-1) seconds)
    # and a trainer who has just entered a wrong code for the tenth time
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    user = editor()
    device = TOTPDeviceFactory(
        user=user, throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    client.force_login(user)
    # when the right code follows within the 512 seconds
    response = client.post(VERIFY, {"token": totp_code(device)})
    # then it is refused with a message to wait, and the session stays unverified
    assert messages_of(response) == [str(services.TOO_MANY_TOKENS)]
    assert client.get("/admin/").status_code == 302


@pytest.mark.second_factor
def test_participants_are_not_asked_for_a_second_factor(client):
    participant = UserFactory()
    login(client, participant, next_url="/konto/")
    assert client.get("/konto/").status_code == 200
    assert client.get("/admin/").headers["Location"].startswith("/admin/login/")


def test_without_the_requirement_editors_enter_the_admin_with_the_password(client):
    # (the default of this suite, see tests/conftest.py; production turns it on)
    client.force_login(editor())
    assert client.get("/admin/").status_code == 200


def test_a_participant_may_switch_the_second_factor_on_and_is_then_asked_at_login(client):
    # given a participant on their account page
    participant = UserFactory()
    client.force_login(participant)
    assert "Zwei-Faktor-Anmeldung einrichten" in client.get("/konto/").content.decode()
    # when they set up an authenticator app
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=participant)
    assert client.post(SETUP, {"token": totp_code(device)}).headers["Location"] == "/konto/"
    # then the account page says so, and the next login asks for a code before anything else
    assert "Eingeschaltet" in client.get("/konto/").content.decode()
    client.post("/konto/abmelden/")
    login(client, participant, next_url="/lernen/")
    assert client.get("/lernen/").headers["Location"] == f"{VERIFY}?next=%2Flernen%2F"
    assert client.get("/").headers["Location"] == f"{VERIFY}?next=%2F"
    response = client.post(VERIFY, {"token": totp_code(device, steps_ahead=1), "next": "/lernen/"})
    assert response.headers["Location"] == "/lernen/"
    assert client.get("/lernen/").status_code == 200


def test_a_participant_may_switch_the_second_factor_off_again(client):
    participant = UserFactory()
    device = TOTPDeviceFactory(user=participant)
    client.force_login(participant)
    client.post(VERIFY, {"token": totp_code(device)})
    response = client.post("/konto/zwei-faktor/ausschalten/")
    assert response.headers["Location"] == "/konto/"
    assert not TOTPDevice.objects.filter(user=participant).exists()


@pytest.mark.second_factor
def test_an_editor_cannot_switch_the_required_second_factor_off(client):
    user = editor()
    device = TOTPDeviceFactory(user=user)
    client.force_login(user)
    client.post(VERIFY, {"token": totp_code(device)})
    response = client.post("/konto/zwei-faktor/ausschalten/", follow=True)
    assert str(services.SECOND_FACTOR_REQUIRED) in response.content.decode()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


@pytest.mark.second_factor
def test_the_code_page_ignores_a_next_url_on_another_host(client):
    user = editor()
    device = TOTPDeviceFactory(user=user)
    client.force_login(user)
    response = client.post(VERIFY, {"token": totp_code(device), "next": "https://evil.example/"})
    assert response.headers["Location"] == "/admin/"


@pytest.mark.second_factor
def test_logging_out_needs_no_code(client):
    user = editor()
    TOTPDeviceFactory(user=user)
    login(client, user)
    assert client.post("/konto/abmelden/").headers["Location"] == "/"
