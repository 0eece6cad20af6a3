"""HTTP hardening that belongs to no app: headers, the admin's own CSP, idle sessions, lockout.

Settings: ``CONTENT_SECURITY_POLICY``, ``PERMISSIONS_POLICY``, ``X_FRAME_OPTIONS``,
``SESSION_COOKIE_AGE`` and ``SESSION_RENEW_AFTER_SECONDS``, ``AXES_*`` (``config/settings.py``).
"""

import ipaddress
import time
from functools import cache

from axes.backends import AxesStandaloneBackend
from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils.cache import patch_cache_control

# Wagtail's admin templates carry inline scripts (date pickers, inline panels, listings) and
# inline styles, and its page preview is framed by the editor. These directives replace the
# participant policy under the admin prefix only.
ADMIN_CSP_REPLACE = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "frame-ancestors": [SELF],
}

# Wagtail renders a page preview by sending a dummy request for the page's own URL through the
# middleware, and the editor frames the result: such a response may be framed by the site.
PREVIEW_CSP_REPLACE = {"frame-ancestors": [SELF]}

RENEWED_AT_SESSION_KEY = "_renewed_at"


@cache
def admin_prefix() -> str:
    return reverse("wagtailadmin_home")


def is_admin_path(path: str) -> bool:
    return path.startswith(admin_prefix())


def is_preview(request) -> bool:
    """Wagtail's dummy request for a preview (``Page.make_preview_request`` marks it)."""
    return getattr(request, "is_dummy", False)


def client_ip(request) -> str:
    """The client's address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies (0: none, the
    default) it is the entry of ``X-Forwarded-For`` that the outermost trusted proxy appended;
    entries further left are the client's own claims and never trusted. A missing or malformed
    entry falls back to ``REMOTE_ADDR``. django-axes (``AXES_CLIENT_IP_CALLABLE``) and the rate
    limits use it."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def count_hit(key: str, *, window: int) -> int | None:
    """Counts one hit in a fixed window of ``window`` seconds in the shared cache; returns the
    count so far, or None when the cache is unreachable (the limits then let requests through
    rather than failing the page)."""
    from django.core.cache import cache as shared_cache

    shared_cache.add(key, 0, timeout=window)
    try:
        return shared_cache.incr(key)
    except ValueError:  # the window expired between add and incr
        shared_cache.set(key, 1, timeout=window)
        return 1


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, placed before the password check.

    A login from a request (every login form of the site, Wagtail's admin login included) is
    checked and counted. ``authenticate()`` without a request (the test client's ``login()``,
    shell sessions) has no client to lock out, so this backend steps aside instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with the relaxed admin policy under the admin prefix, and previews that the
    admin may frame."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and is_admin_path(request.path_info):
            parts.replace = {**ADMIN_CSP_REPLACE, **(parts.replace or {})}
        elif not report_only and is_preview(request):
            parts.replace = {**PREVIEW_CSP_REPLACE, **(parts.replace or {})}
        return parts


class SecurityHeadersMiddleware:
    """Permissions-Policy everywhere; same-origin framing for the admin and Wagtail's previews;
    ``Cache-Control: private, no-store`` on every answer to a logged-in person (Wagtail pages
    show their name, logout button and progress): neither a shared proxy nor the browser's
    back/forward cache on a shared counter computer keeps them.

    Sits below Django's XFrameOptionsMiddleware, so the admin's ``SAMEORIGIN`` is set first and
    kept; every other response gets ``X_FRAME_OPTIONS`` (``DENY``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if is_admin_path(request.path_info) or is_preview(request):
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class SessionIdleTimeoutMiddleware:
    """Ends a logged-in session after ``SESSION_COOKIE_AGE`` seconds without a request.

    Saving a session renews its expiry; instead of ``SESSION_SAVE_EVERY_REQUEST`` (a database
    write on every page) the session is marked for saving at most once per
    ``SESSION_RENEW_AFTER_SECONDS``, so the timeout is exact to within that interval."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key and session.get(SESSION_KEY):
            now = int(time.time())
            renewed_at = session.get(RENEWED_AT_SESSION_KEY, 0)
            if now - renewed_at >= settings.SESSION_RENEW_AFTER_SECONDS:
                session[RENEWED_AT_SESSION_KEY] = now
        return self.get_response(request)
