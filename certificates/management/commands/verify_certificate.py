"""Checks a certificate PDF against the register by its SHA-256, as the upload on the
verification page does. Exit status 0: genuine and valid; 1: revoked; 2: not genuine;
3: genuine but expired (past its *gültig bis*)."""

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from certificates import selectors

NOT_GENUINE = "NICHT ECHT: Diese Datei ist kein ausgestelltes Zertifikat, oder sie wurde verändert."


class Command(BaseCommand):
    help = "Prüft eine Zertifikats-PDF anhand ihres SHA-256-Fingerabdrucks gegen das Register."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Pfad zur PDF-Datei")

    def handle(self, *args, file: Path, **options):
        try:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError as exc:
            raise CommandError(f"Datei nicht lesbar: {file} ({exc.strerror})") from exc
        certificate = selectors.certificate_by_pdf_hash(digest)
        self.stdout.write(f"SHA-256: {digest}")
        if certificate is None:
            self.stderr.write(NOT_GENUINE)
            raise SystemExit(2)
        issued = timezone.localdate(certificate.issued_at).strftime("%d.%m.%Y")
        details = f"{certificate.serial}, {certificate.holder_name}, ausgestellt am {issued}"
        if certificate.is_revoked:
            revoked = timezone.localdate(certificate.revoked_at).strftime("%d.%m.%Y")
            self.stdout.write(
                f"ECHT, ABER WIDERRUFEN am {revoked}: {details}. "
                f"Grund: {certificate.revocation_reason}"
            )
            raise SystemExit(1)
        if certificate.is_expired():
            until = timezone.localdate(certificate.valid_until).strftime("%d.%m.%Y")
            self.stdout.write(f"ECHT, ABER ABGELAUFEN (gültig bis {until}): {details}.")
            raise SystemExit(3)
        self.stdout.write(self.style.SUCCESS(f"ECHT UND GÜLTIG: {details}"))
