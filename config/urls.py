from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.sso import views as sso_views
from certificates import views as certificate_views
from cms import views as cms_views
from core import benchmark, health, metrics
from workspace.wagtail_hooks import site_history_urls

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("bench/bare", benchmark.bare, name="bench_bare"),  # 404 unless in benchmark mode
    # Wagtail's own password reset (off: WAGTAIL_PASSWORD_RESET_ENABLED) would bypass the app's
    # limit of mails per account and its lockout handling: its address leads to the app's reset.
    path(
        "admin/password_reset/",
        RedirectView.as_view(pattern_name="accounts:password_reset"),
        name="admin_password_reset",
    ),
    *site_history_urls(),  # before Wagtail's own: cohorts follow the cohort access rule
    # Wagtail's password form only while the deployment keeps the local login (accounts.sso).
    path("admin/login/", sso_views.admin_login, name="sso_admin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("dokumente/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Login and logout with the organisation login's buttons and provider logout (accounts.sso).
    path("konto/anmelden/", sso_views.LoginView.as_view(), name="login"),
    path("konto/abmelden/", sso_views.LogoutView.as_view(), name="logout"),
    path("konto/", include("accounts.urls")),
    path("suche/", cms_views.search, name="search"),
    path("lernen/", include("training.urls")),
    path("zertifikate/", include("certificates.urls")),
    path(".well-known/jwks.json", certificate_views.jwks, name="jwks"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Pages: Wagtail's URLs, with its serve view wrapped to take the site from the tree's memo (same
# pattern and name, still last).
urlpatterns += [
    *(p for p in wagtail_urls.urlpatterns if getattr(p, "name", None) != "wagtail_serve"),
    re_path(wagtail_urls.serve_pattern, cms_views.serve, name="wagtail_serve"),
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
