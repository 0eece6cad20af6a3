"""WorkspaceJob moves from the training app to the workspace app.

Only Django's idea of the model moves: the table keeps its name (``training_workspacejob``) and
its rows, and the content type is relabelled so that permissions given on it stay assigned.
``training.0007`` removes the model from training's state after this migration.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(apps, schema_editor, old="training", new="workspace"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label=new, model="workspacejob").exists():
        return  # already relabelled, or created by a later post_migrate on an empty database
    ContentType.objects.filter(app_label=old, model="workspacejob").update(app_label=new)


def restore_content_type(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="workspace", new="training")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("training", "0006_choice_answers_random_order_by_default"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkspaceJob",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("import", "Import von Teilnehmenden"), ("report_export", "Export des Berichts"), ("participants_export", "Export der Teilnehmendenliste")], max_length=30, verbose_name="Art")),
                        ("status", models.CharField(choices=[("queued", "Wartet"), ("running", "Läuft"), ("preview", "Vorschau bereit"), ("done", "Fertig"), ("failed", "Fehlgeschlagen")], default="queued", max_length=20, verbose_name="Status")),
                        ("params", models.JSONField(blank=True, default=dict)),
                        ("upload", models.FileField(blank=True, max_length=255, upload_to="arbeitsbereich/importe/")),
                        ("upload_name", models.CharField(blank=True, max_length=255)),
                        ("result_file", models.FileField(blank=True, max_length=255, upload_to="arbeitsbereich/exporte/")),
                        ("result", models.JSONField(blank=True, default=dict)),
                        ("error", models.TextField(blank=True, verbose_name="Grund")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("cohort", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="workspace_jobs", to="training.cohort", verbose_name="Kurs")),
                        ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="workspace_jobs", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "Import/Export-Auftrag",
                        "verbose_name_plural": "Import/Export-Aufträge",
                        "ordering": ["-created_at"],
                        "db_table": "training_workspacejob",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, restore_content_type),
    ]
