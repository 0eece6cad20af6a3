"""The audit log: who saw or changed participants' data."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditAction, AuditEntry
from audit.services import UNKNOWN_ACTION, record_audit
from tests.factories import TOTPDeviceFactory, UserFactory, editor

pytestmark = pytest.mark.django_db


def test_record_audit_takes_the_participant_from_the_target():
    # given a trainer and the participant whose data they open
    trainer, participant = editor(), UserFactory()
    # when the view records it
    entry = record_audit(actor=trainer, action=AuditAction.PARTICIPANT_VIEWED, target=participant)
    # then the entry names actor, action, target and the person concerned
    entry.refresh_from_db()
    assert (entry.actor, entry.action, entry.subject) == (
        trainer,
        "participant_viewed",
        participant,
    )
    assert (entry.target_type, entry.target_id, entry.details) == (
        "auth.user",
        str(participant.pk),
        {},
    )


def test_record_audit_takes_the_participant_from_a_row_with_a_user():
    # (any row with a ``user`` field, as a Sitting has)
    participant = UserFactory()
    device = TOTPDeviceFactory(user=participant)
    entry = record_audit(actor=editor(), action=AuditAction.SECOND_FACTOR_RESET, target=device)
    assert entry.subject == participant
    assert (entry.target_type, entry.target_id) == ("otp_totp.totpdevice", str(device.pk))


def test_an_unknown_action_is_refused_and_nothing_is_written():
    with pytest.raises(ValidationError) as error:
        record_audit(actor=None, action="peeked")
    assert error.value.messages == [UNKNOWN_ACTION % {"action": "peeked"}]
    assert AuditEntry.objects.count() == 0


def test_the_course_lead_reads_the_log_in_the_admin(client):
    participant = UserFactory(first_name="Lea", last_name="Beispiel")
    trainer = editor(first_name="Tom", last_name="Trainer")
    record_audit(
        actor=trainer,
        action=AuditAction.CERTIFICATE_REVOKED,
        target=participant,
        details={"reason": "Fehler"},
    )
    client.force_login(editor("Kursleitung"))
    response = client.get("/admin/protokoll/", {"action": "certificate_revoked"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<td>Tom Trainer</td>" in html
    assert "<td>Zertifikat widerrufen</td>" in html
    assert "<td>Lea Beispiel</td>" in html


def test_trainers_do_not_read_the_log(client):
    client.force_login(editor())
    response = client.get("/admin/protokoll/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
