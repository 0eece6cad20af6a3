"""Trainers' weekly digest by email: per cohort and trainer, counts only (progress, essays
waiting, people inactive), no names, so it stays within the aggregates-only rule; below
``TRAINING_AGGREGATE_MIN_GROUP_SIZE`` the inactive count is withheld. Sent at most once per
trainer, cohort and ISO week through ``reminders.send_once``."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certificates.reminders import Kind, absolute_url, greeting, opted_out_ids, send_once
from training.quizzes.selectors import essays_waiting_count
from training.selectors import (
    cohort_members,
    cohorts_running_since,
    open_required_work,
    required_modules_done,
)


@dataclass(frozen=True)
class CohortDigest:
    participants: int
    completed: int
    average_percent: int
    essays_waiting: int
    inactive: int


def cohort_digest(cohort, *, now: datetime) -> CohortDigest:
    """Counts only, no names."""
    from cms.selectors import course_modules

    enrollments = cohort_members(cohort)
    required = [m.pk for m in course_modules(cohort.course) if m.required]
    done = required_modules_done(enrollments, required)
    open_work = open_required_work([e for e in enrollments if e.completed_at is None])
    inactive = sum(
        1
        for w in open_work
        if w.last_activity <= now - timedelta(days=settings.REMINDER_INACTIVITY_DAYS)
    )
    essays = essays_waiting_count(enrollments)
    total = len(enrollments) * len(required)
    return CohortDigest(
        participants=len(enrollments),
        completed=sum(1 for e in enrollments if e.completed_at),
        average_percent=round(100 * done / total) if total else 0,
        essays_waiting=essays,
        inactive=inactive,
    )


def send_trainer_digests(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    year, week, _weekday = today.isocalendar()
    opted_out = opted_out_ids()
    cohorts = cohorts_running_since(today - timedelta(days=7))
    sent = 0
    for cohort in cohorts:
        trainers = [t for t in cohort.trainers.all() if t.is_active and t.pk not in opted_out]
        if not trainers:
            continue
        digest = cohort_digest(cohort, now=now)
        if digest.participants == 0:
            continue
        small = digest.participants < settings.TRAINING_AGGREGATE_MIN_GROUP_SIZE
        for trainer in trainers:
            with translation.override("de"):
                subject = _("Wochenübersicht «%(cohort)s»") % {"cohort": cohort.name}
                body = _(
                    "Guten Tag %(name)s\n\n"
                    "Die Woche in der Kursdurchführung «%(cohort)s»:\n\n"
                    "- Teilnehmende: %(participants)s\n"
                    "- Kurs abgeschlossen: %(completed)s\n"
                    "- Durchschnittlicher Fortschritt (Pflichtmodule): %(percent)s %%\n"
                    "- Freitextantworten warten auf Bewertung: %(essays)s\n"
                    "- Seit %(days)s Tagen ohne Fortschritt: %(inactive)s\n\n"
                    "Einzelheiten im Bericht der Kursdurchführung:\n%(url)s\n\n"
                    "Freundliche Grüsse\nIhre Bürgerservice-Akademie\n"
                ) % {
                    "name": greeting(trainer),
                    "cohort": cohort.name,
                    "participants": digest.participants,
                    "completed": digest.completed,
                    "percent": digest.average_percent,
                    "essays": digest.essays_waiting,
                    "days": settings.REMINDER_INACTIVITY_DAYS,
                    # Below the minimum group size no count can point at one person.
                    "inactive": _("(kleine Gruppe, keine Angabe)") if small else digest.inactive,
                    "url": absolute_url("/admin/"),
                }
            sent += send_once(
                user=trainer,
                kind=Kind.TRAINER_DIGEST,
                occasion=f"{cohort.pk}:{year}-W{week:02d}",
                subject=subject,
                body=body,
                now=now,
            )
    return sent
