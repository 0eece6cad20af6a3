"""``manage.py restore ORDNER``: restores a backup into an empty database and media folder, then
checks every certificate (PDF hash, signature, verification page). Exit status 1 on a problem."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates.backup import BackupError, check_certificates, restore


class Command(BaseCommand):
    help = "Stellt eine Sicherung in eine leere Datenbank und einen leeren Medienordner wieder her."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)

    def handle(self, *args, source: Path, **options):
        try:
            restore(source=source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        problems = check_certificates()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} Zertifikate sind nicht in Ordnung.")
        from certificates.models import Certificate

        count = Certificate.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Wiederhergestellt; {count} Zertifikate geprüft."))
