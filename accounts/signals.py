"""At login, a user with a confirmed second factor is marked as not yet verified.

The mark lives in the session, so the middleware needs no query per request to know that a
participant who switched the second factor on must enter a code before using the site."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.selectors import has_second_factor

SECOND_FACTOR_PENDING_SESSION_KEY = "second_factor_pending"


@receiver(user_logged_in, dispatch_uid="accounts_mark_second_factor_pending")
def mark_second_factor_pending(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if getattr(user, "otp_device", None) is None and has_second_factor(user):
        request.session[SECOND_FACTOR_PENDING_SESSION_KEY] = True
