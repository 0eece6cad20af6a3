"""Trainer:innen may lift login lockouts; Kursleitung may also reset a lost second factor,
erase accounts on request and read the audit log."""

from django.db import migrations

GRANTS = {
    "Trainer:innen": [("accounts", "accountadministration", "unlock_login")],
    "Kursleitung": [
        ("accounts", "accountadministration", "unlock_login"),
        ("accounts", "accountadministration", "reset_second_factor"),
        ("accounts", "accountadministration", "erase_account"),
        ("audit", "auditentry", "view_auditentry"),
    ],
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group_name, grants in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, model, codename in grants:
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=codename,
                defaults={"name": codename.replace("_", " ")},
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_account_permissions"),
        ("audit", "0001_audit_entry"),
        ("cms", "0002_editor_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
