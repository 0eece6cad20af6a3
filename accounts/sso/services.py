"""Writes of the organisation login: the account behind an external identity, its roles and
unit, and the bookkeeping of refused logins.

The protocol modules (``oidc``, ``saml``) let their libraries check what the provider sent and
hand over an ``Assertion``; from there on both protocols take the same path. Messages are
constants that the views show and the tests reuse.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ExternalIdentity
from accounts.selectors import is_erased
from accounts.sso.providers import ROLE_GROUPS, Provider
from audit.models import AuditAction
from audit.services import record_audit

LOGIN_FAILED = _(
    "Die Anmeldung über Ihre Organisation hat nicht geklappt. Es wurde nichts geändert. Bitte "
    "starten Sie die Anmeldung noch einmal über die Schaltfläche auf der Anmeldeseite."
)
LOGIN_EXPIRED = _(
    "Die Anmeldebestätigung Ihrer Organisation ist abgelaufen. Bitte starten Sie die Anmeldung "
    "noch einmal über die Schaltfläche auf der Anmeldeseite."
)
LOGIN_CANCELLED = _("Die Anmeldung wurde beim Anmeldedienst Ihrer Organisation abgebrochen.")
PROVIDER_UNKNOWN = _("Diesen Anmeldedienst gibt es hier nicht.")
PROVIDER_UNREACHABLE = _(
    "Der Anmeldedienst Ihrer Organisation ist gerade nicht erreichbar. Bitte versuchen Sie es "
    "später noch einmal."
)
NO_SUBJECT = _(
    "Der Anmeldedienst hat keine dauerhafte Kennung für Ihr Konto übermittelt. Bitte wenden Sie "
    "sich an die IT Ihrer Organisation."
)
ACCOUNT_DISABLED = _(
    "Ihr Konto auf dieser Plattform ist deaktiviert. Bitte wenden Sie sich an die Kursleitung."
)
SUBJECT_CONFLICT = _(
    "Ihr Anmeldedienst meldet Sie mit einer neuen Kennung, doch zu Ihrer E-Mail-Adresse gibt es "
    "hier schon ein Konto über denselben Anmeldedienst. Damit Ihr Lernstand nicht auf zwei Konten "
    "verteilt wird, wurde kein neues Konto angelegt. Bitte wenden Sie sich an die Kursleitung."
)
IDENTITY_NOT_FOUND = _("Zu dieser Kennung gibt es keine Verknüpfung.")
IDENTITY_TAKEN = _("Die neue Kennung ist bereits mit einem Konto verknüpft.")
LOCKED_OUT = _(
    "Zu viele fehlgeschlagene Anmeldeversuche über diesen Anmeldedienst: Die Anmeldung ist von "
    "Ihrem Netzwerk aus für %(minutes)s Minuten gesperrt. Bitte versuchen Sie es später erneut."
)

_email_validator = EmailValidator()


@dataclass(frozen=True)
class Assertion:
    """What a provider asserted about a person, after its library checked the signature."""

    provider: Provider
    subject: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    organisation_unit: str = ""
    groups: tuple[str, ...] = field(default=())
    mfa: bool = False


def _clean_email(value) -> str:
    value = str(value or "").strip()
    try:
        _email_validator(value)
    except ValidationError:
        return ""
    return value if len(value) <= 254 else ""


def _clean_name(value) -> str:
    return str(value or "").strip()[:150]


def new_username(provider: Provider) -> str:
    """A username that says nothing about the person (it is shown to trainers and in exports):
    the provider's key and a random part."""
    return f"{provider.key}-{uuid.uuid4().hex[:12]}"


def sign_in_external(*, assertion: Assertion):
    """The account of ``assertion``'s (provider, subject), created at the first login.

    - Found by the external identity only; an account with the same email (at another provider
      or a local one) is never taken over: a new account is created beside it, without the
      address (addresses are unique; it stays the other account's).
    - Name and email follow the provider at every login (an empty value keeps the stored one).
    - Role groups the provider maps (``groups``) are granted or withdrawn, the organisation unit
      stored; each change is written to the audit log.
    - A deactivated or erased account is refused (``ValidationError(ACCOUNT_DISABLED)``).
    - A new subject whose email belongs to an account at the same provider is refused
      (``SUBJECT_CONFLICT``, audited): no silent second account (see ``_subject_conflict``).

    One transaction; the identity row is locked, so two simultaneous first logins of the same
    person create one account (the unique constraint decides, the loser reads the winner's).
    """
    if not assertion.subject or len(assertion.subject) > 255:
        raise ValidationError(NO_SUBJECT)
    provider = assertion.provider
    conflict = None
    with transaction.atomic():
        identity = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(provider=provider.key, subject=assertion.subject)
            .first()
        )
        if identity is None:
            conflict = _subject_conflict(provider, assertion)
            if conflict is None:
                identity = _create_account(provider, assertion)
        if conflict is None:
            user = identity.user
            if not user.is_active or is_erased(user):
                raise ValidationError(ACCOUNT_DISABLED)
            _update_profile(user, assertion)
            _apply_mapping(user, identity, assertion)
            identity.last_login_at = timezone.now()
            identity.save(update_fields=["last_login_at", "organisation_unit", "groups"])
    if conflict is not None:
        # Written on its own: the refusal itself changes nothing else.
        record_audit(
            actor=None,
            action=AuditAction.SSO_SUBJECT_CONFLICT,
            target=conflict.user,
            details={"provider": provider.key, "identity_id": conflict.pk},
        )
        raise ValidationError(SUBJECT_CONFLICT)
    return user


def _create_account(provider: Provider, assertion: Assertion) -> ExternalIdentity:
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User(
                username=new_username(provider),
                email=_unclaimed_email(_clean_email(assertion.email)),
                first_name=_clean_name(assertion.first_name),
                last_name=_clean_name(assertion.last_name),
            )
            user.set_unusable_password()
            user.full_clean()
            user.save()
            identity = ExternalIdentity.objects.create(
                provider=provider.key, subject=assertion.subject, user=user
            )
    except IntegrityError:  # the same person's simultaneous first login won
        return (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .get(provider=provider.key, subject=assertion.subject)
        )
    record_audit(
        actor=None,
        action=AuditAction.SSO_ACCOUNT_CREATED,
        target=user,
        details={"provider": provider.key},
    )
    return identity


def _subject_conflict(provider: Provider, assertion: Assertion) -> ExternalIdentity | None:
    """An identity at the same provider whose account has the asserted email: most likely the
    same person under a new subject (a re-created directory account, a tenant migration).
    Creating a second account would split their learning record without anyone noticing, and
    taking the old one over on the strength of an email would be the very matching this
    design refuses; so the login stops and the Kursleitung moves the identity
    (``move_external_identity``) once they know it is the same person."""
    email = _clean_email(assertion.email)
    if not email:
        return None
    return (
        ExternalIdentity.objects.filter(
            provider=provider.key, user__email__iexact=email, user__is_active=True
        )
        .select_related("user")
        .first()
    )


@transaction.atomic
def move_external_identity(*, provider_key: str, old_subject: str, new_subject: str, actor=None):
    """Re-keys an identity after the provider changed a person's subject: their next login
    with the new subject reaches their existing account. Audited."""
    identity = (
        ExternalIdentity.objects.select_for_update()
        .filter(provider=provider_key, subject=old_subject)
        .first()
    )
    if identity is None:
        raise ValidationError(IDENTITY_NOT_FOUND)
    if ExternalIdentity.objects.filter(provider=provider_key, subject=new_subject).exists():
        raise ValidationError(IDENTITY_TAKEN)
    identity.subject = new_subject
    identity.save(update_fields=["subject"])
    record_audit(
        actor=actor,
        action=AuditAction.SSO_IDENTITY_MOVED,
        target=identity.user,
        details={"provider": provider_key, "identity_id": identity.pk},
    )
    return identity


def _unclaimed_email(email: str, *, user=None) -> str:
    """The asserted address, or "" when another account already has it: addresses are unique
    (accounts/0003), and an organisation login never takes over an account by its email."""
    others = get_user_model().objects.filter(email__iexact=email)
    if user is not None:
        others = others.exclude(pk=user.pk)
    return "" if email and others.exists() else email


def _update_profile(user, assertion: Assertion) -> None:
    changed = []
    for name, value in (
        ("email", _unclaimed_email(_clean_email(assertion.email), user=user)),
        ("first_name", _clean_name(assertion.first_name)),
        ("last_name", _clean_name(assertion.last_name)),
    ):
        if value and getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    if changed:
        user.save(update_fields=changed)


# Who follows a person's organisation unit when their provider asserts a new one (training
# moves the enrollments that took the unit from the provider): called inside the login's
# transaction, so the unit changes everywhere at once or, when a callback fails, nowhere.
_unit_changed_callbacks: list = []


def on_organisation_unit_changed(callback):
    """Registers ``callback(*, user, old_unit, new_unit)`` for unit changes at login."""
    if callback not in _unit_changed_callbacks:
        _unit_changed_callbacks.append(callback)
    return callback


def _apply_mapping(user, identity: ExternalIdentity, assertion: Assertion) -> None:
    """Grants and withdraws the role groups the provider maps, stores unit and groups, and
    records what changed. Groups the provider does not map stay as the Kursleitung set them."""
    provider = assertion.provider
    asserted = set(assertion.groups)
    granted, withdrawn = [], []
    for role, group_name in ROLE_GROUPS.items():
        if role not in provider.groups:
            continue
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        should = bool(asserted & set(provider.groups[role]))
        has = user.groups.filter(pk=group.pk).exists()
        if should and not has:
            user.groups.add(group)
            granted.append(group_name)
        elif has and not should:
            user.groups.remove(group)
            withdrawn.append(group_name)
    unit = _clean_name(assertion.organisation_unit)[:200]
    details = {"provider": provider.key}
    if granted:
        details["granted"] = granted
    if withdrawn:
        details["withdrawn"] = withdrawn
    if provider.claim("organisation_unit") and unit != identity.organisation_unit:
        details["organisation_unit"] = {"from": identity.organisation_unit, "to": unit}
        for callback in list(_unit_changed_callbacks):
            callback(user=user, old_unit=identity.organisation_unit, new_unit=unit)
        identity.organisation_unit = unit
    identity.groups = sorted(asserted)[:100]
    if len(details) > 1:
        record_audit(
            actor=None, action=AuditAction.SSO_MAPPING_CHANGED, target=user, details=details
        )


# --- Lockout: refused logins count like wrong passwords -------------------------------------


def lockout_credentials(provider_key: str) -> dict:
    """django-axes counts refused logins per provider and client address (there is no trusted
    username before the provider's answer has been checked)."""
    return {"username": f"sso:{provider_key}"}


def is_locked_out(*, request, provider_key: str) -> bool:
    return AxesProxyHandler.is_locked(request, lockout_credentials(provider_key))


def record_refused_login(*, request, provider_key: str) -> None:
    """Counts a refused login in django-axes, as a wrong password is counted."""
    user_login_failed.send(
        sender=__name__, credentials=lockout_credentials(provider_key), request=request
    )


def forget_refused_logins(*, request, provider_key: str) -> None:
    """After a successful login from this address, its earlier refusals no longer count."""
    ip_address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    axes_reset(ip=ip_address, username=lockout_credentials(provider_key)["username"])
