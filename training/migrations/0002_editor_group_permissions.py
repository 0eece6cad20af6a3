"""Gives the editor groups their rights on quizzes and cohorts (snippets)."""

from django.db import migrations

PERMISSIONS = {
    "Trainer:innen": ["add_quiz", "change_quiz", "view_quiz", "lock_quiz", "view_cohort"],
    "Kursleitung": [
        "add_quiz", "change_quiz", "view_quiz", "publish_quiz", "lock_quiz", "unlock_quiz",
        "add_cohort", "change_cohort", "view_cohort", "delete_cohort",
    ],
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group_name, codenames in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for codename in codenames:
            model = codename.split("_", 1)[1]
            ct, _ = ContentType.objects.get_or_create(app_label="training", model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=ct, codename=codename, defaults={"name": codename.replace("_", " ")}
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial"), ("cms", "0002_editor_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
