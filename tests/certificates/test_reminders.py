"""Reminders (expiry, inactivity, cohort end, trainers' digest) and the calendar feed.

The clock is injected (``now``); the tasks run on a real worker on Redis where the guarantee is
about tasks (two runs at once, a repeated run); the mails are read from Django's locmem outbox.
"""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from certificates import digest, reminders, services, tasks
from certificates.models import ReminderLog
from tests.certificates.conftest import complete, enroll_someone
from tests.conftest import wait_for
from tests.factories import UserFactory
from training.models import Enrollment, ModuleProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def valid_certificate(enrollment, course):
    course.page.validity_months = 12
    course.page.save()
    complete(enrollment, course)
    return services.issue_certificate(enrollment_id=enrollment.pk).certificate


def run_twice_at_once(task, now) -> None:
    """Two beats (or a retry) deliver the same task twice; the worker runs both in parallel."""
    results = [task.delay(now.isoformat()), task.delay(now.isoformat())]
    wait_for(lambda: all(r.ready() for r in results), timeout=60)
    for result in results:
        result.get(timeout=5)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_expiry_reminders_go_out_at_90_30_and_7_days_once_each(celery_worker, valid_certificate):
    # given a certificate valid for a year
    end = valid_certificate.valid_until
    assert end.year == valid_certificate.issued_at.year + 1
    # when the beat runs twice at once, 100, 89, 29 and 6 days before the end, and again
    for days_before in (100, 89, 89, 29, 6, 6):
        run_twice_at_once(tasks.send_reminders, end - timedelta(days=days_before))
    # then three mails, one per threshold, in German, with the way to switch them off
    sent = [m for m in mail.outbox if "läuft bald ab" in m.subject]  # not the certificate's own
    assert [m.subject for m in sent] == [
        f"Ihr Zertifikat {valid_certificate.serial} läuft bald ab"
    ] * 3
    assert all(m.to == ["jw@example.org"] for m in sent)
    assert end.astimezone(timezone.get_current_timezone()).strftime("%d.%m.%Y") in sent[0].body
    assert "/zertifikate/erinnerungen/" in sent[0].body
    assert sorted(ReminderLog.objects.filter(kind="expiry").values_list("occasion", flat=True)) == [
        f"{valid_certificate.pk}:{d}" for d in (30, 7, 90)
    ]


def test_a_late_start_sends_only_the_nearest_threshold(valid_certificate):
    end = valid_certificate.valid_until
    assert reminders.send_expiry_reminders(now=end - timedelta(days=5)) == 1
    assert reminders.send_expiry_reminders(now=end - timedelta(days=4)) == 0
    assert len(mail.outbox) == 1
    # after the end there is nothing to remind of
    assert reminders.send_expiry_reminders(now=end + timedelta(days=1)) == 0


def test_revoked_certificates_get_no_reminder(valid_certificate, django_user_model):
    lead = django_user_model.objects.create_superuser("chefin", "chefin@example.org", "x")
    services.revoke_certificate(
        certificate_id=valid_certificate.pk, reason="Täuschung", revoked_by=lead
    )
    end = valid_certificate.valid_until
    assert reminders.send_expiry_reminders(now=end - timedelta(days=3)) == 0


def test_people_who_opted_out_get_no_reminders(client, valid_certificate):
    # given the holder switches reminders off in Mein Konto
    client.force_login(valid_certificate.enrollment.user)
    response = client.post("/zertifikate/erinnerungen/", {})
    assert response.status_code == 302
    # then
    end = valid_certificate.valid_until
    assert reminders.send_expiry_reminders(now=end - timedelta(days=3)) == 0
    assert mail.outbox == []
    # and switching them on again
    client.post("/zertifikate/erinnerungen/", {"reminders_enabled": "on"})
    assert reminders.send_expiry_reminders(now=end - timedelta(days=3)) == 1


def test_a_failed_send_leaves_no_sent_row_so_a_later_run_retries(valid_certificate, settings):
    end = valid_certificate.valid_until
    settings.EMAIL_BACKEND = "tests.certificates.test_reminders.BrokenBackend"
    with pytest.raises(ConnectionRefusedError):
        reminders.send_expiry_reminders(now=end - timedelta(days=3))
    assert not ReminderLog.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders.send_expiry_reminders(now=end - timedelta(days=3)) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")


def stall(enrollment, *, days_ago: int, now):
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=now - timedelta(days=days_ago))


def test_inactivity_one_friendly_reminder_with_the_next_step(enrollment, course):
    now = timezone.now()
    # given a participant who enrolled 20 days ago and read nothing since
    stall(enrollment, days_ago=20, now=now)
    # when the beat runs twice
    assert reminders.send_inactivity_reminders(now=now) == 1
    assert reminders.send_inactivity_reminders(now=now + timedelta(days=1)) == 0
    # then one German mail naming the first module
    (message,) = mail.outbox
    assert message.subject == f"Weiter geht's: «{course.modules[0].title}»"
    assert "Noch 5 Pflichtmodule sind offen." in message.body
    # when they progress and pause again, that is a new occasion
    ModuleProgress.objects.create(enrollment=enrollment, module=course.modules[0], completed_at=now)
    ModuleProgress.objects.filter(enrollment=enrollment).update(started_at=now)
    assert reminders.send_inactivity_reminders(now=now + timedelta(days=5)) == 0
    assert reminders.send_inactivity_reminders(now=now + timedelta(days=15)) == 1
    assert mail.outbox[1].subject == f"Weiter geht's: «{course.modules[1].title}»"


def test_no_inactivity_reminder_for_recent_or_completed_learners(enrollment, course):
    now = timezone.now()
    stall(enrollment, days_ago=10, now=now)
    assert reminders.send_inactivity_reminders(now=now) == 0
    complete(enrollment, course)
    assert reminders.send_inactivity_reminders(now=now + timedelta(days=30)) == 0


def test_cohort_end_one_reminder_a_week_before_with_open_required_modules(enrollment, course):
    # given a cohort ending on 20 March and a participant with every module open
    course.cohort.ends_on = date(2027, 3, 20)
    course.cohort.save()
    finished = enroll_someone(course, "fertig")
    complete(finished, course)
    early = timezone.make_aware(timezone.datetime(2027, 3, 10, 8))
    week_before = timezone.make_aware(timezone.datetime(2027, 3, 13, 8))
    # then nothing ten days before, one reminder a week before, none again
    assert reminders.send_cohort_end_reminders(now=early) == 0
    assert reminders.send_cohort_end_reminders(now=week_before) == 1
    assert reminders.send_cohort_end_reminders(now=week_before + timedelta(days=2)) == 0
    (message,) = mail.outbox
    assert message.subject == "Ihre Kursdurchführung endet am 20.03.2027"
    assert message.to == ["jw@example.org"]
    for module in course.modules:
        assert f"- {module.title}" in message.body


def test_trainers_get_a_weekly_digest_with_counts_only(enrollment, course, settings):
    settings.TRAINING_AGGREGATE_MIN_GROUP_SIZE = 1
    trainer = course.cohort.trainers.get()
    trainer.email = "trainerin@example.org"
    trainer.save()
    other = enroll_someone(course, "zweite")
    complete(other, course)
    monday = timezone.make_aware(timezone.datetime(2027, 3, 8, 7))
    stall(enrollment, days_ago=20, now=monday)
    # when the daily beat runs on Monday and Tuesday
    assert digest.send_trainer_digests(now=monday) == 1
    assert digest.send_trainer_digests(now=monday + timedelta(days=1)) == 0
    (message,) = mail.outbox
    assert message.to == ["trainerin@example.org"]
    assert message.subject == f"Wochenübersicht «{course.cohort.name}»"
    assert "- Teilnehmende: 2\n" in message.body
    assert "- Kurs abgeschlossen: 1\n" in message.body
    assert "- Durchschnittlicher Fortschritt (Pflichtmodule): 50 %\n" in message.body
    assert "- Seit 14 Tagen ohne Fortschritt: 1\n" in message.body
    assert "Weißmüller" not in message.body and "juergen" not in message.body
    # and a week later the next one
    assert digest.send_trainer_digests(now=monday + timedelta(days=7)) == 1


def test_a_small_group_digest_gives_no_count_that_points_at_one_person(enrollment, course):
    trainer = course.cohort.trainers.get()
    trainer.email = "trainerin@example.org"
    trainer.save()
    now = timezone.now()
    stall(enrollment, days_ago=20, now=now)
    assert digest.send_trainer_digests(now=now) == 1
    assert "ohne Fortschritt: (kleine Gruppe, keine Angabe)" in mail.outbox[0].body


def test_the_calendar_feed_has_cohort_dates_and_expiry_and_its_address_renews(
    client, valid_certificate, course
):
    # given
    course.cohort.starts_on = date(2027, 2, 1)
    course.cohort.ends_on = date(2027, 6, 30)
    course.cohort.save()
    user = valid_certificate.enrollment.user
    client.force_login(user)
    page = client.get("/zertifikate/erinnerungen/").content.decode()
    token = reminders.preference_for(user).calendar_token
    assert f"/zertifikate/kalender/{token}.ics" in page
    client.logout()
    # when the calendar program fetches it (no login)
    response = client.get(f"/zertifikate/kalender/{token}.ics")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    starts = {str(e["summary"]): e.decoded("dtstart") for e in events}
    assert starts[f"Beginn: {course.cohort.name}"] == date(2027, 2, 1)
    assert starts[f"Ende: {course.cohort.name} (Pflichtmodule abschliessen)"] == date(2027, 6, 30)
    assert starts[f"Zertifikat {valid_certificate.serial} läuft ab"] == timezone.localdate(
        valid_certificate.valid_until
    )
    # when the person renews the address, the old one is gone
    client.force_login(user)
    client.post("/zertifikate/erinnerungen/", {"action": "renew"})
    client.logout()
    assert client.get(f"/zertifikate/kalender/{token}.ics").status_code == 404
    new = reminders.preference_for(user).calendar_token
    assert client.get(f"/zertifikate/kalender/{new}.ics").status_code == 200


def test_someone_elses_or_a_guessed_calendar_address_is_not_found(client, db):
    reminders.preference_for(UserFactory(username="andere"))
    assert client.get("/zertifikate/kalender/geraten.ics").status_code == 404
    assert client.get("/zertifikate/kalender/" + "x" * 80 + ".ics").status_code == 404


def test_the_expiry_thresholds_are_configurable(valid_certificate, settings):
    # given a deployment that reminds only 14 days before the end
    settings.REMINDER_EXPIRY_DAYS = [14]
    end = valid_certificate.valid_until
    # then nothing at 30 or 20 days, one mail at 10 days, none again
    assert reminders.send_expiry_reminders(now=end - timedelta(days=30)) == 0
    assert reminders.send_expiry_reminders(now=end - timedelta(days=20)) == 0
    assert reminders.send_expiry_reminders(now=end - timedelta(days=10)) == 1
    assert reminders.send_expiry_reminders(now=end - timedelta(days=3)) == 0
    assert list(ReminderLog.objects.values_list("occasion", flat=True)) == [
        f"{valid_certificate.pk}:14"
    ]
    # and with none configured, none at all
    settings.REMINDER_EXPIRY_DAYS = []
    assert reminders.send_expiry_reminders(now=end - timedelta(days=1)) == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_inactivity_cohort_end_and_digest_go_out_once_with_two_beats_on_a_real_worker(
    celery_worker, enrollment, course, settings
):
    # given a paused participant in a cohort that ends in five days, and its trainer
    settings.TRAINING_AGGREGATE_MIN_GROUP_SIZE = 1
    now = timezone.now().replace(microsecond=0)
    course.cohort.ends_on = timezone.localdate(now) + timedelta(days=5)
    course.cohort.save()
    trainer = course.cohort.trainers.get()
    trainer.email = "trainerin@example.org"
    trainer.save()
    stall(enrollment, days_ago=20, now=now)
    # when two beat schedulers deliver each task twice at once, and again an hour later
    for moment in (now, now + timedelta(hours=1)):
        run_twice_at_once(tasks.send_reminders, moment)
        run_twice_at_once(tasks.send_trainer_digests, moment)
    # then one mail per person and occasion
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(
        [
            f"Weiter geht's: «{course.modules[0].title}»",
            f"Ihre Kursdurchführung endet am {course.cohort.ends_on:%d.%m.%Y}",
            f"Wochenübersicht «{course.cohort.name}»",
        ]
    )
    assert sorted(ReminderLog.objects.values_list("kind", flat=True)) == [
        "cohort_end",
        "inactivity",
        "trainer_digest",
    ]
