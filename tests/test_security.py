"""Security settings and HTTP hardening (issue 7, Security)."""

import re
import secrets
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.fields import RichTextField, StreamField

from cms.selectors import course_modules
from core.security import RENEWED_AT_SESSION_KEY
from tests.factories import UserFactory
from tests.test_settings import run_django
from tools.audit_dependencies import summarise

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_HTTPS": "1",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "akademie.example.ch",
    "DATABASE_URL": "sqlite://:memory:",
}


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


def trainer():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Trainer:innen"))
    return user


# --- Deployment check and settings from the environment ------------------------------------


def test_check_deploy_reports_nothing_with_production_values():
    # given the production environment: debug off, HTTPS on, a long secret key, allowed hosts
    # when Django's deployment check runs
    result = run_django(
        PRODUCTION_ENV,
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'DEBUG'])",
    )
    # then it finds no issue at all (no warning either)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_https_switches_on_secure_cookies_hsts_and_redirect():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.SESSION_COOKIE_AGE, s.ADMIN_REQUIRE_2FA)"
    )
    result = run_django(PRODUCTION_ENV, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True", "True", "True", "31536000", "True", "True", "Lax", "1800", "True"
    ]  # fmt: skip


def test_idle_timeout_and_admin_second_factor_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_AGE, s.SESSION_RENEW_AFTER_SECONDS, s.ADMIN_REQUIRE_2FA,"
        " s.AXES_FAILURE_LIMIT)"
    )
    env = {
        **PRODUCTION_ENV,
        "DJANGO_SESSION_IDLE_MINUTES": "15",
        "DJANGO_ADMIN_REQUIRE_2FA": "0",
        "DJANGO_LOGIN_FAILURE_LIMIT": "3",
    }
    result = run_django(env, code)
    assert result.returncode == 0, result.stderr
    # a 15-minute timeout is renewed every 2.5 minutes (a sixth), not every 5
    assert result.stdout.split() == ["900", "150", "False", "3"]


@pytest.mark.django_db
def test_cookies_and_hsts_over_https(client, settings):
    # given the HTTPS settings production derives from DJANGO_HTTPS
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    UserFactory(username="sicher")
    # when a participant logs in over HTTPS
    page = client.get("/konto/anmelden/", secure=True)
    response = client.post(
        "/konto/anmelden/",
        {"username": "sicher", "password": "Sicheres-Passwort-2026"},
        secure=True,
    )
    # then both cookies are Secure, HttpOnly and SameSite=Lax, and HSTS is sent
    assert response.status_code == 302
    for cookie in (response.cookies["sessionid"], page.cookies["csrftoken"]):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
    assert response.cookies["sessionid"]["max-age"] == 1800
    assert (
        response.headers["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_except_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/konto/anmelden/")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/konto/anmelden/"
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_activity_renews_the_session_and_inactivity_ends_it(client):
    # given a logged-in participant whose session was last renewed six minutes ago
    client.force_login(UserFactory())
    session = client.session
    session[RENEWED_AT_SESSION_KEY] = int(time.time()) - 360
    session.save()
    # when they open a page
    renewed = client.get("/konto/")
    again = client.get("/konto/")
    # then the session gets a fresh 30-minute deadline, at most once every five minutes
    assert renewed.cookies["sessionid"]["max-age"] == 1800
    assert "sessionid" not in again.cookies
    # when the session has been idle past its deadline
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/konto/")
    # then they are logged out
    assert response.status_code == 302
    assert response.headers["Location"] == "/konto/anmelden/?next=/konto/"


@pytest.mark.django_db
def test_pages_right_after_login_do_not_save_the_session(client):
    # given a participant who has just logged in
    client.force_login(UserFactory())
    # when they open a page within the renewal interval
    response = client.get("/konto/")
    # then the session is not written again (it was just saved with the login)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_passwords_need_at_least_twelve_characters():
    with pytest.raises(ValidationError) as error:
        validate_password("Kurz-Pw-202")  # 11 characters
    assert [e.code for e in error.value.error_list] == ["password_too_short"]
    validate_password("Kurz-Pw-2026")  # 12 characters


# --- Headers ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_participant_pages_forbid_inline_scripts_and_framing(client):
    # when anyone opens a participant page
    response = client.get("/konto/anmelden/")
    # then the policy allows scripts and styles from the site only: no inline code, no eval
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    # and the other hardening headers are set
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


@pytest.mark.django_db
def test_the_admin_has_its_own_policy_that_allows_framing_its_preview(client):
    # given a trainer in the Wagtail admin
    client.force_login(trainer())
    # when the admin is opened
    response = client.get("/admin/")
    # then Wagtail's inline scripts run there, and only the site itself may frame it (preview)
    assert response.status_code == 200
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_page_previews_may_be_framed_by_the_admin_and_live_pages_not(demo, client):
    # given the course page
    course = demo["course"]
    # when Wagtail renders its preview (a dummy request for the page's own URL, framed by the
    # editor) and a visitor opens the live page
    preview = course.make_preview_request()
    live = client.get(course.url)
    # then the preview may be framed by the site itself, the live page by no one
    assert preview.status_code == 200
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert csp_directives(preview)["frame-ancestors"] == ["'self'"]
    assert csp_directives(preview)["script-src"] == ["'self'"]
    assert live.headers["X-Frame-Options"] == "DENY"
    assert csp_directives(live)["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_participant_templates_carry_no_inline_script_or_style(demo, client):
    # given the pages a participant sees
    client.force_login(demo["participant"])
    module = demo["course"].get_descendants().live().last().specific
    for url in ("/", demo["course"].url, module.url, "/lernen/", "/konto/", "/konto/daten/"):
        html = client.get(url).content.decode()
        # then no inline script, event handler or style attribute needs 'unsafe-inline'
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url
        assert " style=" not in html, url


# --- Content and uploads ---------------------------------------------------------------------


def _rich_text_blocks(block):
    from wagtail.blocks import RichTextBlock

    if isinstance(block, RichTextBlock):
        yield block
    for child in getattr(block, "child_blocks", {}).values():
        yield from _rich_text_blocks(child)
    child_block = getattr(block, "child_block", None)
    if child_block is not None:
        yield from _rich_text_blocks(child_block)


def test_every_rich_text_field_and_block_has_an_explicit_feature_list():
    from django.apps import apps

    # given every model of the project
    missing = []
    for model in apps.get_models():
        if model._meta.app_label.startswith("wagtail"):
            continue
        for field in model._meta.get_fields():
            # then each rich-text field names its features (no editor default, no raw HTML)
            if isinstance(field, RichTextField) and not field.features:
                missing.append(f"{model._meta.label}.{field.name}")
            if isinstance(field, StreamField):
                for block in _rich_text_blocks(field.stream_block):
                    if not block.features:
                        missing.append(f"{model._meta.label}.{field.name}: {block.name}")
    assert missing == []


def form_errors(response) -> list[str]:
    html = response.content.decode()
    return [" ".join(m.split()) for m in re.findall(r'class="error-message">(.*?)</', html, re.S)]


@pytest.mark.django_db
@override_settings(WAGTAILDOCS_MAX_UPLOAD_SIZE=1024)
def test_admin_rejects_an_oversized_document(client):
    # given a trainer and a size limit (10 MB in production; 1 KB here to keep the test small)
    client.force_login(trainer())
    upload = SimpleUploadedFile("gross.pdf", b"%PDF-1.4\n" + b"0" * 2048, "application/pdf")
    # when a larger file is uploaded
    response = client.post("/admin/documents/add/", {"title": "Gross", "file": upload})
    # then the form says why, and nothing is stored
    assert response.status_code == 200
    assert form_errors(response)[0].startswith(
        "Die Datei ist zu groß (2,0 KB). Maximale Dateigröße 1,0 KB."
    )
    assert get_document_model().objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("extension", ["html", "js", "svg", "exe"])
def test_admin_rejects_documents_of_other_types(client, extension):
    client.force_login(trainer())
    upload = SimpleUploadedFile(f"datei.{extension}", b"<script>alert(1)</script>", "text/html")
    response = client.post("/admin/documents/add/", {"title": "Fremd", "file": upload})
    assert response.status_code == 200
    assert form_errors(response) == [
        f"Dateiendung „{extension}“ ist nicht erlaubt. Erlaubte Dateiendungen sind: "
        "„csv, docx, odt, pdf, pptx, txt, xlsx“."
    ]
    assert get_document_model().objects.count() == 0


@pytest.mark.django_db
def test_admin_rejects_an_svg_image(client):
    from wagtail.images import get_image_model

    client.force_login(trainer())
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    upload = SimpleUploadedFile("bild.svg", svg, "image/svg+xml")
    response = client.post("/admin/images/add/", {"title": "Bild", "file": upload})
    assert response.status_code == 200
    assert form_errors(response) == [
        "Nicht unterstütztes Bildformat. Unterstützte Bildformate: GIF, JPG, JPEG, PNG, WEBP."
    ]
    assert get_image_model().objects.count() == 0


def test_upload_limits_are_set():
    from django.conf import settings

    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    assert "html" not in settings.WAGTAILDOCS_EXTENSIONS
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS


@pytest.mark.django_db
def test_documents_are_served_by_wagtail_never_from_the_media_folder(client, settings, tmp_path):
    # given a document stored under the media folder
    settings.MEDIA_ROOT = tmp_path
    document = get_document_model().objects.create(
        title="Merkblatt", file=SimpleUploadedFile("merkblatt.pdf", b"%PDF-1.4 Merkblatt")
    )
    # when it is linked
    url = document.url
    # then the link goes through Wagtail's serve view, which sends it as a download with a
    # policy that runs nothing inside it
    assert url == f"/dokumente/{document.pk}/merkblatt.pdf"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 Merkblatt"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # and the file itself is not reachable under /media/
    assert client.get(f"/media/{document.file.name}").status_code == 404


# --- Redirects after login and logout --------------------------------------------------------

EVIL = "https://evil.example/phish"


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", [EVIL, "//evil.example/", "https:evil.example"])
def test_login_ignores_a_next_url_on_another_host(client, next_url):
    UserFactory(username="lernende")
    response = client.post(
        "/konto/anmelden/",
        {"username": "lernende", "password": "Sicheres-Passwort-2026", "next": next_url},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/lernen/"


@pytest.mark.django_db
def test_login_follows_a_next_url_on_the_site(client):
    UserFactory(username="lernende")
    response = client.post(
        "/konto/anmelden/",
        {"username": "lernende", "password": "Sicheres-Passwort-2026", "next": "/konto/"},
    )
    assert response.headers["Location"] == "/konto/"


@pytest.mark.django_db
def test_logout_ignores_a_next_url_on_another_host(client):
    client.force_login(UserFactory())
    response = client.post(f"/konto/abmelden/?next={EVIL}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.django_db
def test_admin_login_ignores_a_next_url_on_another_host(client):
    user = trainer()
    response = client.post(
        "/admin/login/",
        {"username": user.username, "password": "Sicheres-Passwort-2026", "next": EVIL},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


@pytest.mark.django_db
def test_language_switch_ignores_a_next_url_on_another_host(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": EVIL})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- Dependencies ----------------------------------------------------------------------------


def test_the_dependency_audit_fails_on_a_known_vulnerability():
    # given pip-audit's report of the lock (make audit runs it in make test)
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.1", "vulns": [
                {"id": "PYSEC-2025-1", "fix_versions": ["5.2.2"], "aliases": []}
            ]},
            {"name": "wagtail", "version": "8.0.1", "vulns": []},
            {"name": "celery", "skip_reason": "Dependency not found on PyPI"},
        ]
    }  # fmt: skip
    # then a vulnerability fails the audit and names the fix; an unchecked package only with
    # --strict
    lines, failed = summarise(report)
    assert failed is True
    assert lines == [
        "pip-audit: 2 of 3 locked packages checked, 1 known vulnerabilities",
        "  django 5.2.1: PYSEC-2025-1 (fixed in 5.2.2)",
        "  not checked (no advisory data reachable): celery",
    ]
    clean = {"dependencies": report["dependencies"][1:]}
    assert summarise(clean)[1] is False
    assert summarise(clean, strict=True)[1] is True


def test_make_test_runs_the_audit_and_the_accessibility_download():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    test_target = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert {"audit", "axe", "lint"} <= set(test_target.split(":")[1].split())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content",
    [
        ("merkblatt.pdf", b"%PDF-1.4 Merkblatt"),
        ("hinweise.txt", b"Hinweise"),
        ("liste.csv", b"a;b"),
    ],
)
def test_every_document_is_served_as_a_download(client, settings, tmp_path, name, content):
    # given documents of the kinds a browser would show inline
    settings.MEDIA_ROOT = tmp_path
    document = get_document_model().objects.create(
        title=name, file=SimpleUploadedFile(name, content)
    )
    # when one is opened
    response = client.get(document.url)
    # then it is sent as an attachment with its name
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert name in response.headers["Content-Disposition"]


# --- Personal pages are not kept by caches -----------------------------------------------------


@pytest.mark.django_db
def test_pages_shown_to_a_logged_in_person_are_private_and_not_stored(demo, client):
    # given a participant logged in
    client.force_login(demo["participant"])
    module = course_modules(demo["course"])[0]
    # when they open Wagtail pages (home, course, module) and their own pages
    for url in ("/", demo["course"].url, module.url, "/lernen/", "/konto/"):
        response = client.get(url)
        # then no cache may keep them: not a shared proxy, not the back/forward cache
        assert response.status_code == 200, url
        directives = {d.strip() for d in response.headers["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url
        assert "public" not in directives, url


@pytest.mark.django_db
def test_the_public_course_pages_stay_cacheable_for_visitors(demo, client):
    response = client.get(demo["course"].url)
    assert "no-store" not in response.headers.get("Cache-Control", "")


# --- Client address behind reverse proxies ------------------------------------------------------


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # no proxy: the header is a claim
        (1, "172.18.0.5", "203.0.113.7", "203.0.113.7"),
        (1, "172.18.0.5", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # spoofed entry ignored
        (2, "10.0.0.2", "198.51.100.1, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (2, "10.0.0.2", "10.0.0.1", "10.0.0.2"),  # fewer entries than proxies: REMOTE_ADDR
        (1, "172.18.0.5", "kein-ip", "172.18.0.5"),  # malformed
        (1, "172.18.0.5", "", "172.18.0.5"),
    ],
)
def test_the_client_address_is_taken_from_trusted_proxies_only(
    rf, settings, proxies, remote, forwarded, expected
):
    from core.security import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_login_lockout_uses_the_same_client_address():
    from django.conf import settings

    assert settings.AXES_CLIENT_IP_CALLABLE == "core.security.client_ip"
