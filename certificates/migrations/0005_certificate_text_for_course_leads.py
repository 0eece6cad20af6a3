"""The certificate text (organisation, title, signatory of every future certificate) is worded
by the Kursleitung only; trainers lose the permission."""

from django.db import migrations


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permission = Permission.objects.filter(
        content_type__app_label="certificates", codename="change_certificatetext"
    ).first()
    group = Group.objects.filter(name="Trainer:innen").first()
    if permission and group:
        group.permissions.remove(permission)


def grant(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permission = Permission.objects.filter(
        content_type__app_label="certificates", codename="change_certificatetext"
    ).first()
    group = Group.objects.filter(name="Trainer:innen").first()
    if permission and group:
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("certificates", "0004_reminders")]

    operations = [migrations.RunPython(revoke, grant)]
