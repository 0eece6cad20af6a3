"""Reminders and nudges by email (German), and the personal calendar feed.

Four occasions, each run by a beat task with an injectable clock (``now``):

- **expiry**: a certificate's end date is 90, 30 or 7 days away (``REMINDER_EXPIRY_DAYS``);
  only the nearest threshold reached is sent, so a late start never sends three at once; the
  mail links to the certificate's renewal page. A certificate already renewed, or whose
  refresher is complete, gets none;
- **inactivity**: a participant has not progressed for ``REMINDER_INACTIVITY_DAYS`` (14); one
  friendly reminder per pause, naming the next module;
- **cohort end**: a week before the cohort's end date, required modules still open;
- **trainer digest**: weekly, per cohort and trainer (``certificates.digest``): counts only.

At most once per person and occasion: a reminder first claims its ``ReminderLog`` row (unique
person × kind × occasion) in its own committed transaction, then sends. A second beat or a retry
finds the row and sends nothing. When sending fails the claim is removed, so a later run tries
again; only a mail server that fails after accepting the message can lose one reminder, never
double it. People who switched reminders off in *Mein Konto* get none.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.selectors import ERASED_USERNAME_PREFIX
from certificates.models import Certificate, ReminderLog, ReminderPreference, new_calendar_token
from training.renewals import completed_refreshers
from training.selectors import active_enrollments, calendar_enrollments, open_required_work

logger = logging.getLogger(__name__)
Kind = ReminderLog.Kind


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def greeting(user) -> str:
    return user.get_full_name().strip() or user.get_username()


# --- Preferences and the calendar token --------------------------------------------------------


def preference_for(user) -> ReminderPreference:
    preference, _created = ReminderPreference.objects.get_or_create(user=user)
    return preference


def set_reminders_enabled(*, user, enabled: bool) -> ReminderPreference:
    preference = preference_for(user)
    preference.reminders_enabled = bool(enabled)
    preference.save(update_fields=["reminders_enabled"])
    return preference


def renew_calendar_token(*, user) -> ReminderPreference:
    """A new secret feed address; the old one stops working at once."""
    preference = preference_for(user)
    preference.calendar_token = new_calendar_token()
    preference.save(update_fields=["calendar_token"])
    return preference


def opted_out_ids() -> set[int]:
    return set(
        ReminderPreference.objects.filter(reminders_enabled=False).values_list("user_id", flat=True)
    )


# --- At most once -----------------------------------------------------------------------------


def send_once(*, user, kind: str, occasion: str, subject: str, body: str, now) -> bool:
    """Claims the (user, kind, occasion) row, then sends; returns whether this call sent it."""
    if not user.email:
        return False
    try:
        with transaction.atomic():
            claim = ReminderLog.objects.create(
                user=user, kind=kind, occasion=occasion[:100], sent_at=now
            )
    except IntegrityError:
        return False  # already sent (or being sent) by another run
    try:
        EmailMessage(subject=subject, body=body, to=[user.email]).send(fail_silently=False)
    except Exception:
        claim.delete()  # not sent: a later run may try again
        raise
    return True


# --- Expiry -----------------------------------------------------------------------------------


def send_expiry_reminders(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    thresholds = sorted(settings.REMINDER_EXPIRY_DAYS)
    if not thresholds:
        return 0
    opted_out = opted_out_ids()
    certificates = (
        Certificate.objects.filter(
            revoked_at__isnull=True,
            valid_until__gt=now,
            valid_until__lte=now + timedelta(days=thresholds[-1]),
            successor__isnull=True,
        )
        .exclude(enrollment__user__username__startswith=ERASED_USERNAME_PREFIX)
        .exclude(pk__in=completed_refreshers())
        .select_related("enrollment__user")
    )
    sent = 0
    for certificate in certificates:
        user = certificate.enrollment.user
        if user.pk in opted_out:
            continue
        days_left = certificate.valid_until - now
        threshold = next(d for d in thresholds if days_left <= timedelta(days=d))
        with translation.override("de"):
            subject = _("Ihr Zertifikat %(serial)s läuft bald ab") % {"serial": certificate.serial}
            body = _(
                "Guten Tag %(name)s\n\n"
                "Ihr Zertifikat «%(course)s» (%(serial)s) ist gültig bis %(date)s.\n\n"
                "Damit Ihre Qualifikation aktuell bleibt, frischen Sie sie vor diesem Datum auf: "
                "Sie wiederholen die Module der Auffrischung und erhalten danach ein neues "
                "Zertifikat, dessen Gültigkeit an das bisherige Ablaufdatum anschliesst. "
                "Hier starten Sie die Auffrischung oder sehen Ihren Stand (nach der Anmeldung):\n"
                "%(renewal)s\n\n"
                "Sie möchten keine Erinnerungen mehr? Unter «Mein Konto» können Sie sie "
                "abschalten:\n%(settings)s\n\n"
                "Freundliche Grüsse\nIhre Bürgerservice-Akademie\n"
            ) % {
                "name": greeting(user),
                "course": certificate.course_title,
                "serial": certificate.serial,
                "date": timezone.localdate(certificate.valid_until).strftime("%d.%m.%Y"),
                "renewal": absolute_url(reverse("certificates:renewal", args=[certificate.pk])),
                "settings": absolute_url(reverse("certificates:reminder_settings")),
            }
        sent += send_once(
            user=user,
            kind=Kind.EXPIRY,
            occasion=f"{certificate.pk}:{threshold}",
            subject=subject,
            body=body,
            now=now,
        )
    return sent


# --- Participants who pause, and cohorts that end -------------------------------------------


def send_inactivity_reminders(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    days = settings.REMINDER_INACTIVITY_DAYS
    opted_out = opted_out_ids()
    candidates = active_enrollments().filter(enrolled_at__lte=now - timedelta(days=days))
    sent = 0
    for work in open_required_work(candidates):
        user = work.enrollment.user
        if user.pk in opted_out or not work.open_required:
            continue
        if work.last_activity > now - timedelta(days=days):
            continue
        next_module = work.open_required[0]
        with translation.override("de"):
            subject = _("Weiter geht's: «%(module)s»") % {"module": next_module.title}
            body = _(
                "Guten Tag %(name)s\n\n"
                "Seit einiger Zeit haben Sie in der Weiterbildung «%(course)s» nicht "
                "weitergelernt. Das ist kein Problem – Ihr Lernstand ist gespeichert.\n\n"
                "Ihr nächster Schritt: das Modul «%(module)s» (etwa %(minutes)s Minuten).\n"
                "%(url)s\n\n"
                "Noch %(open)s Pflichtmodule sind offen.\n\n"
                "Erinnerungen abschalten: %(settings)s\n\n"
                "Freundliche Grüsse\nIhre Bürgerservice-Akademie\n"
            ) % {
                "name": greeting(user),
                "course": work.enrollment.course.title,
                "module": next_module.title,
                "minutes": next_module.estimated_minutes,
                "url": absolute_url(next_module.url or "/"),
                "open": len(work.open_required),
                "settings": absolute_url(reverse("certificates:reminder_settings")),
            }
        sent += send_once(
            user=user,
            kind=Kind.INACTIVITY,
            # One reminder per pause: progress after it starts a new occasion.
            occasion=f"{work.enrollment.pk}:{work.last_activity:%Y%m%d%H%M%S}",
            subject=subject,
            body=body,
            now=now,
        )
    return sent


def send_cohort_end_reminders(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    opted_out = opted_out_ids()
    candidates = active_enrollments().filter(
        cohort__ends_on__gte=today,
        cohort__ends_on__lte=today + timedelta(days=settings.REMINDER_COHORT_END_DAYS),
    )
    sent = 0
    for work in open_required_work(candidates):
        user = work.enrollment.user
        if user.pk in opted_out or not work.open_required:
            continue
        cohort = work.enrollment.cohort
        with translation.override("de"):
            subject = _("Ihre Kursdurchführung endet am %(date)s") % {
                "date": cohort.ends_on.strftime("%d.%m.%Y")
            }
            body = _(
                "Guten Tag %(name)s\n\n"
                "Die Kursdurchführung «%(cohort)s» endet am %(date)s. Für das Zertifikat "
                "fehlen noch diese Pflichtmodule:\n%(modules)s\n\n"
                "Weiterlernen: %(url)s\n\n"
                "Erinnerungen abschalten: %(settings)s\n\n"
                "Freundliche Grüsse\nIhre Bürgerservice-Akademie\n"
            ) % {
                "name": greeting(user),
                "cohort": cohort.name,
                "date": cohort.ends_on.strftime("%d.%m.%Y"),
                "modules": "\n".join(f"- {m.title}" for m in work.open_required),
                "url": absolute_url(work.open_required[0].url or "/"),
                "settings": absolute_url(reverse("certificates:reminder_settings")),
            }
        sent += send_once(
            user=user,
            kind=Kind.COHORT_END,
            occasion=f"{cohort.pk}:{cohort.ends_on.isoformat()}",
            subject=subject,
            body=body,
            now=now,
        )
    return sent


# --- Calendar feed ------------------------------------------------------------------------------


def user_for_calendar_token(token: str):
    if not token or len(token) > 64:
        return None
    preference = (
        ReminderPreference.objects.select_related("user")
        .filter(calendar_token=token, user__is_active=True)
        .first()
    )
    return preference.user if preference else None


def calendar_feed(user) -> bytes:
    """ICS with the person's cohort dates and certificate end dates."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Bürgerservice-Akademie//Lernkalender//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Bürgerservice-Akademie")
    stamp = timezone.now().replace(microsecond=0)
    host = settings.WAGTAILADMIN_BASE_URL.split("://", 1)[-1].rstrip("/")
    for enrollment in calendar_enrollments(user):
        cohort = enrollment.cohort
        if cohort is None:
            continue
        for day, label, key in (
            (cohort.starts_on, _("Beginn: %(cohort)s"), "start"),
            (cohort.ends_on, _("Ende: %(cohort)s (Pflichtmodule abschliessen)"), "end"),
        ):
            if day is None:
                continue
            event = Event()
            event.add("uid", f"cohort-{cohort.pk}-{key}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", day)
            event.add("summary", label % {"cohort": cohort.name})
            calendar.add_component(event)
    for certificate in Certificate.objects.filter(
        enrollment__user=user,
        revoked_at__isnull=True,
        valid_until__isnull=False,
        successor__isnull=True,  # a renewed certificate's end no longer matters
    ):
        event = Event()
        event.add("uid", f"certificate-{certificate.pk}-expiry@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", timezone.localdate(certificate.valid_until))
        event.add(
            "summary",
            _("Zertifikat %(serial)s läuft ab") % {"serial": certificate.serial},
        )
        event.add("description", certificate.course_title)
        calendar.add_component(event)
    return calendar.to_ical()
