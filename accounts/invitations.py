"""Invitations of imported participants: a one-time link to set the first password.

The token is Django's password-reset token with its own salt and lifetime: it becomes invalid as
soon as the password is set (the token covers the password hash and the last login) and after
``INVITATION_VALID_DAYS``. Re-sending simply mails a fresh token.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

INVITATION_VALID_DAYS = 14


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    # The salt keeps the name the module had when the first invitations were mailed: a new salt
    # would invalidate every link in flight.
    key_salt = "training.invitations.InvitationTokenGenerator"

    def check_token(self, user, token):
        # As Django's check_token, with the invitation's lifetime instead of
        # PASSWORD_RESET_TIMEOUT (a few days are too short for a course invitation).
        if not (user and token):
            return False
        try:
            timestamp_b36, _hash = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            expected = self._make_token_with_timestamp(user, timestamp, secret)
            if constant_time_compare(expected, token):
                break
        else:
            return False
        age = self._num_seconds(self._now()) - timestamp
        return age <= INVITATION_VALID_DAYS * 24 * 60 * 60


invitation_tokens = InvitationTokenGenerator()


def invitation_url(user) -> str:
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def send_invitation_email(*, enrollment) -> None:
    """Mails the German invitation with a fresh link (no database writes)."""
    user = enrollment.user
    context = {
        "user": user,
        "cohort": enrollment.cohort,
        "course_title": enrollment.course.title,
        "url": invitation_url(user),
        "username": user.get_username(),
        "valid_until": timezone.localtime() + timedelta(days=INVITATION_VALID_DAYS),
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


# --- Invited accounts: created by trainers, opened by the invitation link -------------------


def _invited_account(*, email: str, first_name: str, last_name: str):
    # No usable password: the holder sets one with the invitation link (accounts.invitations).
    return get_user_model()(
        username=email,
        email=email,
        first_name=first_name,
        last_name=last_name,
        password=make_password(None),
    )


def create_invited_account(*, email: str, first_name: str, last_name: str):
    """A validated, saved account (username = email) that cannot sign in before its holder
    sets a password with the invitation link. Runs in the caller's transaction."""
    user = _invited_account(email=email, first_name=first_name, last_name=last_name)
    user.full_clean()
    user.save()
    return user


def create_invited_accounts(people) -> list:
    """As ``create_invited_account`` for many already checked people (objects with ``email``,
    ``first_name``, ``last_name``), in one INSERT; returns the accounts in the same order. A
    username taken meanwhile raises IntegrityError (the caller's transaction rolls back)."""
    return get_user_model().objects.bulk_create(
        [
            _invited_account(email=p.email, first_name=p.first_name, last_name=p.last_name)
            for p in people
        ]
    )
