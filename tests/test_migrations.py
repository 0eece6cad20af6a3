"""The move of the trainer workspace into its own app loses no data.

A database at the schema from before the move (WorkspaceJob still in training's state, no
workspace migrations) is filled with the demo data and a trainer's jobs, then migrated forward:
every table keeps its number of rows, the jobs are read through the moved model, and the
permissions given on the job model stay assigned (its content type is relabelled, not replaced).
"""

import os

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The state before the move: the workspace app has no migration applied (unapplying it also
# unapplies training's migration that depends on it).
BEFORE_THE_MOVE = [("workspace", None)]


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table == "django_migrations":  # records the migrations themselves
                continue
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the schema
            counts[table] = cursor.fetchone()[0]
    return counts


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_migrating_from_before_the_move_keeps_every_row(
    restorable_database, django_db_serialized_rollback, transactional_db
):
    # given the schema from before the move, with the demo data and a trainer's jobs in it
    migrate(BEFORE_THE_MOVE)
    try:
        assert not MigrationExecutor(connection).loader.applied_migrations.get(
            ("workspace", "0001_workspacejob_from_training")
        )
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        # the job model as it was, in training
        executor = MigrationExecutor(connection)
        applied = [
            n for n in executor.loader.applied_migrations if n in executor.loader.graph.nodes
        ]
        old_apps = executor.loader.project_state(applied).apps
        OldJob = old_apps.get_model("training", "WorkspaceJob")
        trainer = old_apps.get_model("auth", "User").objects.get(username="trainerin")
        cohort = old_apps.get_model("training", "Cohort").objects.get()
        for kind in ("import", "report_export"):
            OldJob.objects.create(kind=kind, status="done", cohort_id=cohort.pk, created_by=trainer)
        old_type = ContentType.objects.get(app_label="training", model="workspacejob")
        view_jobs, _ = Permission.objects.get_or_create(
            content_type=old_type, codename="view_workspacejob", defaults={"name": "Can view"}
        )
        Group.objects.get(name="Kursleitung").permissions.add(view_jobs)
        before = row_counts()
        assert before["training_workspacejob"] == 2
        assert before["training_enrollment"] > 0 and before["training_quiz"] > 0

        # when the database is migrated forward
        migrate(latest())
    finally:
        migrate(latest())  # leave the test database at the latest schema whatever happened

    # then every table has as many rows as before (migrations that came after the move, unapplied
    # with it, add their own empty tables and their rows in django_migrations)
    after = row_counts()
    assert {t: after[t] for t in before if t != "django_migrations"} == {
        t: n for t, n in before.items() if t != "django_migrations"
    }
    assert all(after[t] == 0 for t in set(after) - set(before))
    # and the jobs are the moved model's, with the permission given on them still assigned
    from workspace.models import WorkspaceJob

    assert sorted(WorkspaceJob.objects.values_list("kind", flat=True)) == [
        "import",
        "report_export",
    ]
    moved_type = ContentType.objects.get(pk=old_type.pk)
    assert (moved_type.app_label, moved_type.model) == ("workspace", "workspacejob")
    assert Group.objects.get(name="Kursleitung").permissions.filter(pk=view_jobs.pk).exists()
