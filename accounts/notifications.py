"""What happened to a person (an essay marked, a certificate issued, an enrollment), listed in
*Mein Konto*. The apps where it happens call ``notify`` inside their own transaction, so an
entry exists exactly when the change it reports was committed; ``occasion`` keeps a repeated
call (a task retry) from writing a second entry. The text is composed when shown, in the
reader's language."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
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
    caller's transaction commits (nothing on rollback), once (``accounts.notification_mail``).
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
