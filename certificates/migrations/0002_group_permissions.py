"""Trainers see certificates; course leads also revoke. (Wording the certificate text moved to
the Kursleitung alone: 0003.)"""

from django.db import migrations

PERMISSIONS = {
    "Trainer:innen": [
        ("certificate", "view_certificate"),
        ("certificatetext", "change_certificatetext"),
    ],
    "Kursleitung": [
        ("certificate", "view_certificate"),
        ("certificate", "revoke_certificate"),
        ("certificatetext", "change_certificatetext"),
    ],
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group_name, perms in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for model, codename in perms:
            ct, _ = ContentType.objects.get_or_create(app_label="certificates", model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=ct, codename=codename, defaults={"name": codename.replace("_", " ")}
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_certificate_register"), ("cms", "0002_editor_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
