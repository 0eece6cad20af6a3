"""Open Badges 3.0 status list and reminder settings; ``config.settings`` imports them."""

import environ

env = environ.Env()

# Open Badges 3.0: status list cache lifetime (s); EXPIRED=1 sets expired certificates' bits too.
CERTIFICATE_STATUS_LIST_MAX_AGE = env.int("CERTIFICATE_STATUS_LIST_MAX_AGE", default=300)
CERTIFICATE_STATUS_LIST_EXPIRED = env.bool("CERTIFICATE_STATUS_LIST_EXPIRED", default=False)
# Renewal: a refresher may start this many days before a certificate's end date.
CERTIFICATE_RENEWAL_WINDOW_DAYS = env.int("CERTIFICATE_RENEWAL_WINDOW_DAYS", default=90)
# Reminders (German emails, opt-out in "Mein Konto"); trainers' digest weekly.
REMINDER_EXPIRY_DAYS = [int(d) for d in env.list("REMINDER_EXPIRY_DAYS", default=["90", "30", "7"])]
REMINDER_INACTIVITY_DAYS = env.int("REMINDER_INACTIVITY_DAYS", default=14)
REMINDER_COHORT_END_DAYS = env.int("REMINDER_COHORT_END_DAYS", default=7)
REMINDER_INTERVAL_SECONDS = env.float("REMINDER_INTERVAL_SECONDS", default=6 * 3600.0)
REMINDER_BEAT_SCHEDULE = {
    "certificates-remind": {"task": "certificates.remind", "schedule": REMINDER_INTERVAL_SECONDS},
    "certificates-trainer-digest": {"task": "certificates.trainer_digest", "schedule": 86400.0},
}
