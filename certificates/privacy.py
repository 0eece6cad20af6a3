"""How the certificate register treats personal data (see core/privacy.py).

Issued certificates are kept on erasure, with the holder's name as issued and no email address
(the register never stores one): the public verification page must keep confirming a
qualification the holder may still present (Art. 17(3)(b) and (e) GDPR; Art. 31 revDSG). The
person's data download lists their certificates with the verification link.
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.models import ModelLogEntry

from certificates.models import Certificate, ReminderLog, ReminderPreference
from certificates.services import absolute_url, verify_url
from core import privacy


def _export(user) -> list[dict]:
    return [
        {
            "serial": certificate.serial,
            "holder_name": certificate.holder_name,
            "course_title": certificate.course_title,
            "sections": certificate.sections,
            "issued_at": certificate.issued_at,
            "valid_until": certificate.valid_until,
            "status": "revoked" if certificate.is_revoked else "valid",
            "renews": certificate.previous.serial if certificate.previous_id else None,
            "revoked_at": certificate.revoked_at,
            "revocation_reason": certificate.revocation_reason,
            "verification_code": certificate.display_code,
            "verification_url": verify_url(certificate.token),
            "download_url": absolute_url(reverse("certificates:download", args=[certificate.pk])),
            "open_badges_credential_url": (
                absolute_url(
                    reverse("certificates:download_credential", args=[certificate.pk, "jwt"])
                )
                if certificate.credential_jwt
                else None
            ),
        }
        for certificate in Certificate.objects.filter(enrollment__user=user)
        .select_related("previous")
        .order_by("issued_at")
    ]


def _erase(user) -> None:
    # The holder's certificates stay as issued. Wagtail's log of their revocation repeats the
    # holder's name in its label (the certificate's str()): it keeps the serial only.
    held = list(Certificate.objects.filter(enrollment__user=user).values_list("pk", "serial"))
    content_type = ContentType.objects.get_for_model(Certificate)
    for pk, serial in held:
        ModelLogEntry.objects.filter(content_type=content_type, object_id=str(pk)).update(
            label=serial
        )
    # A course lead who revoked certificates: the revocation (when, why) stays without them.
    Certificate.objects.filter(revoked_by=user).update(revoked_by=None)


privacy.register(
    Certificate,
    title=_("Ihre Zertifikate"),
    policy=(
        "Ausgestellte Zertifikate bleiben im Zertifikatsregister mit dem Namen wie ausgestellt "
        "(ohne E-Mail-Adresse), damit die öffentliche Prüfung die Qualifikation weiter "
        "bestätigt; wer ein Zertifikat widerrufen hat, wird entfernt. Der digitale Nachweis "
        "(Open Badges 3.0) enthält die E-Mail-Adresse nur als gesalzenen Hash und bleibt "
        "wie ausgestellt; die Statusliste enthält nur ein Bit je Zertifikat."
    ),
    export=_export,
    erase=_erase,
)


privacy.register(
    ReminderPreference,
    title=_("Ihre Einstellung zu Erinnerungen"),
    policy=(
        "Ob die Person Erinnerungen per E-Mail erhält, und die geheime Adresse ihres "
        "Kalenders; bei der Löschung entfernt (die Kalenderadresse funktioniert dann nicht mehr)."
    ),
    export=lambda user: [
        {
            "reminders_enabled": p.reminders_enabled,
            "calendar_url": absolute_url(reverse("certificates:calendar", args=[p.calendar_token])),
        }
        for p in ReminderPreference.objects.filter(user=user)
    ],
    erase=lambda user: ReminderPreference.objects.filter(user=user).delete(),
)

privacy.register(
    ReminderLog,
    title=_("Erinnerungen, die wir Ihnen geschickt haben"),
    policy=(
        "Welche Erinnerung wann verschickt wurde (damit keine doppelt kommt); "
        "bei der Löschung entfernt."
    ),
    export=lambda user: [
        {"kind": row.get_kind_display(), "occasion": row.occasion, "sent_at": row.sent_at}
        for row in ReminderLog.objects.filter(user=user).order_by("sent_at")
    ],
    erase=lambda user: ReminderLog.objects.filter(user=user).delete(),
)
