"""Absolute links for mails, PDFs and exports: one base URL for all of them.

Every mail (certificate, invitation, password reset, reminders, essay marked, Wagtail's workflow
notifications) builds its links here from ``WAGTAILADMIN_BASE_URL``, never from a request's host
or the Wagtail site record, so a deployment sets its public address once (``make demo
PORT=8123`` sets it to that port)."""

from django.conf import settings


def base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """``path`` (starting with ``/``) on the configured base URL; an absolute URL stays as is."""
    if "://" in path:
        return path
    return base_url() + (path if path.startswith("/") else "/" + path)
