"""What happened to a person (an essay marked, a certificate issued, an enrollment), listed in
*Mein Konto*. The apps where it happens call ``notify`` inside their own transaction, so an
entry exists exactly when the change it reports was committed; ``occasion`` keeps a repeated
call (a task retry) from writing a second entry. The text is composed when shown, in the
reader's language."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification
from core.links import absolute_url

Kind = Notification.Kind
# How many entries Mein Konto shows (the data download has them all).
SHOWN = 20


@dataclass(frozen=True)
class NewNotification:
    user_id: int
    kind: str
    params: dict
    link: str = ""
    occasion: str = ""


def notify(
    *,
    user_id: int,
    kind: str,
    params: dict | None = None,
    link: str = "",
    occasion: str = "",
    email: bool = False,
) -> Notification:
    """Writes one entry for the person; with ``occasion``, at most one per (person, kind,
    occasion): a second call returns the first entry. ``email`` also mails it, after the
    caller's transaction commits (nothing on rollback), once (see ``send_notification_email``).
    """
    if occasion:
        existing = Notification.objects.filter(user_id=user_id, kind=kind, occasion=occasion)
        if (found := existing.first()) is not None:
            return found
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user_id=user_id,
                kind=kind,
                params=params or {},
                link=link,
                occasion=occasion,
                created_at=timezone.now(),
            )
    except IntegrityError:  # the same occasion written concurrently: the first one stands
        return Notification.objects.get(user_id=user_id, kind=kind, occasion=occasion)
    if email:
        from accounts import tasks

        tasks.send_notification_email.delay_on_commit(notification.pk)
    return notification


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


def notify_many(entries: Iterable[NewNotification]) -> int:
    """Writes many entries at once (an import); entries whose occasion exists are skipped."""
    now = timezone.now()
    rows = [
        Notification(
            user_id=e.user_id,
            kind=e.kind,
            params=e.params,
            link=e.link,
            occasion=e.occasion,
            created_at=now,
        )
        for e in entries
    ]
    return len(Notification.objects.bulk_create(rows, ignore_conflicts=True))


def recent_notifications(user, *, limit: int = SHOWN) -> list[Notification]:
    return list(Notification.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")[:limit])


def notification_text(notification: Notification) -> str:
    """The entry as a sentence in the active language."""
    p = notification.params or {}
    if notification.kind == Kind.ENROLLED:
        return _("Sie sind in die Weiterbildung «%(course)s» eingeschrieben.") % {
            "course": p.get("course", "")
        }
    if notification.kind == Kind.ESSAY_MARKED:
        return _("Ihre Freitext-Antwort in «%(quiz)s» wurde bewertet.") % {
            "quiz": p.get("quiz", "")
        }
    if notification.kind == Kind.CERTIFICATE_ISSUED:
        return _("Ihr Zertifikat %(serial)s für «%(course)s» ist ausgestellt.") % {
            "serial": p.get("serial", ""),
            "course": p.get("course", ""),
        }
    return str(notification.get_kind_display())


def export_notifications(user) -> list[dict]:
    """The privacy registry's export: every entry with its text as shown."""
    return [
        {
            "kind": n.kind,
            "text": notification_text(n),
            "link": absolute_url(n.link) if n.link else "",
            "created_at": n.created_at,
        }
        for n in Notification.objects.filter(user_id=user.pk).order_by("created_at", "pk")
    ]
