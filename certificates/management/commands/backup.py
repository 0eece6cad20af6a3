"""``manage.py backup ORDNER``: database (pg_dump, custom format) and media storage, with a
manifest of hashes. See ``certificates.backup``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates.backup import BackupError, backup


class Command(BaseCommand):
    help = "Sichert Datenbank und Medien (Zertifikate, Uploads) in einen leeren Ordner."

    def add_arguments(self, parser):
        parser.add_argument("target", type=Path)

    def handle(self, *args, target: Path, **options):
        try:
            manifest = backup(target=target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Gesichert nach {target}: {manifest['files']}"))
