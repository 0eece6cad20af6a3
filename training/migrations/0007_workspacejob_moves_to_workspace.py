"""WorkspaceJob now belongs to the workspace app (see workspace.0001): it leaves training's
state; its table and rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0006_choice_answers_random_order_by_default"),
        ("workspace", "0001_workspacejob_from_training"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="WorkspaceJob")],
            database_operations=[],
        ),
    ]
