"""Read-side questions about accounts: second factor, lockouts, erased placeholders."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

# Erased accounts stay as anonymous placeholders (learning statistics point at them).
ERASED_USERNAME_PREFIX = "geloescht-"


def can_enter_admin(user) -> bool:
    return user.is_authenticated and user.has_perm("wagtailadmin.access_admin")


def requires_second_factor(user) -> bool:
    """Accounts that can enter the Wagtail admin must log in with a second factor."""
    return settings.ADMIN_REQUIRE_2FA and can_enter_admin(user)


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_erased(user) -> bool:
    return user.username.startswith(ERASED_USERNAME_PREFIX)


def locked_logins():
    """django-axes' attempts that currently lock a username, newest first."""
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if settings.AXES_COOLOFF_TIME:
        cooloff: timedelta = settings.AXES_COOLOFF_TIME
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    return attempts.order_by("-attempt_time")


def search_accounts(query: str, *, limit: int = 50):
    """Active accounts whose username, name or email contain ``query``."""
    User = get_user_model()
    accounts = User.objects.exclude(username__startswith=ERASED_USERNAME_PREFIX)
    query = (query or "").strip()
    if not query:
        return accounts.none()
    for word in query.split():
        accounts = accounts.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    return accounts.order_by("last_name", "first_name", "username")[:limit]
