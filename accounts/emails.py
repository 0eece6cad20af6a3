"""An account's email address: whether it is confirmed, and changing it through a link mailed to
the new address (the old one is told). Enrolling by email attaches only to confirmed addresses
(training.services.attachable)."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountEmail

# --- Changing the email address -----------------------------------------------------------

EMAIL_TAKEN = _(
    "Diese E-Mail-Adresse gehört bereits zu einem anderen Konto. Bitte geben Sie Ihre eigene "
    "Adresse an."
)
EMAIL_LINK_INVALID = _(
    "Dieser Bestätigungslink ist ungültig. Bitte ändern Sie Ihre E-Mail-Adresse erneut."
)
EMAIL_LINK_EXPIRED = _(
    "Dieser Bestätigungslink ist abgelaufen. Bitte ändern Sie Ihre E-Mail-Adresse erneut."
)
EMAIL_LINK_USED = _(
    "Dieser Bestätigungslink wurde bereits verwendet oder ist durch eine neuere Änderung "
    "überholt. Ihre E-Mail-Adresse wurde nicht geändert."
)
EMAIL_LINK_OTHER_ACCOUNT = _(
    "Dieser Bestätigungslink gehört zu einem anderen Konto. Bitte melden Sie sich mit dem Konto "
    "an, dessen Adresse Sie ändern wollten."
)
EMAIL_CHANGE_MAX_AGE = datetime.timedelta(days=2)
_EMAIL_CHANGE_SALT = "accounts.email_change"


def email_taken(email: str, *, except_user_id=None) -> bool:
    """Whether another account has this address (case-insensitively)."""
    others = get_user_model().objects.filter(email__iexact=email.strip())
    if except_user_id is not None:
        others = others.exclude(pk=except_user_id)
    return others.exists()


def email_confirmed(user) -> bool:
    """Whether the account's current address was confirmed (see accounts.AccountEmail)."""
    return AccountEmail.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def mark_email_confirmed(*, user) -> None:
    """Records that the person proved they read the account's address (an accepted invitation,
    a confirmed change)."""
    AccountEmail.objects.update_or_create(
        user_id=user.pk, defaults={"confirmed_at": timezone.now()}
    )


def email_change_token(*, user, new_email: str) -> str:
    """A signed, expiring link token naming the account, its current and its new address."""
    from django.core import signing

    return signing.dumps(
        {"u": user.pk, "old": user.email, "new": new_email}, salt=_EMAIL_CHANGE_SALT, compress=True
    )


@transaction.atomic
def request_email_change(*, user, new_email: str) -> bool:
    """Starts changing the account's address: nothing changes until the link mailed to the new
    address is confirmed; the current address is told. A change of case only takes effect at
    once. Refuses an address another account has. Returns whether a link was sent."""
    new_email = new_email.strip()
    if new_email.lower() == (user.email or "").lower():
        if new_email != user.email:
            get_user_model().objects.filter(pk=user.pk).update(email=new_email)
            user.email = new_email
        return False
    if email_taken(new_email, except_user_id=user.pk):
        raise ValidationError(EMAIL_TAKEN)
    url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "accounts:email_confirm", args=[email_change_token(user=user, new_email=new_email)]
    )
    context = {"user": user, "url": url, "new_email": new_email, "days": 2}
    confirm_body = render_to_string("accounts/email/email_change_confirm.txt", context)
    notice_body = render_to_string("accounts/email/email_change_notice.txt", context)
    old_email = user.email

    def send():
        send_mail(
            str(_("Bitte bestätigen Sie Ihre neue E-Mail-Adresse")),
            confirm_body,
            settings.DEFAULT_FROM_EMAIL,
            [new_email],
        )
        if old_email:
            send_mail(
                str(_("Ihre E-Mail-Adresse soll geändert werden")),
                notice_body,
                settings.DEFAULT_FROM_EMAIL,
                [old_email],
            )

    transaction.on_commit(send)
    return True


def read_email_change_token(token: str) -> dict:
    from django.core import signing

    try:
        data = signing.loads(
            token, salt=_EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as exc:
        raise ValidationError(EMAIL_LINK_EXPIRED) from exc
    except signing.BadSignature as exc:
        raise ValidationError(EMAIL_LINK_INVALID) from exc
    if not isinstance(data, dict) or not {"u", "old", "new"} <= set(data):
        raise ValidationError(EMAIL_LINK_INVALID)
    return data


@transaction.atomic
def confirm_email_change(*, user, token: str):
    """Confirms a change with the mailed link: the signed token must be for this account, not
    expired, and the account's address must still be the one it was asked from (so a link
    works once). The new address must still be free (checked under the account's row lock and
    held by the unique index). The address is then confirmed."""
    data = read_email_change_token(token)
    if data["u"] != user.pk:
        raise PermissionDenied(EMAIL_LINK_OTHER_ACCOUNT)
    User = get_user_model()
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.email != data["old"] or locked.email.lower() == data["new"].lower():
        raise ValidationError(EMAIL_LINK_USED)
    if email_taken(data["new"], except_user_id=user.pk):
        raise ValidationError(EMAIL_TAKEN)
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(email=data["new"])
    except IntegrityError as exc:  # taken at the same moment: the unique index decides
        raise ValidationError(EMAIL_TAKEN) from exc
    user.email = data["new"]
    mark_email_confirmed(user=user)
    return user
