from django.conf import settings
from django.core.management.base import BaseCommand

from core.swiss import write_catalogue


class Command(BaseCommand):
    help = "Rewrites the Swiss spelling catalogue (locale/de_CH) from the German msgids."

    def handle(self, *args, **options):
        path = write_catalogue(settings.BASE_DIR)
        self.stdout.write(f"{path.relative_to(settings.BASE_DIR)}")
