"""Re-keys an organisation login after the provider changed a person's subject (README,
"Anmeldung mit dem Konto der Organisation"): their next login reaches their existing account."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.sso.services import move_external_identity


class Command(BaseCommand):
    help = "Moves an external identity from an old to a new subject at the same provider."

    def add_arguments(self, parser):
        parser.add_argument("provider", help="the provider's key in SSO_PROVIDERS")
        parser.add_argument("old_subject")
        parser.add_argument("new_subject")

    def handle(self, *args, provider, old_subject, new_subject, **options):
        try:
            identity = move_external_identity(
                provider_key=provider, old_subject=old_subject, new_subject=new_subject
            )
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        self.stdout.write(f"Konto {identity.user_id}: {provider} {new_subject}")
