"""What a person sets about themself in *Mein Konto* beyond name and address: the form of the
qualification on their certificate, and a new password."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile, QualificationForm
from core.security import count_hit

QUALIFICATION_FORM_INVALID = _("Bitte wählen Sie eine der angebotenen Bezeichnungen.")
PASSWORD_CHANGE_TOO_MANY = _(
    "Zu viele falsche Passwörter hintereinander. Bitte warten Sie eine Stunde oder setzen Sie "
    "Ihr Passwort über «Passwort vergessen» neu."
)
# Wrong current passwords per account and hour before the form refuses to check more: whoever
# holds an open session must not be able to guess the password with it.
PASSWORD_CHANGE_ATTEMPTS_PER_HOUR = 5


def qualification_form_of(user) -> str:
    """The person's chosen form, neutral when they chose none."""
    value = (
        Profile.objects.filter(user_id=user.pk).values_list("qualification_form", flat=True).first()
    )
    return value or QualificationForm.NEUTRAL


@transaction.atomic
def set_qualification_form(*, user, form: str) -> Profile:
    """Stores the person's choice; it applies to certificates issued afterwards (an issued
    certificate keeps the wording it was issued with)."""
    if form not in QualificationForm.values:
        raise ValidationError(QUALIFICATION_FORM_INVALID)
    profile, _created = Profile.objects.update_or_create(
        user_id=user.pk, defaults={"qualification_form": form}
    )
    return profile


def _attempts_key(user) -> str:
    return f"accounts:password-change:{user.pk}"


def password_change_blocked(*, user) -> bool:
    """Whether this hour's allowance of wrong current passwords is used up: then not even the
    right one is checked, so guessing on stops telling anything."""
    from django.core.cache import cache

    return (cache.get(_attempts_key(user)) or 0) >= PASSWORD_CHANGE_ATTEMPTS_PER_HOUR


def count_wrong_password(*, user) -> None:
    count_hit(_attempts_key(user), window=60 * 60)


def password_changed(*, user, keep_session_key: str | None) -> int:
    """After the person changed their password: every other session of the account ends (a
    device left logged in elsewhere, or whoever took a session over); returns how many."""
    from accounts.services import end_sessions

    return end_sessions(user_id=user.pk, except_session_key=keep_session_key)
