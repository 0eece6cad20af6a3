"""All writes to the certificate register: issuing, emailing, revoking.

Issuing is idempotent: the certificate is rendered, signed and stored outside any lock, then
inserted under a row lock on the enrollment; the one-per-enrollment constraint has the last word.
A run that loses a race removes the file it stored and returns the winner's certificate.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from accounts.notifications import Kind as NotificationKind
from accounts.notifications import notify
from audit.models import AuditAction
from audit.services import record_audit
from certificates import branding, credentials, renewals, selectors, signing, status_list
from certificates.models import Certificate, CertificateText, SerialCounter
from certificates.qualification import qualification_title
from core import links
from training.services import lock_enrollment
from training.xapi import services as xapi

logger = logging.getLogger(__name__)

REVOCATION_REASON_REQUIRED = gettext_lazy("Bitte geben Sie einen Grund für den Widerruf an.")
ALREADY_REVOKED = gettext_lazy("Dieses Zertifikat wurde bereits widerrufen.")
NOT_ALLOWED_TO_REVOKE = gettext_lazy("Sie dürfen Zertifikate nicht widerrufen.")

# Crockford's base32 (no I, L, O, U), so a code typed from paper cannot be misread.
CODE_ALPHABET = selectors.CODE_ALPHABET
CODE_LENGTH = 12  # 12 × 5 = 60 random bits
TOKEN_BYTES = 32  # 256 random bits for the link and QR code
REVOKE_ACTION = "certificates.revoke"


def new_code() -> str:
    number = secrets.randbits(5 * CODE_LENGTH)
    return "".join(CODE_ALPHABET[(number >> (5 * i)) & 31] for i in range(CODE_LENGTH))


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def next_serial(*, year: int) -> str:
    """Hands out the next serial of the year with one atomic upsert. Call it only inside the
    transaction that stores the certificate: the counter row stays locked until that
    transaction ends, and a failure rolls the number back, so the register has no gaps (an
    auditor reads a gap as a deleted certificate) and no duplicates."""
    table = connection.ops.quote_name(SerialCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_number) VALUES (%s, 1) "  # noqa: S608 (table name)
            f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [year],
        )
        (number,) = cursor.fetchone()
    return f"DBS-{year}-{number:06d}"


def absolute_url(path: str) -> str:
    return links.absolute_url(path)


def verify_url(token_or_code: str) -> str:
    return absolute_url(reverse("certificates:verify", args=[token_or_code]))


@dataclass
class IssueResult:
    certificate: Certificate | None
    created: bool


def issue_certificate(*, enrollment_id: int) -> IssueResult:
    """Issues what a completed enrollment has earned and not yet received, exactly once: its
    first certificate, then one renewed certificate per completed refresher (naming the
    certificate it renews). Called by the one certificate task for both.

    Idempotent: returns the current certificate (revoked or not) when nothing is owed, and
    nothing for an enrollment that does not exist, is not completed or is unenrolled (checked
    again under the enrollment's row lock before the insert). Serial, render, stored PDF and
    row come in one transaction under ``select_for_update`` on the enrollment, and the unique
    constraints (one first certificate per enrollment, one per refresher, one successor per
    certificate) have the last word, so a second concurrent run waits and then finds the
    first's certificate, and a failure anywhere leaves neither a row nor a used serial nor a
    file. Raises storage and database errors for the task to retry.
    """
    current = selectors.certificate_for_enrollment(enrollment_id)
    renewal = None
    if current is not None:
        renewal = selectors.renewals_awaiting_certificate(enrollment_id).first()
        if renewal is None:
            return IssueResult(current, created=False)
    facts = selectors.completion_facts(enrollment_id)
    if facts is None:
        logger.info("Enrollment %s is not completed: no certificate", enrollment_id)
        return IssueResult(None, created=False)

    issued_at = timezone.now().replace(microsecond=0)
    text = CertificateText.load()
    certificate = None
    try:
        with transaction.atomic():
            active = lock_enrollment(enrollment_id)
            winner = _already_issued(enrollment_id, renewal)
            if winner is None and not active:
                # unenrolled meanwhile: re-checked under the lock
                logger.info("Enrollment %s is unenrolled: no certificate", enrollment_id)
                return IssueResult(None, created=False)
            if winner is None:
                # The serial, the render and the stored PDF in the one transaction that inserts
                # the row: a failing render, storage or insert rolls the serial back. Issuing
                # is serialised on the year's counter row meanwhile (a render takes
                # milliseconds).
                certificate = _build_certificate(
                    enrollment_id=enrollment_id,
                    facts=facts,
                    text=text,
                    issued_at=issued_at,
                    renewal=renewal,
                )
                # Field validation here; uniqueness and the checks are the constraints' job
                # (checking them in Python first would only add queries and still race).
                certificate.full_clean(
                    exclude=["enrollment", "pdf", "renewal", "previous"],
                    validate_unique=False,
                    validate_constraints=False,
                )
                certificate.save(force_insert=True)
                _record_earned(user_id=facts.user_id, course_id=facts.course_id)
                notify(
                    user_id=facts.user_id,
                    kind=NotificationKind.CERTIFICATE_ISSUED,
                    params={"serial": certificate.serial, "course": certificate.course_title},
                    link=reverse("certificates:download", args=[certificate.pk]),
                    occasion=f"certificate-{certificate.pk}",
                )
    except IntegrityError:
        if certificate is not None:
            certificate.pdf.delete(save=False)
        winner = _already_issued(enrollment_id, renewal)
        if winner is None:
            raise  # a token or code collision: the task retries with new random values
    except BaseException:
        if certificate is not None and certificate.pdf:
            certificate.pdf.delete(save=False)
        raise
    if winner is not None:
        return IssueResult(winner, created=False)
    logger.info("Issued certificate %s for enrollment %s", certificate.serial, enrollment_id)
    return IssueResult(certificate, created=True)


def _record_earned(*, user_id: int, course_id: int) -> None:
    """The xAPI statement «earned» for the course's certificate, in the issuing transaction."""
    if xapi.enabled():
        xapi.certificate_earned(user_id=user_id, course_id=course_id)


def _already_issued(enrollment_id: int, renewal) -> Certificate | None:
    if renewal is None:
        return selectors.first_certificate(enrollment_id)
    return Certificate.objects.filter(renewal=renewal).first()


def _build_certificate(*, enrollment_id: int, facts, text, issued_at, renewal=None) -> Certificate:
    """A new certificate with its serial, rendered, signed and its PDF stored (not yet saved);
    for a refresher, naming the certificate it renews."""
    previous, start, revisions = None, issued_at, facts.revisions
    if renewal is not None:
        previous = Certificate.objects.get(pk=renewal.renews)
        # Renewing early loses no time: the new validity runs on from the previous end.
        start = max(issued_at, previous.valid_until or issued_at)
        revisions = revisions + renewals.refresher_revisions(renewal)
    valid_until = add_months(start, facts.validity_months) if facts.validity_months else None
    certificate = Certificate(
        enrollment_id=enrollment_id,
        renewal=renewal,
        previous=previous,
        serial=next_serial(year=timezone.localtime(issued_at).year),
        holder_name=facts.holder_name,
        holder_title=qualification_title(facts.course_title, facts.qualification_form),
        course_title=facts.course_title,
        sections=[
            {
                "title": s.title,
                "completed_on": s.completed_on.isoformat(),
                "minutes": s.minutes,
                "teaching_units": s.teaching_units,
            }
            for s in facts.sections
        ],
        revisions=revisions,
        issued_at=issued_at,
        valid_until=valid_until,
        token=new_token(),
        code=new_code(),
        status_index=status_list.next_status_index(),
    )
    short_url = verify_url(certificate.display_code)
    from certificates import rendering  # reportlab: loaded where certificates are issued only

    pdf = rendering.render_certificate(
        rendering.CertificateContent(
            serial=certificate.serial,
            holder_name=certificate.holder_name,
            holder_title=certificate.holder_title,
            course_title=certificate.course_title,
            sections=[
                rendering.SectionLine(s.title, s.completed_on, s.teaching_units)
                for s in facts.sections
            ],
            issued_at=timezone.localtime(issued_at),
            valid_until=timezone.localtime(valid_until) if valid_until else None,
            renews=previous.serial if previous else "",
            verify_url=verify_url(certificate.token),
            short_url=short_url.split("://", 1)[-1],
            display_code=certificate.display_code,
            organisation=text.organisation,
            title=text.title,
            explanatory_text=text.explanatory_text,
            signatory_name=text.signatory_name,
            signatory_role=text.signatory_role,
            logo=branding.branding_logo(),
            signature=branding.signature_picture(text),
        )
    )
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.signed_payload, certificate.signature, certificate.key_id = signing.sign(
        signed_payload(certificate)
    )
    certificate.credential_jwt = credentials.issue_credential(
        certificate,
        credentials.CredentialFacts(
            email=facts.email,
            user_id=facts.user_id,
            course_id=facts.course_id,
            issuer_name=text.organisation,
            description=text.explanatory_text,
        ),
    )
    certificate.pdf.save(f"{certificate.pk}.pdf", ContentFile(pdf), save=False)
    return certificate


def add_months(moment, months: int):
    """The same day and time ``months`` later (the month's last day if it is shorter)."""
    import calendar

    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def signed_payload(certificate: Certificate) -> dict:
    """What the signature vouches for: who, what, when, and the exact PDF (by its hash)."""
    payload = {
        "v": 1,
        "id": str(certificate.pk),
        "serial": certificate.serial,
        "holder": certificate.holder_name,
        "course": certificate.course_title,
        "sections": [
            {
                "title": s["title"],
                "completed_on": s["completed_on"],
                "teaching_units": s["teaching_units"],
            }
            for s in certificate.sections
        ],
        "issued_at": certificate.issued_at.astimezone(UTC).isoformat(),
        "pdf_sha256": certificate.pdf_sha256,
    }
    if certificate.valid_until:  # absent for certificates without an end date, as before
        payload["valid_until"] = certificate.valid_until.astimezone(UTC).isoformat()
    if certificate.previous_id:  # a renewal names the certificate it renews
        payload["renews"] = certificate.previous.serial
    if certificate.holder_title:  # absent for certificates issued before the choice existed
        payload["holder_title"] = certificate.holder_title
    return payload


def send_certificate_email(*, certificate_id) -> bool:
    """Emails the certificate to its holder once. Locks the certificate row while sending, so two
    runs send one email; a failed send leaves ``emailed_at`` empty for a retry. Returns whether
    an email went out now."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enrollment__user")
            .filter(pk=certificate_id)
            .first()
        )
        if certificate is None or certificate.emailed_at or certificate.is_revoked:
            return False
        user = certificate.enrollment.user
        if not user.email:
            return False
        with translation.override("de"):
            subject = _("Ihr Zertifikat %(serial)s") % {"serial": certificate.serial}
            body = _(
                "Guten Tag %(name)s\n\n"
                "Herzlichen Glückwunsch: Sie haben die Weiterbildung «%(course)s» abgeschlossen. "
                "Ihr Zertifikat liegt dieser E-Mail als PDF bei.\n\n"
                "Sie können es jederzeit hier herunterladen (nach der Anmeldung):\n%(download)s\n\n"
                "Wer die Echtheit prüfen möchte, öffnet diesen Link oder gibt den Prüfcode "
                "%(code)s ein:\n%(verify)s\n\n"
                "Freundliche Grüsse\nIhre Bürgerservice-Akademie\n"
            ) % {
                "name": certificate.holder_name,
                "course": certificate.course_title,
                "download": absolute_url(reverse("certificates:download", args=[certificate.pk])),
                "code": certificate.display_code,
                "verify": verify_url(certificate.token),
            }
        with certificate.pdf.open("rb") as handle:
            pdf = handle.read()
        message = EmailMessage(subject=subject, body=body, to=[user.email])
        message.attach(f"Zertifikat-{certificate.serial}.pdf", pdf, "application/pdf")
        message.send(fail_silently=False)
        certificate.emailed_at = timezone.now()
        certificate.save(update_fields=["emailed_at"])
    return True


def can_revoke(user) -> bool:
    return user.is_active and user.has_perm("certificates.revoke_certificate")


def revoke_certificate(*, certificate_id, reason: str, revoked_by) -> Certificate:
    """Revokes a certificate with a reason; logged (who, when, why) in Wagtail's audit log, which
    the certificate's history shows, and in the access log (*Zugriffsprotokoll*, about the
    holder). Revoking is final: a revoked certificate is never issued again for the enrollment.
    """
    reason = (reason or "").strip()
    if not can_revoke(revoked_by):
        raise ValidationError(NOT_ALLOWED_TO_REVOKE)
    if not reason:
        raise ValidationError({"reason": REVOCATION_REASON_REQUIRED})
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enrollment__user")
            .get(pk=certificate_id)
        )
        if certificate.is_revoked:
            raise ValidationError(ALREADY_REVOKED)
        certificate.revoked_at = timezone.now()
        certificate.revocation_reason = reason
        certificate.revoked_by = revoked_by
        certificate.full_clean(exclude=["enrollment", "pdf"])
        certificate.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
        log(
            instance=certificate,
            action=REVOKE_ACTION,
            user=revoked_by,
            data={"reason": reason, "serial": certificate.serial},
        )
        record_audit(
            actor=revoked_by,
            action=AuditAction.CERTIFICATE_REVOKED,
            target=certificate,
            subject=certificate.enrollment.user,
            details={"serial": certificate.serial, "reason": reason},
        )
    return certificate
