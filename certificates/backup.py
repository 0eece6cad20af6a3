"""Backup and restore of everything that must not be lost: the database (``pg_dump`` custom
format) and the media storage (certificates' PDFs, uploads), and the check of a restore.

Consistency: the database is dumped first (one snapshot), the media folder is archived after it.
Files are written before the row that names them commits and certificate PDFs are never
deleted, so every certificate in the dump has its PDF in the archive (the archive may hold a few
newer files no row names; they are harmless). A manifest records both files' SHA-256, checked
before anything is restored."""

import hashlib
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        raise BackupError("Backup und Wiederherstellung brauchen PostgreSQL (DATABASE_URL).")
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{s['NAME']}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True)  # noqa: S603 (fixed tools)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} ist fehlgeschlagen: {result.stderr.strip()[:2000]}")


def backup(*, target: Path) -> dict:
    """Writes the dump, the media archive and the manifest into ``target`` (new or empty)."""
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"Der Zielordner {target} ist nicht leer.")
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target / DUMP}",
            f"--dbname={_database_url()}",
        ]
    )
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / MEDIA, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname=".")
    manifest = {
        "created_at": timezone.now().isoformat(),
        "files": {name: _sha256(target / name) for name in (DUMP, MEDIA)},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        return cursor.fetchone()[0] == 0


def restore(*, source: Path) -> None:
    """Restores a backup into an empty database and an empty (or missing) media folder, after
    checking the manifest's hashes. Refuses anything else: a restore never overwrites data."""
    manifest = json.loads((source / MANIFEST).read_text())
    for name, expected in manifest["files"].items():
        if _sha256(source / name) != expected:
            raise BackupError(f"{name} stimmt nicht mit dem Manifest überein (beschädigt?).")
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"Der Medienordner {media_root} ist nicht leer.")
    if not _database_is_empty():
        raise BackupError("Die Datenbank ist nicht leer; wiederhergestellt wird nur in eine leere.")
    connection.close()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={_database_url()}",
            str(source / DUMP),
        ]
    )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / MEDIA, "r:gz") as archive:
        archive.extractall(media_root, filter="data")


def check_certificates() -> list[str]:
    """Checks every certificate of the register as a verifier would: the PDF is there and has
    the registered SHA-256, the signature verifies with the published keys, and the public
    verification page shows it. Returns the problems (empty: all good)."""
    from django.test import Client, override_settings

    from certificates import signing
    from certificates.models import Certificate

    problems = []
    jwks = signing.jwks()
    host = next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost").lstrip(".")
    client = Client(HTTP_HOST=host)
    # The page as a visitor gets it, without the visitors' rate limits or the HTTPS redirect.
    checking = override_settings(
        CERTIFICATE_VERIFY_RATE_LIMIT=10**9,
        CERTIFICATE_VERIFY_GLOBAL_RATE_LIMIT=10**9,
        SECURE_SSL_REDIRECT=False,
    )
    with checking:
        for certificate in Certificate.objects.order_by("serial"):
            problems += _check_one(certificate, jwks, client)
    return problems


def _check_one(certificate, jwks, client) -> list[str]:
    from certificates import signing

    label = certificate.serial
    try:
        with certificate.pdf.open("rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
    except (OSError, ValueError):
        return [f"{label}: PDF fehlt"]
    problems = []
    if digest != certificate.pdf_sha256:
        problems.append(f"{label}: PDF verändert")
    if not signing.verify(
        certificate.signed_payload.encode(), certificate.signature, jwks, certificate.key_id
    ):
        problems.append(f"{label}: Signatur ungültig")
    page = client.get(f"/zertifikate/pruefen/{certificate.display_code}/", REMOTE_ADDR="::1")
    if page.status_code != 200 or certificate.serial not in page.content.decode():
        problems.append(f"{label}: Prüfseite antwortet {page.status_code}")
    return problems


def remove_partial(target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
