"""The backup drill: back up the database and the media, restore both into an empty PostgreSQL
cluster and an empty folder (the test's own), and check every restored certificate (PDF hash,
signature, verification page) and a participant's progress."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection

from certificates.models import Certificate
from tests.certificates.conftest import complete, enroll_someone
from tests.faults.services import ROOT, OwnPostgres
from training.models import ModuleProgress

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def empty_postgres():
    postgres = OwnPostgres()
    postgres.start()
    yield postgres
    postgres.remove()


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_a_backup_restores_into_an_empty_database_and_folder_with_every_certificate_intact(
    course, settings, tmp_path, empty_postgres
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL")
    # given three participants who completed the course (three certificates) and one halfway
    done = [enroll_someone(course, f"fertig-{i}") for i in range(3)]
    for enrollment in done:
        complete(enrollment, course)
    halfway = enroll_someone(course, "halb")
    complete(halfway, course, except_last=True)
    certificates = {c.serial: (c.pdf_sha256, c.signature) for c in Certificate.objects.all()}
    assert len(certificates) == 3
    progress = sorted(
        ModuleProgress.objects.filter(enrollment=halfway).values_list("module_id", "completed_at")
    )
    # when the backup command runs
    call_command("backup", str(tmp_path / "sicherung"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    # and the restore command restores it into an empty database and folder
    restored_media = tmp_path / "wiederhergestellt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
    env.update(
        # production settings; static files without a collectstatic run (tests.faults.settings)
        DJANGO_SETTINGS_MODULE="tests.faults.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="drill-secret-key-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="akademie.example.ch",
        DJANGO_HTTPS="1",
        DJANGO_MEDIA_ROOT=str(restored_media),
        DATABASE_URL=empty_postgres.url,
        CERTIFICATE_SIGNING_KEY=settings.CERTIFICATE_SIGNING_KEY,
        WAGTAILADMIN_BASE_URL="https://akademie.example.ch",
        DJANGO_LOG_LEVEL="WARNING",
    )
    restored = manage("restore", str(tmp_path / "sicherung"), env=env)
    # then it checked all three certificates (PDF hash, signature, verification page)
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert "Wiederhergestellt; 3 Zertifikate geprüft." in restored.stdout
    # and the restored register and the participant's progress are the same as before
    script = (
        "from certificates.models import Certificate as C; "
        "from training.models import ModuleProgress as M; "
        "print(sorted((c.serial, c.pdf_sha256, c.signature) for c in C.objects.all())); "
        "print(sorted(M.objects.filter(enrollment__user__username='halb')"
        ".values_list('module_id', 'completed_at')))"
    )
    shell = manage("shell", "-c", script, env=env)
    assert shell.returncode == 0, shell.stderr[-3000:]
    lines = shell.stdout.strip().splitlines()[-2:]
    assert lines[0] == repr(sorted((s, h, sig) for s, (h, sig) in certificates.items()))
    assert lines[1] == repr(progress)
    # and a second restore into the now filled database is refused, changing nothing
    again = manage("restore", str(tmp_path / "sicherung"), env=env)
    assert again.returncode != 0
    assert "nicht leer" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_restored(course, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL")
    call_command("backup", str(tmp_path / "sicherung"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    dump = tmp_path / "sicherung" / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    settings.MEDIA_ROOT = str(tmp_path / "leer")
    from certificates.backup import BackupError, restore

    with pytest.raises(BackupError, match="stimmt nicht mit dem Manifest"):
        restore(source=tmp_path / "sicherung")
    assert not (tmp_path / "leer").exists()
