"""The access matrix: what every URL of the project gives each kind of visitor.

Every URL pattern (walked from Django's resolver) needs an entry in ``MATRIX``, keyed by its
route as the resolver spells it; a new URL without one fails ``test_every_url_has_an_entry``.
An entry gives a sample URL (a string, or a function of the ``world`` fixture for URLs with ids)
and the outcome for each role:

- ``"200"``, ``"403"``, ``"404"``, ``"405"``: the status code;
- ``"302 /path/"``: a redirect to that path (the query string is ignored);
- a function of ``world`` giving one of these, for a redirect to a path with an id.

Roles: an anonymous visitor, a participant of the demo cohort, a trainer of another cohort, the
demo cohort's trainer, and the course lead (Kursleitung). Wagtail's own admin screens follow
Wagtail's permissions; they are covered by ``WAGTAIL_ADMIN_SAMPLES`` and need no entry each.
Admin screens of this project's apps (viewsets and hook URLs) need an entry like any other URL.

Sample URLs with ids use objects of the right kind for the check to mean something: the demo
participant's own attempt and certificate, the demo cohort (trained by ``trainer``, not by
``other_trainer``) and its participant, a job the trainer started. So a trainer of another cohort
is seen to get 403 or 404, never the other cohort's data.

To add an entry: copy one with the same protection, give the sample URL, and fill in what each
role must get; then check it against the running site.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from wagtail.documents import get_document_model

from accounts.emails import email_change_token
from accounts.invitations import invitation_tokens
from certificates.services import issue_certificate
from cms.models import ModulePage, SectionPage
from cms.selectors import course_modules
from tests.factories import complete_course, editor, make_sitting
from training.models import Cohort, Enrollment
from training.quizzes.selectors import module_quiz
from training.quizzes.services import start_sitting
from workspace.models import WorkspaceJob

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


def own_attempt(outcome) -> dict:
    """A participant's own attempt: theirs to see; anybody else is refused, trainers too."""
    return {**logged_in("403"), "participant": outcome}


def own_cohort(outcome, *, lead=None, other_trainer: str = "404") -> dict:
    """An admin screen about the demo cohort (or something in it): its trainer and the course
    lead get ``outcome``, a trainer of another cohort finds nothing."""
    return {**editors(outcome, lead=lead), "other_trainer": other_trainer}


def creator_only(outcome) -> dict:
    return {**editors("404"), "trainer": outcome}


def cohort_path(world) -> str:
    return f"/admin/lernstand/{world['cohort'].pk}"


def enrollment_path(world) -> str:
    return f"{cohort_path(world)}/teilnehmende/{world['enrollment'].pk}"


def calendar_token(user) -> str:
    from certificates.reminders import preference_for

    return preference_for(user).calendar_token


def password_reset_path(user, token: str | None = None) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = token or default_token_generator.make_token(user)
    return f"/konto/passwort-neu/{uid}/{token}/"


def invitation_path(user, token: str | None = None) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = token or invitation_tokens.make_token(user)
    return f"/konto/einladung/{uid}/{token}/"


@dataclass(frozen=True)
class Access:
    url: str | Callable[[dict], str]
    expect: dict[str, str]
    samples: tuple = field(default=())  # more (url, expect) pairs for the same route


MATRIX: dict[str, Access] = {
    # --- operations, language, search --------------------------------------------------------
    "healthz": Access("/healthz", everyone("200")),
    # Only for configured addresses or the token (tests/test_metrics.py): nobody here.
    "metrics": Access("/metrics", everyone("404")),
    "i18n/setlang/": Access("/i18n/setlang/", everyone("302 /")),
    "suche/": Access("/suche/?q=Datenschutz", everyone("200")),
    # --- login and account -------------------------------------------------------------------
    "konto/anmelden/": Access("/konto/anmelden/", everyone("200")),
    "konto/abmelden/": Access("/konto/abmelden/", everyone("405")),
    "konto/": Access("/konto/", logged_in("200")),
    "konto/daten/": Access("/konto/daten/", logged_in("200")),
    "konto/daten/meine-daten.json": Access("/konto/daten/meine-daten.json", logged_in("200")),
    "konto/daten/uebersicht/": Access("/konto/daten/uebersicht/", logged_in("200")),
    "konto/daten/meine-daten.pdf": Access("/konto/daten/meine-daten.pdf", logged_in("200")),
    "konto/passwort/": Access("/konto/passwort/", logged_in("200")),
    "konto/bezeichnung/": Access("/konto/bezeichnung/", logged_in("200")),
    "konto/benachrichtigungen/": Access("/konto/benachrichtigungen/", logged_in("200")),
    "konto/loeschen/": Access("/konto/loeschen/", logged_in("200")),
    "konto/zwei-faktor/": Access("/konto/zwei-faktor/", logged_in("200")),
    # Without a device yet, the code page sends to the setup page.
    "konto/zwei-faktor/code/": Access(
        "/konto/zwei-faktor/code/", logged_in("302 /konto/zwei-faktor/")
    ),
    "konto/zwei-faktor/ausschalten/": Access("/konto/zwei-faktor/ausschalten/", logged_in("405")),
    # Organisation login (accounts.sso; no provider is configured here): an unknown provider is
    # not found, a callback without a state this session started is refused, the SP metadata
    # is public, the ACS takes POSTs only, the SLO endpoint wants a SAML message.
    "konto/sso/oidc/<slug:provider_key>/": Access(
        "/konto/sso/oidc/gibt-es-nicht/", everyone("404")
    ),
    "konto/sso/oidc/callback/": Access("/konto/sso/oidc/callback/?state=x&code=y", everyone("400")),
    "konto/sso/saml/<slug:provider_key>/": Access(
        "/konto/sso/saml/gibt-es-nicht/", everyone("404")
    ),
    "konto/sso/saml/metadata/": Access("/konto/sso/saml/metadata/", everyone("200")),
    "konto/sso/saml/acs/": Access("/konto/sso/saml/acs/", everyone("405")),
    "konto/sso/saml/sls/": Access("/konto/sso/saml/sls/", everyone("400")),
    # The emergency login form (superusers only, checked at login) is reachable for everyone.
    "konto/notfall-anmeldung/": Access("/konto/notfall-anmeldung/", everyone("200")),
    "konto/passwort-vergessen/": Access("/konto/passwort-vergessen/", everyone("200")),
    "konto/passwort-vergessen/gesendet/": Access(
        "/konto/passwort-vergessen/gesendet/", everyone("200")
    ),
    # A link that is not (or no longer) valid shows the same page to everyone; a valid one moves
    # the token into the session and redirects to the form.
    "konto/passwort-neu/<uidb64>/<token>/": Access(
        "/konto/passwort-neu/MQ/falsch-0123456789/",
        everyone("200"),
        samples=(
            (
                lambda w: password_reset_path(w["participant"]),
                everyone(lambda w: "302 " + password_reset_path(w["participant"], "set-password")),
            ),
        ),
    ),
    "konto/passwort-neu/fertig/": Access("/konto/passwort-neu/fertig/", everyone("200")),
    "konto/einladung/<uidb64>/<token>/": Access(
        "/konto/einladung/MQ/falsch-0123456789/",
        everyone("200"),
        samples=(
            (
                lambda w: invitation_path(w["participant"]),
                everyone(lambda w: "302 " + invitation_path(w["participant"], "set-password")),
            ),
        ),
    ),
    # A confirmation link for a new email address: only the account it was made for (400 for a
    # malformed link).
    "konto/email-bestaetigen/<str:token>/": Access(
        "/konto/email-bestaetigen/falsch/",
        logged_in("400"),
        samples=(
            (
                lambda w: (
                    "/konto/email-bestaetigen/"
                    + email_change_token(user=w["participant"], new_email="neu-adresse@example.org")
                    + "/"
                ),
                own_attempt("200"),
            ),
        ),
    ),
    # --- learning ----------------------------------------------------------------------------
    "lernen/": Access("/lernen/", logged_in("200")),
    "lernen/fortschritt/": Access("/lernen/fortschritt/", logged_in("200")),
    # Actions: POST only (what a POST does is tested with the services).
    "lernen/module/<int:module_id>/gelesen/": Access(
        lambda w: f"/lernen/module/{w['module'].pk}/gelesen/", everyone("405")
    ),
    "lernen/module/<int:module_id>/lernkontrolle/": Access(
        lambda w: f"/lernen/module/{w['module'].pk}/lernkontrolle/", everyone("405")
    ),
    # The participant's own attempts; anybody else's is refused (403), an unknown id is 404.
    "lernen/versuche/<int:sitting_id>/": Access(
        lambda w: f"/lernen/versuche/{w['open_sitting'].pk}/",
        own_attempt("200"),
        samples=(
            (
                lambda w: f"/lernen/versuche/{w['sitting'].pk}/",
                own_attempt(lambda w: f"302 /lernen/versuche/{w['sitting'].pk}/ergebnis/"),
            ),
            ("/lernen/versuche/999999/", logged_in("404")),
        ),
    ),
    "lernen/versuche/<int:sitting_id>/ergebnis/": Access(
        lambda w: f"/lernen/versuche/{w['sitting'].pk}/ergebnis/",
        own_attempt("200"),
        samples=(
            (
                lambda w: f"/lernen/versuche/{w['open_sitting'].pk}/ergebnis/",
                own_attempt(lambda w: f"302 /lernen/versuche/{w['open_sitting'].pk}/"),
            ),
        ),
    ),
    # --- certificates: public verification, the holder's own PDF ------------------------------
    "zertifikate/pruefen/": Access("/zertifikate/pruefen/", everyone("200")),
    "zertifikate/pruefen/<str:code>/": Access(
        lambda w: f"/zertifikate/pruefen/{w['certificate'].display_code}/",
        everyone("200"),
        samples=(("/zertifikate/pruefen/GIBT-ES-NICHT/", everyone("404")),),
    ),
    "zertifikate/pruefen/<str:code>/json/": Access(
        lambda w: f"/zertifikate/pruefen/{w['certificate'].display_code}/json/",
        everyone("200"),
        samples=(("/zertifikate/pruefen/GIBT-ES-NICHT/json/", everyone("404")),),
    ),
    "zertifikate/jwks.json": Access("/zertifikate/jwks.json", everyone("200")),
    ".well-known/jwks.json": Access("/.well-known/jwks.json", everyone("200")),
    # Only the holder downloads it; for anybody else it does not exist (404), trainers included.
    "zertifikate/<uuid:certificate_id>/pdf/": Access(
        lambda w: f"/zertifikate/{w['certificate'].pk}/pdf/",
        {**logged_in("404"), "participant": "200"},
    ),
    # Renewal: only the holder sees (200) and starts it; for anybody else the certificate does
    # not exist (404), trainers included. The demo course has no validity: the page explains
    # that none is needed. A renewal for an unknown certificate id is 404 too.
    "zertifikate/<uuid:certificate_id>/auffrischung/": Access(
        lambda w: f"/zertifikate/{w['certificate'].pk}/auffrischung/",
        {**logged_in("404"), "participant": "200"},
        samples=(
            (
                "/zertifikate/00000000-0000-0000-0000-000000000000/auffrischung/",
                logged_in("404"),
            ),
        ),
    ),
    # Open Badges 3.0: the holder's own credential (like the PDF); issuer profile and status
    # list are public, as every verifier must read them.
    "zertifikate/<uuid:certificate_id>/nachweis.<str:fmt>": Access(
        lambda w: f"/zertifikate/{w['certificate'].pk}/nachweis.jwt",
        {**logged_in("404"), "participant": "200"},
        samples=(
            (
                lambda w: f"/zertifikate/{w['certificate'].pk}/nachweis.json",
                {**logged_in("404"), "participant": "200"},
            ),
        ),
    ),
    "zertifikate/aussteller/": Access("/zertifikate/aussteller/", everyone("200")),
    "zertifikate/status/<int:list_number>/": Access("/zertifikate/status/0/", everyone("200")),
    # Reminders: the person's own settings; the calendar feed's secret address is its only key.
    "zertifikate/erinnerungen/": Access("/zertifikate/erinnerungen/", logged_in("200")),
    "zertifikate/kalender/<str:token>.ics": Access(
        lambda w: f"/zertifikate/kalender/{calendar_token(w['participant'])}.ics",
        everyone("200"),
        samples=(("/zertifikate/kalender/geraten.ics", everyone("404")),),
    ),
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
    # --- operations ----------------------------------------------------------------------------
    # The benchmark's reference view exists only in benchmark mode (off here, as in production).
    "bench/bare": Access("/bench/bare", everyone("404")),
    # --- admin screens of this project -------------------------------------------------------
    # Wagtail's admin login, kept only while the local login is on (accounts.sso.views).
    "admin/login/": Access(
        "/admin/login/",
        {
            **everyone("200"),
            "other_trainer": "302 /admin/",
            "trainer": "302 /admin/",
            "lead": "302 /admin/",
        },
    ),
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
    # Wagtail's site history, served with cohorts narrowed to the cohort access rule.
    "admin/reports/site-history/": Access("/admin/reports/site-history/", editors("200")),
    "admin/reports/site-history/results/": Access(
        "/admin/reports/site-history/results/", editors("200")
    ),
    # Wagtail's password reset is off; its address leads to the app's reset.
    "admin/password_reset/": Access(
        "/admin/password_reset/", everyone("302 /konto/passwort-vergessen/")
    ),
    # Wagtail's test page for its 404 template (a Django view class, hence listed here).
    "admin/test404/": Access("/admin/test404/", editors("200")),
    # --- trainer workspace (Lernstand): the demo cohort is the trainer's, not the other's ------
    "admin/lernstand/": Access("/admin/lernstand/", editors("200")),
    "admin/lernstand/<int:cohort_id>/": Access(lambda w: f"{cohort_path(w)}/", own_cohort("200")),
    "admin/lernstand/<int:cohort_id>/export/bericht.<slug:fmt>": Access(
        lambda w: f"{cohort_path(w)}/export/bericht.csv",
        own_cohort("200"),
        samples=((lambda w: f"{cohort_path(w)}/export/bericht.pdf", own_cohort("404")),),
    ),
    "admin/lernstand/<int:cohort_id>/teilnehmende/": Access(
        lambda w: f"{cohort_path(w)}/teilnehmende/", own_cohort("200")
    ),
    # Enrolling is a POST; a GET goes back to the list.
    "admin/lernstand/<int:cohort_id>/teilnehmende/einschreiben/": Access(
        lambda w: f"{cohort_path(w)}/teilnehmende/einschreiben/",
        own_cohort(lambda w: f"302 {cohort_path(w)}/teilnehmende/"),
    ),
    "admin/lernstand/<int:cohort_id>/teilnehmende/export.<slug:fmt>": Access(
        lambda w: f"{cohort_path(w)}/teilnehmende/export.csv", own_cohort("200")
    ),
    "admin/lernstand/<int:cohort_id>/teilnehmende/<int:enrollment_id>/": Access(
        lambda w: f"{enrollment_path(w)}/",
        own_cohort("200"),
        # The participant under another cohort's id (one the other trainer trains): not found.
        samples=(
            (
                lambda w: (
                    f"/admin/lernstand/{w['other_cohort'].pk}/teilnehmende/{w['enrollment'].pk}/"
                ),
                editors("404"),
            ),
        ),
    ),
    "admin/lernstand/<int:cohort_id>/teilnehmende/<int:enrollment_id>/austragen/": Access(
        lambda w: f"{enrollment_path(w)}/austragen/", own_cohort("200")
    ),
    "admin/lernstand/<int:cohort_id>/teilnehmende/<int:enrollment_id>/einladung/": Access(
        lambda w: f"{enrollment_path(w)}/einladung/", editors("405")
    ),
    "admin/lernstand/<int:cohort_id>/teilnehmende/<int:enrollment_id>/versuche/<int:sitting_id>/": (
        Access(lambda w: f"{enrollment_path(w)}/versuche/{w['sitting'].pk}/", own_cohort("200"))
    ),
    "admin/lernstand/<int:cohort_id>/import/": Access(
        lambda w: f"{cohort_path(w)}/import/", own_cohort("200")
    ),
    # A job is its creator's (here the trainer's): nobody else finds it, the course lead neither.
    "admin/lernstand/auftraege/<int:job_id>/": Access(
        lambda w: f"/admin/lernstand/auftraege/{w['job'].pk}/", creator_only("200")
    ),
    "admin/lernstand/auftraege/<int:job_id>/ausfuehren/": Access(
        lambda w: f"/admin/lernstand/auftraege/{w['job'].pk}/ausfuehren/", editors("405")
    ),
    "admin/lernstand/auftraege/<int:job_id>/datei/": Access(
        lambda w: f"/admin/lernstand/auftraege/{w['job'].pk}/datei/", creator_only("200")
    ),
    # Figures per organisation unit are for unit leads (Dienststellenleitung) only.
    "admin/lernstand/<int:cohort_id>/lernkontrollen/<int:quiz_id>/": Access(
        lambda w: f"{cohort_path(w)}/lernkontrollen/{w['quiz'].pk}/", own_cohort("200")
    ),
    "admin/lernstand/lernkontrollen/<int:quiz_id>/": Access(
        lambda w: f"/admin/lernstand/lernkontrollen/{w['quiz'].pk}/", editors("403", lead="200")
    ),
    # Regrading a question (Neu bewerten) is the course lead's alone.
    "admin/lernstand/lernkontrollen/<int:quiz_id>/fragen/<str:question_id>/neu-bewerten/": Access(
        lambda w: f"/admin/lernstand/lernkontrollen/{w['quiz'].pk}/fragen/s1/neu-bewerten/",
        editors("403", lead="200"),
    ),
    "admin/lernstand/organisationseinheiten/": Access(
        "/admin/lernstand/organisationseinheiten/", editors("403")
    ),
    # --- essay marking -------------------------------------------------------------------------
    "admin/bewertung/": Access("/admin/bewertung/", editors("200")),
    # Question interchange (workspace/interchange/admin.py): whoever may add or change quizzes.
    "admin/fragen-austausch/": Access("/admin/fragen-austausch/", editors("200")),
    "admin/fragen-austausch/vorschau/<str:token>/": Access(
        "/admin/fragen-austausch/vorschau/unbekannt/", editors("302 /admin/fragen-austausch/")
    ),
    "admin/fragen-austausch/export/<int:quiz_id>/": Access(
        lambda w: f"/admin/fragen-austausch/export/{w['quiz'].pk}/", editors("200")
    ),
    "admin/bewertung/<int:sitting_id>/": Access(
        lambda w: f"/admin/bewertung/{w['sitting'].pk}/", own_cohort("200")
    ),
    # --- cohorts (snippets): trainers see and change their own, the course lead all ----------
    "admin/snippets/training/cohort/": Access("/admin/snippets/training/cohort/", editors("200")),
    "admin/snippets/training/cohort/results/": Access(
        "/admin/snippets/training/cohort/results/", editors("200")
    ),
    "admin/snippets/training/cohort/edit/<int:pk>/": Access(
        lambda w: f"/admin/snippets/training/cohort/edit/{w['cohort'].pk}/", own_cohort("200")
    ),
    "admin/snippets/training/cohort/delete/<int:pk>/": Access(
        lambda w: f"/admin/snippets/training/cohort/delete/{w['cohort'].pk}/",
        own_cohort(ADMIN_DENIED, lead="200"),
    ),
    "admin/snippets/training/cohort/usage/<int:pk>/": Access(
        lambda w: f"/admin/snippets/training/cohort/usage/{w['cohort'].pk}/", own_cohort("200")
    ),
    "admin/snippets/training/cohort/history/<int:pk>/": Access(
        lambda w: f"/admin/snippets/training/cohort/history/{w['cohort'].pk}/", own_cohort("200")
    ),
    "admin/snippets/training/cohort/history-results/<int:pk>/": Access(
        lambda w: f"/admin/snippets/training/cohort/history-results/{w['cohort'].pk}/",
        own_cohort("200"),
    ),
    "admin/snippets/training/cohort/copy/<int:pk>/": Access(
        lambda w: f"/admin/snippets/training/cohort/copy/{w['cohort'].pk}/",
        lead_only(),  # copying adds a cohort: only the course lead may
    ),
    # The cohort chooser lists and returns only the cohorts of the access rule.
    "admin/snippets/choose/training/cohort/": Access(
        "/admin/snippets/choose/training/cohort/", editors("200")
    ),
    "admin/snippets/choose/training/cohort/results/": Access(
        "/admin/snippets/choose/training/cohort/results/", editors("200")
    ),
    "admin/snippets/choose/training/cohort/chosen/<str:pk>/": Access(
        lambda w: f"/admin/snippets/choose/training/cohort/chosen/{w['cohort'].pk}/",
        own_cohort("200"),
    ),
    "admin/snippets/choose/training/cohort/chosen-multiple/": Access(
        lambda w: f"/admin/snippets/choose/training/cohort/chosen-multiple/?id={w['cohort'].pk}",
        editors("200"),
    ),
    # --- certificate register: trainers see their cohorts' certificates, the lead revokes -----
    "admin/certificate/": Access("/admin/certificate/", editors("200")),
    "admin/certificate/results/": Access("/admin/certificate/results/", editors("200")),
    "admin/certificate/inspect/<uuid:pk>/": Access(
        lambda w: f"/admin/certificate/inspect/{w['certificate'].pk}/", own_cohort("200")
    ),
    "admin/certificate/history/<uuid:pk>/": Access(
        lambda w: f"/admin/certificate/history/{w['certificate'].pk}/", own_cohort("200")
    ),
    "admin/certificate/history-results/<uuid:pk>/": Access(
        lambda w: f"/admin/certificate/history-results/{w['certificate'].pk}/", own_cohort("200")
    ),
    "admin/certificate/revoke/<uuid:pk>/": Access(
        lambda w: f"/admin/certificate/revoke/{w['certificate'].pk}/", lead_only("200")
    ),
}

# Wagtail's own admin: spot checks that its permissions hold for our roles and groups.
WAGTAIL_ADMIN_SAMPLES = (
    ("/admin/", editors("200")),
    ("/admin/pages/", editors("200")),
    ("/admin/images/", editors("200")),
    ("/admin/documents/", editors("200")),
    ("/admin/snippets/training/quiz/", editors("200")),
    # Glossary terms: trainers and the course lead write them (issue 19).
    ("/admin/snippets/cms/glossaryterm/", editors("200")),
    ("/admin/snippets/cms/glossaryterm/add/", editors("200")),
    ("/admin/snippets/training/cohort/", editors("200")),
    ("/admin/snippets/training/cohort/add/", editors(ADMIN_DENIED, lead="200")),
    # Cohort bulk actions follow the cohort access rule (details:
    # tests/training/workspace/test_cohort_admin_scope.py).
    ("/admin/snippets/choose/training/cohort/", editors("200")),
    ("/admin/snippets/choose/training/cohort/results/", editors("200")),
    (
        lambda w: f"/admin/snippets/choose/training/cohort/chosen/{w['cohort'].pk}/",
        own_cohort("200"),
    ),
    # Wagtail answers the bulk deletion with a page for every editor; only the lead may delete.
    (lambda w: f"/admin/bulk/training/cohort/delete/?id={w['cohort'].pk}", editors("200")),
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
    # All roles open the verification pages from one address; the limit is not under test here.
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 1000
    # Refused organisation logins count towards the lockout like wrong passwords; not under test.
    settings.AXES_FAILURE_LIMIT = 1000
    cohort = Cohort.objects.get(trainers=demo["trainer"])
    other_cohort = Cohort.objects.create(
        name="Landratsamt 2027", organisation="Landkreis Beispiel", course=demo["course"]
    )
    other_trainer = editor(username="andere-trainerin")
    other_cohort.trainers.add(other_trainer)
    document = get_document_model().objects.create(
        title="Merkblatt", file=SimpleUploadedFile("merkblatt.pdf", b"%PDF-1.4 Merkblatt")
    )
    section = SectionPage.objects.live().order_by("path").first()
    participant = demo["participant"]
    enrollment = Enrollment.objects.get(user=participant, cohort=cohort)
    # The participant's attempts at the first quiz: a finished one and an open one.
    quiz_module = next(m for m in course_modules(demo["course"]) if module_quiz(m.pk))
    quiz = module_quiz(quiz_module.pk)
    sitting = make_sitting(enrollment=enrollment, module_id=quiz_module.pk, quiz=quiz)
    open_sitting = start_sitting(user=participant, module_id=quiz_module.pk)
    # The participant completes the course and holds a certificate.
    complete_course(enrollment)
    certificate = issue_certificate(enrollment_id=enrollment.pk).certificate
    # A finished export the trainer started.
    job = WorkspaceJob.objects.create(
        kind=WorkspaceJob.Kind.REPORT_EXPORT,
        status=WorkspaceJob.Status.DONE,
        cohort=cohort,
        created_by=demo["trainer"],
        result_file=SimpleUploadedFile("bericht.xlsx", b"PK\x03\x04"),
        result={"filename": "bericht.xlsx"},
    )
    return {
        **demo,
        "other_trainer": other_trainer,
        "cohort": cohort,
        "other_cohort": other_cohort,
        "enrollment": enrollment,
        "section": section,
        "module": ModulePage.objects.live().child_of(section).order_by("path").first(),
        "document": document,
        "sitting": sitting,
        "open_sitting": open_sitting,
        "quiz": quiz,
        "certificate": certificate,
        "job": job,
    }


def expected(outcome, world) -> str:
    return outcome(world) if callable(outcome) else outcome


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
            want = expected(expect[role], world)
            if got != want:
                mismatches.append(f"{url} as {role}: expected {want}, got {got}")
    # then every outcome is the one the matrix gives
    assert mismatches == []
