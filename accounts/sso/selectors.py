"""Read-side questions about organisation logins."""

from accounts.models import ExternalIdentity


def external_identities(user):
    return ExternalIdentity.objects.filter(user=user).order_by("provider", "pk")


def asserted_organisation_unit(user) -> str:
    """The organisation unit the person's provider asserted at their latest login ("" when no
    provider sends one)."""
    identity = (
        ExternalIdentity.objects.filter(user=user)
        .exclude(organisation_unit="")
        .order_by("-last_login_at", "-pk")
        .first()
    )
    return identity.organisation_unit if identity else ""
