"""Email addresses become unique regardless of case, and every account gets an "email confirmed"
state (accounts.AccountEmail).

Existing duplicates (same address up to case) are resolved before the unique index is created:
per address the account kept is the one with the most enrollments, then the most recent login,
then the oldest; every other account's address is moved to ``AccountEmail.displaced_email`` and
its ``email`` blanked (nothing else of the account changes, so no data is lost), and each case is
printed. Accounts that keep an address count as confirmed (they have been using it)."""

from collections import defaultdict

from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone

INDEX = "accounts_user_email_ci_unique"


def resolve_duplicates(apps, schema_editor):
    User = apps.get_model("auth", "User")
    AccountEmail = apps.get_model("accounts", "AccountEmail")
    by_address = defaultdict(list)
    users = User.objects.exclude(email="").annotate(n_enrollments=Count("enrollments"))
    for user in users:
        by_address[user.email.strip().lower()].append(user)
    now = timezone.now()
    displaced = set()
    for address, accounts in by_address.items():
        if len(accounts) < 2:
            continue
        accounts.sort(
            key=lambda u: (
                -u.n_enrollments,
                -(u.last_login.timestamp() if u.last_login else 0),
                u.date_joined,
                u.pk,
            )
        )
        kept, *others = accounts
        for other in others:
            print(  # noqa: T201 (the migration's report)
                f"\n  Doppelte E-Mail-Adresse {address}: Konto {kept.pk} ({kept.username}) behält "
                f"sie, Konto {other.pk} ({other.username}) verliert sie (gespeichert als "
                "displaced_email)."
            )
            AccountEmail.objects.update_or_create(
                user_id=other.pk, defaults={"displaced_email": other.email, "confirmed_at": None}
            )
            User.objects.filter(pk=other.pk).update(email="")
            displaced.add(other.pk)
    for user_id in User.objects.exclude(email="").values_list("pk", flat=True):
        if user_id not in displaced:
            AccountEmail.objects.update_or_create(
                user_id=user_id, defaults={"confirmed_at": now}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_group_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("training", "0005_merge_quiz_and_trainer_workspace"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountEmail",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="email_state",
                        serialize=False,
                        to="auth.user",
                    ),
                ),
                (
                    "confirmed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="E-Mail-Adresse bestätigt am"
                    ),
                ),
                (
                    "displaced_email",
                    models.EmailField(
                        blank=True,
                        max_length=254,
                        verbose_name="Entfernte doppelte E-Mail-Adresse",
                    ),
                ),
            ],
            options={"verbose_name": "E-Mail-Status", "verbose_name_plural": "E-Mail-Status"},
        ),
        migrations.RunPython(resolve_duplicates, migrations.RunPython.noop),
        # auth.User is Django's model: the case-insensitive uniqueness is a partial expression
        # index (PostgreSQL and SQLite both have them).
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {INDEX} ON auth_user (LOWER(email)) WHERE email <> ''",
            f"DROP INDEX {INDEX}",
        ),
    ]
