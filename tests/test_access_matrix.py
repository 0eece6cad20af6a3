"""The access matrix: what every URL of the project gives each kind of visitor.

Every URL pattern (walked from Django's resolver) needs an entry in ``MATRIX``, keyed by its
route as the resolver spells it; a new URL without one fails ``test_every_url_has_an_entry``.
An entry gives a sample URL (a string, or a function of the ``world`` fixture for URLs with ids)
and the outcome for each role:

- ``"200"``, ``"403"``, ``"404"``, ``"405"``: the status code;
- ``"302 /path/"``: a redirect to that path (the query string is ignored).

Roles: an anonymous visitor, a participant of the demo cohort, a trainer of another cohort, the
demo cohort's trainer, and the course lead (Kursleitung). Wagtail's own admin screens follow
Wagtail's permissions; they are covered by ``WAGTAIL_ADMIN_SAMPLES`` and need no entry each.
Admin screens of this project's apps (viewsets and hook URLs) need an entry like any other URL.

To add an entry: copy one with the same protection, give the sample URL, and fill in what each
role must get; then check it against the running site.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.documents import get_document_model

from cms.models import ModulePage, SectionPage
from tests.factories import editor
from training.models import Cohort

ROLES = ("anonymous", "participant", "other_trainer", "trainer", "lead")
LOGIN = "302 /konto/anmelden/"
ADMIN_LOGIN = "302 /admin/login/"
ADMIN_DENIED = "302 /admin/"


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def logged_in(outcome: str, anonymous: str = LOGIN) -> dict[str, str]:
    return {"anonymous": anonymous, **dict.fromkeys(ROLES[1:], outcome)}


def editors(outcome: str, *, lead: str | None = None) -> dict[str, str]:
    return {
        "anonymous": ADMIN_LOGIN,
        "participant": ADMIN_LOGIN,
        "other_trainer": outcome,
        "trainer": outcome,
        "lead": lead or outcome,
    }


def lead_only(outcome: str = "200") -> dict[str, str]:
    return editors(ADMIN_DENIED, lead=outcome)


@dataclass(frozen=True)
class Access:
    url: str | Callable[[dict], str]
    expect: dict[str, str]
    samples: tuple = field(default=())  # more (url, expect) pairs for the same route


MATRIX: dict[str, Access] = {
    # --- operations, language, search --------------------------------------------------------
    "healthz": Access("/healthz", everyone("200")),
    "i18n/setlang/": Access("/i18n/setlang/", everyone("302 /")),
    "suche/": Access("/suche/?q=Datenschutz", everyone("200")),
    # --- login and account -------------------------------------------------------------------
    "konto/anmelden/": Access("/konto/anmelden/", everyone("200")),
    "konto/abmelden/": Access("/konto/abmelden/", everyone("405")),
    "konto/": Access("/konto/", logged_in("200")),
    "konto/daten/": Access("/konto/daten/", logged_in("200")),
    "konto/daten/meine-daten.json": Access("/konto/daten/meine-daten.json", logged_in("200")),
    "konto/loeschen/": Access("/konto/loeschen/", logged_in("200")),
    "konto/zwei-faktor/": Access("/konto/zwei-faktor/", logged_in("200")),
    # Without a device yet, the code page sends to the setup page.
    "konto/zwei-faktor/code/": Access(
        "/konto/zwei-faktor/code/", logged_in("302 /konto/zwei-faktor/")
    ),
    "konto/zwei-faktor/ausschalten/": Access("/konto/zwei-faktor/ausschalten/", logged_in("405")),
    # --- learning ----------------------------------------------------------------------------
    "lernen/": Access("/lernen/", logged_in("200")),
    # --- Wagtail's page serving: the course is public, unknown paths are 404 -----------------
    r"^((?:[\w\-]+/)*)$": Access(
        "/",
        everyone("200"),
        samples=(
            (lambda w: w["course"].url, everyone("200")),
            (lambda w: w["section"].url, everyone("200")),
            (lambda w: w["module"].url, everyone("200")),
            ("/gibt-es-nicht/", everyone("404")),
        ),
    ),
    "_util/login/": Access("/_util/login/", everyone("200")),
    "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/": Access(
        "/_util/authenticate_with_password/999999/999999/", everyone("404")
    ),
    # --- documents: only through Wagtail's serve view ----------------------------------------
    r"dokumente/^(\d+)/(.*)$": Access(
        lambda w: w["document"].url,
        everyone("200"),
        samples=((lambda w: f"/dokumente/{w['document'].pk}/anderer-name.pdf", everyone("404")),),
    ),
    "dokumente/authenticate_with_password/<int:restriction_id>/": Access(
        "/dokumente/authenticate_with_password/999999/", everyone("404")
    ),
    # --- admin screens of this project -------------------------------------------------------
    "admin/konten/": Access("/admin/konten/", editors("200")),
    "admin/konten/entsperren/": Access("/admin/konten/entsperren/", editors("405")),
    "admin/konten/<int:user_id>/zwei-faktor-zuruecksetzen/": Access(
        lambda w: f"/admin/konten/{w['participant'].pk}/zwei-faktor-zuruecksetzen/",
        editors("405"),
    ),
    "admin/konten/<int:user_id>/loeschen/": Access(
        lambda w: f"/admin/konten/{w['participant'].pk}/loeschen/", lead_only()
    ),
    "admin/protokoll/": Access("/admin/protokoll/", lead_only()),
    # Wagtail's test page for its 404 template (a Django view class, hence listed here).
    "admin/test404/": Access("/admin/test404/", editors("200")),
}

# Wagtail's own admin: spot checks that its permissions hold for our roles and groups.
WAGTAIL_ADMIN_SAMPLES = (
    ("/admin/", editors("200")),
    ("/admin/pages/", editors("200")),
    ("/admin/images/", editors("200")),
    ("/admin/documents/", editors("200")),
    ("/admin/snippets/training/quiz/", editors("200")),
    ("/admin/snippets/training/cohort/", editors("200")),
    ("/admin/snippets/training/cohort/add/", editors(ADMIN_DENIED, lead="200")),
    ("/admin/users/", editors(ADMIN_DENIED)),
    ("/admin/groups/", editors(ADMIN_DENIED)),
    ("/admin/sites/", editors(ADMIN_DENIED)),
)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _is_wagtails_own(route: str, pattern: URLPattern) -> bool:
    view = getattr(pattern.callback, "view_class", pattern.callback)
    module = getattr(view, "__module__", "") or ""
    return route.startswith("admin/") and module.startswith("wagtail.")


def project_routes() -> list[str]:
    return [
        route
        for route, pattern in _walk(get_resolver().url_patterns)
        if not _is_wagtails_own(route, pattern)
    ]


def test_every_url_has_an_entry():
    # given every URL pattern of the project, except Wagtail's own admin screens
    routes = project_routes()
    # then each has an entry saying what every role gets, and no entry is left over
    missing = [route for route in routes if route not in MATRIX]
    assert missing == [], (
        "URLs without an entry in tests/test_access_matrix.py MATRIX (see its docstring): "
        + ", ".join(missing)
    )
    assert sorted(set(MATRIX) - set(routes)) == []


def test_the_walk_sees_the_admin_screens_of_our_apps_and_not_wagtails():
    routes = project_routes()
    assert "admin/konten/" in routes
    assert "admin/pages/" not in routes


@pytest.fixture
def world(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    other_cohort = Cohort.objects.create(
        name="Landratsamt 2027", organisation="Landkreis Beispiel", course=demo["course"]
    )
    other_trainer = editor(username="andere-trainerin")
    other_cohort.trainers.add(other_trainer)
    document = get_document_model().objects.create(
        title="Merkblatt", file=SimpleUploadedFile("merkblatt.pdf", b"%PDF-1.4 Merkblatt")
    )
    section = SectionPage.objects.live().order_by("path").first()
    return {
        **demo,
        "other_trainer": other_trainer,
        "section": section,
        "module": ModulePage.objects.live().child_of(section).order_by("path").first(),
        "document": document,
    }


def outcome(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} {response.headers['Location'].split('?')[0]}"
    return str(response.status_code)


@pytest.mark.django_db
def test_every_role_gets_what_the_matrix_says(world):
    # given a client per role
    users = {
        "participant": world["participant"],
        "other_trainer": world["other_trainer"],
        "trainer": world["trainer"],
        "lead": world["lead"],
    }
    clients = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    checks = []
    for route, access in MATRIX.items():
        checks.append((route, access.url, access.expect))
        checks += [(route, url, expect) for url, expect in access.samples]
    checks += [("(wagtail admin)", url, expect) for url, expect in WAGTAIL_ADMIN_SAMPLES]
    # when each role opens each sample URL
    mismatches = []
    for _route, url, expect in checks:
        url = url(world) if callable(url) else url
        for role in ROLES:
            got = outcome(clients[role].get(url))
            if got != expect[role]:
                mismatches.append(f"{url} as {role}: expected {expect[role]}, got {got}")
    # then every outcome is the one the matrix gives
    assert mismatches == []
