import pytest
from django.core.management import call_command

from certificates import services
from certificates.management.commands.verify_certificate import NOT_GENUINE
from tests.certificates.conftest import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdf_file(enrollment, course, tmp_path):
    complete(enrollment, course)
    certificate = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    path = tmp_path / "zertifikat.pdf"
    with certificate.pdf.open("rb") as handle:
        path.write_bytes(handle.read())
    return certificate, path


def test_a_genuine_file_is_confirmed(pdf_file, capsys):
    certificate, path = pdf_file
    call_command("verify_certificate", str(path))
    out = capsys.readouterr().out
    assert f"ECHT UND GÜLTIG: {certificate.serial}, Jürgen Weißmüller-Größ" in out


def test_an_edited_file_is_reported_as_not_genuine(pdf_file, capsys):
    _, path = pdf_file
    data = bytearray(path.read_bytes())
    data[-40] ^= 1  # one bit anywhere changes the hash
    path.write_bytes(bytes(data))
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_certificate", str(path))
    assert exit_.value.code == 2
    assert NOT_GENUINE in capsys.readouterr().err


def test_a_revoked_certificate_is_genuine_but_reported_revoked(pdf_file, capsys, django_user_model):
    certificate, path = pdf_file
    lead = django_user_model.objects.create_superuser("chefin", "c@example.org", "x")
    services.revoke_certificate(certificate_id=certificate.pk, reason="Irrtum", revoked_by=lead)
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_certificate", str(path))
    assert exit_.value.code == 1
    assert "WIDERRUFEN" in capsys.readouterr().out


def test_an_expired_certificate_is_genuine_but_reported_expired(pdf_file, capsys):
    # given a certificate whose end date has passed (as if time went by)
    from datetime import timedelta

    from django.utils import timezone

    from certificates.models import Certificate

    certificate, path = pdf_file
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_certificate", str(path))
    assert exit_.value.code == 3
    out = capsys.readouterr().out
    assert "ABGELAUFEN" in out
    assert "WIDERRUFEN" not in out


def test_a_missing_file_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Datei nicht lesbar"):
        call_command("verify_certificate", str(tmp_path / "fehlt.pdf"))
