"""Mailing a notification (accounts.notifications) to the person, for the kinds that go out by
email; run by the task ``accounts.notification_email``."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Notification
from core.links import absolute_url

Kind = Notification.Kind

# The kinds that go out by email, with their templates (subject, body).
MAILED = {
    Kind.ESSAY_MARKED: (
        "accounts/email/essay_marked_subject.txt",
        "accounts/email/essay_marked.txt",
    ),
}


def send_notification_email(*, notification_id: int) -> bool:
    """Mails one entry to the person, in German, with absolute links on the configured base
    URL. At most once: the row is locked while mailing and ``emailed_at`` set after the send (a
    failed send leaves it empty for a retry). False (no mail) for an unknown entry, a kind that
    is not mailed, an account without address or deactivated."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at or notification.kind not in MAILED:
            return False
        user = notification.user
        if not user.is_active or not user.email:
            return False
        subject_template, body_template = MAILED[notification.kind]
        context = {
            "user": user,
            "params": notification.params,
            "url": absolute_url(notification.link) if notification.link else "",
            "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
        }
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(render_to_string(subject_template, context).split())
            body = render_to_string(body_template, context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True
