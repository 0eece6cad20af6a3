"""Read-side queries of the certificate register, and the completion data a certificate freezes.

Completion data is read from training's models only (enrollment, module progress, sittings) and
the course outline from cms's selectors.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.profile import qualification_form_of
from accounts.selectors import ERASED_USERNAME_PREFIX
from certificates.models import Certificate
from certificates.units import teaching_units
from training.models import Enrollment, ModuleProgress, Renewal
from training.quizzes.selectors import sittings_of

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{12}}$")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
# What people mistype from paper: O for zero, I and L for one.
_READING_MISTAKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class SectionFacts:
    title: str
    completed_on: date
    minutes: int
    teaching_units: int


@dataclass(frozen=True)
class CompletionFacts:
    holder_name: str
    course_title: str
    sections: list[SectionFacts]
    revisions: list[dict]
    user_id: int = 0
    email: str = ""
    course_id: int = 0
    validity_months: int | None = None
    qualification_form: str = ""


class CertificateState(models.TextChoices):
    """A participant's certificate as the trainer workspace shows it (the newest one)."""

    UNAVAILABLE = "unavailable", "—"
    NONE = "none", _("noch keines")
    ISSUED = "issued", _("ausgestellt")
    REVOKED = "revoked", _("widerrufen")
    EXPIRED = "expired", _("abgelaufen")
    RENEWING = "renewing", _("Auffrischung läuft")
    RENEWED = "renewed", _("erneuert")


def certificate_states(enrollment_ids, *, now=None) -> dict[int, str]:
    """The state of the newest certificate per enrollment id that has one: revoked, a refresher
    running, expired, renewed (the newest is a renewal) or issued. Two queries for any number
    of enrollments (``enrollment_ids`` may be a subquery)."""
    if not isinstance(enrollment_ids, models.QuerySet):
        enrollment_ids = list(enrollment_ids)
    now = now or timezone.now()
    rows = (
        Certificate.objects.filter(enrollment_id__in=enrollment_ids)
        .order_by(models.F("renewal_id").asc(nulls_first=True))
        .values_list("enrollment_id", "revoked_at", "valid_until", "previous_id")
    )
    newest = {row[0]: row for row in rows}  # the last row per enrollment is the newest
    renewing = set(
        Renewal.objects.filter(
            enrollment_id__in=list(newest), completed_at__isnull=True
        ).values_list("enrollment_id", flat=True)
    )
    states = {}
    for enrollment_id, revoked_at, valid_until, previous_id in newest.values():
        if revoked_at:
            states[enrollment_id] = CertificateState.REVOKED
        elif enrollment_id in renewing:
            states[enrollment_id] = CertificateState.RENEWING
        elif valid_until is not None and valid_until <= now:
            states[enrollment_id] = CertificateState.EXPIRED
        elif previous_id is not None:
            states[enrollment_id] = CertificateState.RENEWED
        else:
            states[enrollment_id] = CertificateState.ISSUED
    return states


def certificate_for_enrollment(enrollment_id: int) -> Certificate | None:
    """The enrollment's current certificate: the newest renewal's, else the first."""
    return (
        Certificate.objects.filter(enrollment_id=enrollment_id)
        .order_by(models.F("renewal_id").desc(nulls_last=True))
        .first()
    )


def first_certificate(enrollment_id: int) -> Certificate | None:
    return Certificate.objects.filter(enrollment_id=enrollment_id, renewal__isnull=True).first()


def renewals_awaiting_certificate(enrollment_id: int):
    """Completed refreshers of the enrollment still without their certificate, oldest first,
    whose renewed certificate is not revoked (a revoked one is never renewed)."""
    return Renewal.objects.filter(
        enrollment_id=enrollment_id,
        completed_at__isnull=False,
        certificate__isnull=True,
        renews__in=Certificate.objects.filter(revoked_at__isnull=True).values("pk"),
    ).order_by("completed_at", "pk")


def completion_facts(enrollment_id: int) -> CompletionFacts | None:
    """Who completed what, when, on which revisions; None unless the enrollment is completed,
    and for an erased account (no one left to certify)."""
    from cms.selectors import course_outline

    enrollment = (
        Enrollment.objects.select_related("user", "course")
        .filter(pk=enrollment_id, completed_at__isnull=False, unenrolled_at__isnull=True)
        .exclude(user__username__startswith=ERASED_USERNAME_PREFIX)
        .first()
    )
    if enrollment is None:
        return None
    progress = {
        p.module_id: p
        for p in ModuleProgress.objects.filter(enrollment=enrollment, completed_at__isnull=False)
    }
    passed = {}
    for sitting in (
        sittings_of(enrollment, list(progress))
        .filter(module_id__in=list(progress), passed=True, complete=True)
        .order_by("finished_at", "pk")
    ):
        passed.setdefault(sitting.module_id, sitting)

    sections, revisions = [], []
    fallback_day = timezone.localdate(enrollment.completed_at)
    for outline in course_outline(enrollment.course):
        done = [m for m in outline.modules if m.pk in progress]
        minutes = sum(m.estimated_minutes for m in done)
        last = max((progress[m.pk].completed_at for m in done), default=None)
        sections.append(
            SectionFacts(
                title=outline.section.title,
                completed_on=timezone.localdate(last) if last else fallback_day,
                minutes=minutes,
                teaching_units=teaching_units(minutes),
            )
        )
        for module in done:
            sitting = passed.get(module.pk)
            revisions.append(
                {
                    "module": module.pk,
                    "title": module.title,
                    "page_revision": progress[module.pk].page_revision_id,
                    "quiz": sitting.quiz_id if sitting else None,
                    "quiz_revision": sitting.quiz_revision_id if sitting else None,
                    "completed_at": progress[module.pk].completed_at.isoformat(),
                }
            )
    user = enrollment.user
    return CompletionFacts(
        holder_name=user.get_full_name().strip() or user.get_username(),
        course_title=enrollment.course.title,
        sections=sections,
        revisions=revisions,
        user_id=user.pk,
        email=user.email or "",
        course_id=enrollment.course_id,
        validity_months=enrollment.course.validity_months,
        qualification_form=qualification_form_of(user),
    )


def normalise_code(text: str) -> tuple[str, str] | None:
    """('token', value) or ('code', value) for something a person typed or scanned."""
    text = (text or "").strip()
    if _TOKEN_RE.match(text):
        return "token", text
    compact = re.sub(r"[\s-]", "", text).upper().translate(_READING_MISTAKES)
    if _CODE_RE.match(compact):
        return "code", compact
    return None


def certificate_by_code(text: str) -> Certificate | None:
    parsed = normalise_code(text)
    if parsed is None:
        return None
    field, value = parsed
    return Certificate.objects.filter(**{field: value}).first()


def certificate_by_credential_id(credential_id) -> Certificate | None:
    """The certificate whose credential has this ``id`` (``urn:uuid:…``)."""
    if not isinstance(credential_id, str) or not credential_id.startswith("urn:uuid:"):
        return None
    try:
        pk = uuid.UUID(credential_id.removeprefix("urn:uuid:"))
    except ValueError:
        return None
    return Certificate.objects.filter(pk=pk).first()


def certificate_by_pdf_hash(sha256: str) -> Certificate | None:
    return Certificate.objects.filter(pdf_sha256=sha256).first()


def certificates_visible_to(user):
    """Trainers see the certificates of their cohorts; course leads (who may revoke) and
    superusers see all."""
    queryset = Certificate.objects.select_related("enrollment__cohort", "revoked_by")
    if user.is_superuser or user.has_perm("certificates.revoke_certificate"):
        return queryset
    return queryset.filter(enrollment__cohort__trainers=user).distinct()


def enrollments_missing_certificate(*, completed_before, limit: int = 500) -> list[int]:
    """Completed enrollments without their first certificate, and those with a refresher
    completed but not yet certified."""
    first = list(
        Enrollment.objects.filter(
            completed_at__isnull=False,
            completed_at__lt=completed_before,
            certificates__isnull=True,
            unenrolled_at__isnull=True,
        )
        .exclude(user__username__startswith=ERASED_USERNAME_PREFIX)
        .order_by("completed_at")
        .values_list("pk", flat=True)[:limit]
    )
    renewed = (
        Renewal.objects.filter(
            completed_at__lt=completed_before,
            certificate__isnull=True,
            enrollment__unenrolled_at__isnull=True,
            renews__in=Certificate.objects.filter(revoked_at__isnull=True).values("pk"),
        )
        .exclude(enrollment__user__username__startswith=ERASED_USERNAME_PREFIX)
        .order_by("completed_at")
        .values_list("enrollment_id", flat=True)[:limit]
    )
    return first + [pk for pk in dict.fromkeys(renewed) if pk not in first][: limit - len(first)]


def certificates_missing_email(*, issued_before, limit: int = 500) -> list:
    """Issued, not revoked, not yet emailed to a holder who has an address (recent days only:
    an email weeks late would confuse more than help)."""
    return list(
        Certificate.objects.filter(
            emailed_at__isnull=True,
            revoked_at__isnull=True,
            issued_at__lt=issued_before,
            issued_at__gte=issued_before - timedelta(days=7),
        )
        .exclude(enrollment__user__email="")
        .order_by("issued_at")
        .values_list("pk", flat=True)[:limit]
    )
