"""Trainer workspace: organisation units, soft unenrolling, enrollment history, import/export
jobs; the role *Dienststellenleitung* and the rights of trainers and course leads on cohorts."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


UNIT_LEADS = "Dienststellenleitung"
PERMISSIONS = {
    # Trainers change only the cohorts they train (enforced by the cohort permission policy).
    "Trainer:innen": [("training", "cohort", "change_cohort")],
    "Kursleitung": [
        ("training", "cohort", "supervise_all_cohorts"),
        ("training", "organisationunit", "add_organisationunit"),
        ("training", "organisationunit", "change_organisationunit"),
        ("training", "organisationunit", "view_organisationunit"),
        ("training", "organisationunit", "delete_organisationunit"),
    ],
    UNIT_LEADS: [
        ("wagtailadmin", "admin", "access_admin"),
        ("training", "organisationunit", "view_unit_aggregates"),
    ],
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group_name, permissions in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, model, codename in permissions:
            ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=ct, codename=codename, defaults={"name": codename.replace("_", " ")}
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):

    dependencies = [
        ('training', '0002_editor_group_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='cohort',
            options={'ordering': ['-starts_on', 'name'], 'permissions': [('supervise_all_cohorts', 'Kann alle Kursdurchführungen betreuen')], 'verbose_name': 'Kursdurchführung', 'verbose_name_plural': 'Kursdurchführungen'},
        ),
        migrations.AddField(
            model_name='enrollment',
            name='unenrolled_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='Ausgetragen am'),
        ),
        migrations.CreateModel(
            name='EnrollmentEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('enrolled', 'Eingeschrieben'), ('imported', 'Importiert'), ('unenrolled', 'Ausgetragen'), ('reenrolled', 'Wieder eingeschrieben'), ('invited', 'Einladung versandt')], max_length=20, verbose_name='Aktion')),
                ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='Zeitpunkt')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Durch')),
                ('enrollment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='training.enrollment')),
            ],
            options={
                'verbose_name': 'Einschreibungsereignis',
                'verbose_name_plural': 'Einschreibungsereignisse',
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='OrganisationUnit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('organisation', models.CharField(max_length=200, verbose_name='Organisation')),
                ('name', models.CharField(max_length=200, verbose_name='Name')),
                ('leads', models.ManyToManyField(blank=True, related_name='led_organisation_units', to=settings.AUTH_USER_MODEL, verbose_name='Dienststellenleitung')),
            ],
            options={
                'verbose_name': 'Organisationseinheit',
                'verbose_name_plural': 'Organisationseinheiten',
                'ordering': ['organisation', 'name'],
                'permissions': [('view_unit_aggregates', 'Kann Kennzahlen der eigenen Organisationseinheiten sehen')],
            },
        ),
        migrations.AddField(
            model_name='enrollment',
            name='organisation_unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='enrollments', to='training.organisationunit', verbose_name='Organisationseinheit'),
        ),
        migrations.CreateModel(
            name='WorkspaceJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('import', 'Import von Teilnehmenden'), ('report_export', 'Export des Berichts'), ('participants_export', 'Export der Teilnehmendenliste')], max_length=30, verbose_name='Art')),
                ('status', models.CharField(choices=[('queued', 'Wartet'), ('running', 'Läuft'), ('preview', 'Vorschau bereit'), ('done', 'Fertig'), ('failed', 'Fehlgeschlagen')], default='queued', max_length=20, verbose_name='Status')),
                ('params', models.JSONField(blank=True, default=dict)),
                ('upload', models.FileField(blank=True, max_length=255, upload_to='arbeitsbereich/importe/')),
                ('upload_name', models.CharField(blank=True, max_length=255)),
                ('result_file', models.FileField(blank=True, max_length=255, upload_to='arbeitsbereich/exporte/')),
                ('result', models.JSONField(blank=True, default=dict)),
                ('error', models.TextField(blank=True, verbose_name='Grund')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='workspace_jobs', to='training.cohort', verbose_name='Kurs')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='workspace_jobs', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'Import/Export-Auftrag',
                'verbose_name_plural': 'Import/Export-Aufträge',
                'ordering': ['-created_at'],
            },
        ),
        migrations.AddConstraint(
            model_name='organisationunit',
            constraint=models.UniqueConstraint(fields=('organisation', 'name'), name='one_unit_per_name'),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
