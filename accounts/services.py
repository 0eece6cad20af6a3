"""Writes on accounts: the second factor, lockouts, password reset, the data export and erasure,
retention.

Each function runs in one transaction. Error messages are module constants the tests reuse.
"""

import calendar
import datetime
import uuid

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.selectors import ERASED_USERNAME_PREFIX, requires_second_factor
from audit.models import AuditAction
from audit.services import purge_audit_entries, record_audit
from core import privacy
from core.security import count_hit

INVALID_TOKEN = _(
    "Der Code stimmt nicht oder ist abgelaufen. Bitte geben Sie den aktuellen sechsstelligen "
    "Code aus Ihrer Authenticator-App ein."
)
TOO_MANY_TOKENS = _(
    "Zu viele falsche Codes hintereinander. Bitte warten Sie einen Moment und versuchen Sie es "
    "dann mit dem aktuellen Code erneut."
)
NO_DEVICE = _("Für dieses Konto ist keine Zwei-Faktor-Anmeldung eingerichtet.")
SECOND_FACTOR_REQUIRED = _(
    "Für Konten mit Zugang zum Redaktionsbereich ist die Zwei-Faktor-Anmeldung vorgeschrieben "
    "und kann nicht ausgeschaltet werden."
)
WRONG_PASSWORD = _("Das Passwort stimmt nicht.")
CANNOT_ERASE_SUPERUSER = _(
    "Konten von Administrator:innen können nur von Administrator:innen gelöscht werden."
)
ALREADY_ERASED = _("Dieses Konto ist bereits gelöscht.")
CANNOT_RESET_EQUAL_OR_HIGHER = _(
    "Die Zwei-Faktor-Anmeldung dieses Kontos kann nur jemand mit weitergehenden Rechten "
    "zurücksetzen."
)

TOTP_DEVICE_NAME = "Authenticator-App"
EXPORT_FORMAT = "buergerservice-akademie/personenbezogene-daten/1"


# --- Second factor -------------------------------------------------------------------------


@transaction.atomic
def start_totp_setup(*, user) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first call; repeated calls return the same
    secret, so reloading the setup page does not invalidate a code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def confirm_totp_device(*, user, token: str) -> TOTPDevice:
    """Confirms the pending device with a first valid code; replaces any earlier device."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise ValidationError(NO_DEVICE)
        error = _token_error(device, token)
        if error is None:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    if error is not None:
        raise ValidationError(error)
    return device


def verify_second_factor(*, user, token: str) -> TOTPDevice:
    """Checks a code against the user's confirmed device. django-otp throttles: each failure
    doubles the wait before the next code is accepted; failures are committed, not rolled back
    with the error."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            raise ValidationError(NO_DEVICE)
        error = _token_error(device, token)
    if error is not None:
        raise ValidationError(error)
    return device


def _token_error(device: TOTPDevice, token: str):
    """None when ``token`` is valid; otherwise the message. Records failures on the device."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return TOO_MANY_TOKENS
    if not device.verify_token((token or "").strip().replace(" ", "")):
        return INVALID_TOKEN
    return None


@transaction.atomic
def disable_second_factor(*, user) -> None:
    """A participant switches the optional second factor off again."""
    if requires_second_factor(user):
        raise ValidationError(SECOND_FACTOR_REQUIRED)
    TOTPDevice.objects.filter(user=user).delete()


# Ranks of rights for resetting a second factor: one may reset only accounts of lower rank.
_GROUP_RANKS = {"Trainer:innen": 1, "Kursleitung": 2}


def rights_rank(user) -> int:
    """0 participant, 1 trainer, 2 Kursleitung, 3 superuser (the highest group counts)."""
    if user.is_superuser:
        return 3
    names = user.groups.filter(name__in=_GROUP_RANKS).values_list("name", flat=True)
    return max((_GROUP_RANKS[name] for name in names), default=0)


@transaction.atomic
def reset_second_factor(*, user, actor) -> int:
    """Kursleitung removes a person's devices (lost phone); they set up a new one at next login.

    Only for accounts of lower rights than the actor's (a superuser may reset anybody's,
    another superuser's too): a Kursleitung member cannot take over a colleague's or a
    superuser's account this way. Ends every session of the person, so nobody who still holds
    one enrols a new device with it (enrolling also asks for the password when the login is
    not recent)."""
    if not actor.is_superuser and rights_rank(user) >= rights_rank(actor):
        raise PermissionDenied(CANNOT_RESET_EQUAL_OR_HIGHER)
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    record_audit(actor=actor, action=AuditAction.SECOND_FACTOR_RESET, target=user)
    transaction.on_commit(lambda: end_sessions(user_id=user.pk))
    return deleted


def end_sessions(*, user_id: int, except_session_key: str | None = None) -> int:
    """Deletes every unexpired session of the account (database and cache) but
    ``except_session_key``; returns how many. Reads each unexpired session once: for rare
    administrative steps, not for every request."""
    from importlib import import_module

    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    sessions = Session.objects.filter(expire_date__gt=timezone.now())
    if except_session_key:
        sessions = sessions.exclude(session_key=except_session_key)
    for session in sessions.iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user_id):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


# --- Lockouts ------------------------------------------------------------------------------


@transaction.atomic
def unlock_login(*, username: str, actor) -> int:
    """Lifts django-axes' lockout of ``username`` (the failed attempts are forgotten)."""
    User = get_user_model()
    subject = User.objects.filter(username=username).first()
    removed = axes_reset(username=username)
    record_audit(
        actor=actor,
        action=AuditAction.LOGIN_UNLOCKED,
        target=subject,
        details={"attempts_removed": removed},
    )
    return removed


# --- Password reset ------------------------------------------------------------------------

# At most this many reset emails per account and hour: the form can be sent for any address, and
# nobody's mailbox should fill up with links someone else requested. Further requests get the
# same answer page (nothing tells that no email went out).
PASSWORD_RESET_EMAILS_PER_HOUR = 3


def may_send_password_reset(*, user) -> bool:
    """Counts a reset email for ``user`` in a fixed one-hour window in the shared cache; False
    once the window's allowance is used up."""
    count = count_hit(f"accounts:password-reset:{user.pk}", window=60 * 60)
    # Without the cache (an outage) the count is unknown: no mail rather than unlimited mails.
    return count is not None and count <= PASSWORD_RESET_EMAILS_PER_HOUR


def password_reset_url(user) -> str:
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def send_password_reset_email(*, user_id: int) -> bool:
    """Mails a fresh one-time link to set a new password, in German, to an active account with a
    usable password; False (and no email) for any other id. No database writes: a repeated run
    only mails another link. The link stops working once the password is set, and after
    ``PASSWORD_RESET_TIMEOUT`` (Django's token covers the password hash and the last login)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None or not user.has_usable_password():
        return False
    valid_until = timezone.localtime() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    context = {
        "user": user,
        "username": user.get_username(),
        "url": password_reset_url(user),
        "valid_until": valid_until,
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/password_reset_subject.txt", context)
        body = render_to_string("accounts/email/password_reset.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


def request_password_reset(*, email: str) -> int:
    """Mails a reset link to every active account with a usable password and this address
    (case-insensitive), within each account's hourly allowance; returns how many were mailed.
    Runs in a task: the request that asked does the same work for every address (one enqueue),
    so neither its answer nor its timing tells whether the address has an account."""
    users = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True)
    sent = 0
    for user in users:
        if user.has_usable_password() and may_send_password_reset(user=user):
            sent += send_password_reset_email(user_id=user.pk)
    return sent


def password_was_reset(*, user) -> int:
    """After a new password was set with an emailed link: lifts django-axes' lockout of the
    account (whoever set it has the mailbox, so the failed guesses before no longer matter)."""
    return axes_reset(username=user.get_username())


# --- Personal data -------------------------------------------------------------------------


def export_personal_data(*, user) -> dict:
    """All data the registry holds about ``user``, as a JSON-serialisable dict."""
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "records": privacy.export_all(user),
    }


@transaction.atomic
def erase_account(*, user, actor) -> None:
    """Erases the person's personal data; the account row stays as an anonymous placeholder.

    Every registry entry runs (rows about the person are deleted or lose their personal
    content; learning statistics stay with the anonymised account; certificates keep the name
    as issued), then the account itself is anonymised, deactivated and its password made
    unusable, which also ends all its sessions. The account is locked for the duration.
    ``actor`` is the person themself, a Kursleitung acting on request, or ``None`` (retention).
    """
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.username.startswith(ERASED_USERNAME_PREFIX):
        raise ValidationError(ALREADY_ERASED)
    if user.is_superuser and actor is not None and not actor.is_superuser:
        raise PermissionDenied(CANNOT_ERASE_SUPERUSER)
    privacy.erase_all(user)
    by_self = actor is not None and actor.pk == user.pk
    record_audit(
        actor=None if by_self else actor,
        action=AuditAction.ACCOUNT_ERASED,
        details={
            "account_id": user.pk,
            "requested_by": "self" if by_self else ("staff" if actor else "retention"),
        },
    )


def anonymise_account(user) -> None:
    """The auth.User registry entry's eraser: anonymises the account row in place."""
    user.username = f"{ERASED_USERNAME_PREFIX}{uuid.uuid4().hex[:16]}"
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    joined = timezone.localtime(user.date_joined)
    user.date_joined = joined.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


# --- Retention -----------------------------------------------------------------------------


LOGIN_ATTEMPT_RETENTION = datetime.timedelta(days=30)


def months_before(now: datetime.datetime, months: int) -> datetime.datetime:
    """``now`` minus ``months`` calendar months (the day clamped to the target month)."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = min(now.day, calendar.monthrange(year, month)[1])
    return now.replace(year=year, month=month, day=day)


def inactive_accounts(now: datetime.datetime):
    """Accounts without login (or, never logged in, created) since the cutoff, holding no row
    that keeps an account (an enrollment: registry entries with ``keeps_account``), not in an
    editor group or staff, and not already erased."""
    cutoff = months_before(now, settings.ACCOUNT_RETENTION_MONTHS)
    User = get_user_model()
    accounts = (
        User.objects.filter(
            Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
        )
        .filter(is_superuser=False, is_staff=False, groups__isnull=True)
        .exclude(username__startswith=ERASED_USERNAME_PREFIX)
    )
    for entry in privacy.entries():
        for field in entry.keeps_account:
            accounts = accounts.exclude(
                Exists(entry.model._default_manager.filter(**{field: OuterRef("pk")}))
            )
    return accounts


def purge_expired_records(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Deletes failed-login records older than 30 days and audit entries older than
    ``AUDIT_RETENTION_MONTHS``. Idempotent."""
    now = now or timezone.now()
    attempts, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - LOGIN_ATTEMPT_RETENTION
    ).delete()
    audit = purge_audit_entries(before=months_before(now, settings.AUDIT_RETENTION_MONTHS))
    return {"login_attempts": attempts, "audit_entries": audit}


def anonymise_inactive_accounts(*, now: datetime.datetime | None = None) -> list[int]:
    """Erases every account ``inactive_accounts`` finds, each in its own transaction (one
    failure does not undo the others). Safe to repeat: erased accounts are no longer found.
    Returns the ids of the accounts erased."""
    now = now or timezone.now()
    erased = []
    for user in inactive_accounts(now).only("pk"):
        try:
            erase_account(user=user, actor=None)
        except ValidationError:
            continue  # erased meanwhile by someone else
        erased.append(user.pk)
    return erased
