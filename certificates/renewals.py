"""Renewal of certificates with an end date: who may start a refresher for which certificate,
and when; what the renewed certificate records of the refresher.

The rule: only the holder, only the current certificate of the enrollment (not one already
renewed), only while it is valid (not revoked, not expired) and only from
``CERTIFICATE_RENEWAL_WINDOW_DAYS`` before its end. The refresher itself is training's
(``training.renewals``); completing it announces the enrollment completed again, and the one
certificate task (``certificates.tasks.issue_certificate``) issues the renewed certificate,
which names the previous one. The previous certificate is superseded, not revoked.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate
from training import renewals as training_renewals
from training.errors import TrainingError
from training.models import Renewal, RenewalProgress, Sitting

RENEWAL_NOT_FOUND = _("Dieses Zertifikat gibt es nicht in Ihrem Konto.")
RENEWAL_UNLIMITED = _("Dieses Zertifikat gilt unbefristet; eine Auffrischung ist nicht nötig.")
RENEWAL_REVOKED = _("Ein widerrufenes Zertifikat kann nicht erneuert werden.")
RENEWAL_EXPIRED = _(
    "Dieses Zertifikat ist abgelaufen. Eine Auffrischung ist nur vor dem Ablauf möglich; bitte "
    "wenden Sie sich an Ihre Kursleitung."
)
RENEWAL_TOO_EARLY = _(
    "Die Auffrischung ist ab dem %(date)s möglich (%(days)s Tage vor dem Ablauf Ihres Zertifikats)."
)
RENEWAL_SUPERSEDED = _(
    "Dieses Zertifikat wurde bereits erneuert. Ihr aktuelles Zertifikat ist %(serial)s."
)
RENEWAL_UNENROLLED = _(
    "Sie sind aus diesem Kurs ausgetragen. Bitte wenden Sie sich an Ihre Kursleitung."
)


class RenewalRefused(Exception):
    def __init__(self, message, status: int = 409):
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass(frozen=True)
class RenewalStatus:
    """What the renewal page and the dashboard show for one certificate.

    ``state``: ``unlimited``, ``revoked``, ``superseded``, ``expired``, ``too_early``,
    ``unenrolled``, ``eligible`` (may start), ``running`` (refresher under way) or ``awaiting``
    (refresher complete, the renewed certificate is being issued)."""

    certificate: Certificate
    state: str
    message: str = ""
    opens_on: datetime | None = None
    renewal: Renewal | None = None

    @property
    def can_start(self) -> bool:
        return self.state == "eligible"


def window_opens(certificate: Certificate) -> datetime | None:
    if certificate.valid_until is None:
        return None
    return certificate.valid_until - timedelta(days=settings.CERTIFICATE_RENEWAL_WINDOW_DAYS)


def renewal_status(certificate: Certificate, *, now=None) -> RenewalStatus:
    """The certificate's renewal state at ``now`` (default: now); three queries at most. Only
    the newest certificate of a chain can be renewed: every older one has its successor."""
    now = now or timezone.now()
    renewal = training_renewals.renewal_for_certificate(certificate.pk)
    if certificate.is_revoked:
        return RenewalStatus(certificate, "revoked", RENEWAL_REVOKED)
    successor = certificate.superseded_by
    if successor is not None:
        message = RENEWAL_SUPERSEDED % {"serial": successor.serial}
        return RenewalStatus(certificate, "superseded", message, renewal=renewal)
    if renewal is not None:
        state = "awaiting" if renewal.completed_at else "running"
        return RenewalStatus(certificate, state, renewal=renewal)
    if certificate.valid_until is None:
        return RenewalStatus(certificate, "unlimited", RENEWAL_UNLIMITED)
    if certificate.is_expired(now):
        return RenewalStatus(certificate, "expired", RENEWAL_EXPIRED)
    enrollment = certificate.enrollment
    if enrollment.unenrolled_at is not None:
        return RenewalStatus(certificate, "unenrolled", RENEWAL_UNENROLLED)
    opens = window_opens(certificate)
    if now < opens:
        message = RENEWAL_TOO_EARLY % {
            "date": timezone.localdate(opens).strftime("%d.%m.%Y"),
            "days": settings.CERTIFICATE_RENEWAL_WINDOW_DAYS,
        }
        return RenewalStatus(certificate, "too_early", message, opens_on=opens)
    return RenewalStatus(certificate, "eligible", opens_on=opens)


def holders_certificate(*, user, certificate_id) -> Certificate:
    """The person's own certificate; anybody else's is 'not found' (not telling it exists)."""
    certificate = (
        Certificate.objects.select_related("enrollment")
        .filter(pk=certificate_id, enrollment__user=user)
        .first()
        if user.is_authenticated
        else None
    )
    if certificate is None:
        raise RenewalRefused(RENEWAL_NOT_FOUND, status=404)
    return certificate


def start_renewal(*, user, certificate_id, now=None) -> tuple[Renewal, bool]:
    """Starts the refresher that renews the person's certificate; returns it and whether it
    is new.

    Refuses (``RenewalRefused`` with a German message, nothing written) someone else's
    certificate (404), a revoked, expired, unlimited, already renewed or not current
    certificate, a certificate whose window has not opened, and an unenrolled person.
    Starting again (a replayed form, two tabs) returns the refresher already running. The
    certificate row is locked while deciding, so revoking it meanwhile cannot slip through;
    training's unique constraints keep one refresher per certificate."""
    now = now or timezone.now()
    with transaction.atomic():
        holders_certificate(user=user, certificate_id=certificate_id)
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enrollment")
            .get(pk=certificate_id)
        )
        status = renewal_status(certificate, now=now)
        if status.state == "running":
            return status.renewal, False
        if not status.can_start:
            raise RenewalRefused(status.message or RENEWAL_SUPERSEDED)
        try:
            return training_renewals.start_renewal(
                enrollment_id=certificate.enrollment_id, renews=certificate.pk, now=now
            )
        except TrainingError as error:
            raise RenewalRefused(error.message, status=error.status) from error


def refresher_revisions(renewal: Renewal) -> list[dict]:
    """What was repeated in the refresher, as the certificate's revisions record it: module,
    page revision read, quiz revision passed (in an attempt started during the refresher)."""
    rows = list(
        RenewalProgress.objects.filter(renewal=renewal, completed_at__isnull=False)
        .select_related("module")
        .order_by("completed_at", "pk")
    )
    passed = {}
    for sitting in Sitting.objects.filter(
        enrollment_id=renewal.enrollment_id,
        module_id__in=[r.module_id for r in rows],
        passed=True,
        complete=True,
        started_at__gte=renewal.started_at,
    ).order_by("finished_at", "pk"):
        passed.setdefault(sitting.module_id, sitting)
    return [
        {
            "module": row.module_id,
            "title": row.module.title,
            "page_revision": row.page_revision_id,
            "quiz": passed[row.module_id].quiz_id if row.module_id in passed else None,
            "quiz_revision": (
                passed[row.module_id].quiz_revision_id if row.module_id in passed else None
            ),
            "completed_at": row.completed_at.isoformat(),
            "renewal": True,
        }
        for row in rows
    ]
