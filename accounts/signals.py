"""What a login writes into the new session, so that later requests need no extra query.

- A user with a confirmed second factor is marked as not yet verified: the middleware then
  knows without a query that a participant who switched it on must enter a code first.
- The idle timeout's renewal time starts now, so the first pages after a login do not save the
  session again (core.security.SessionIdleTimeoutMiddleware)."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.selectors import has_second_factor
from core.security import RENEWED_AT_SESSION_KEY

SECOND_FACTOR_PENDING_SESSION_KEY = "second_factor_pending"
# When this session last proved the password (the login, or the check before enrolling a
# second factor): enrolling a device needs a recent one.
PASSWORD_CHECKED_AT_SESSION_KEY = "password_checked_at"  # noqa: S105 (a key, no secret)


@receiver(user_logged_in, dispatch_uid="accounts_mark_second_factor_pending")
def mark_second_factor_pending(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    request.session[RENEWED_AT_SESSION_KEY] = int(time.time())
    request.session[PASSWORD_CHECKED_AT_SESSION_KEY] = int(time.time())
    if getattr(user, "otp_device", None) is None and has_second_factor(user):
        request.session[SECOND_FACTOR_PENDING_SESSION_KEY] = True
