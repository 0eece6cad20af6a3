"""Quizzes go through the moderation workflow «Fachliche Prüfung», and trainers may mark essays.

The cms app creates a workflow of the same name for course pages; whichever migration runs first
creates it (with one approval task for the group «Kursleitung»), the other finds it by name.
"""

from django.db import migrations

WORKFLOW_NAME = "Fachliche Prüfung"
TASK_NAME = "Fachliche Prüfung durch die Kursleitung"
APPROVER_GROUP = "Kursleitung"
MARKING_GROUPS = ["Trainer:innen", "Kursleitung"]


def assign_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).order_by("pk").first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    if not WorkflowTask.objects.filter(workflow=workflow).exists():
        task_type, _ = ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
        if task is None:
            task = GroupApprovalTask.objects.create(
                name=TASK_NAME, content_type=task_type, active=True
            )
        approvers, _ = Group.objects.get_or_create(name=APPROVER_GROUP)
        task.groups.add(approvers)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)

    quiz_type, _ = ContentType.objects.get_or_create(app_label="training", model="quiz")
    WorkflowContentType.objects.update_or_create(
        content_type=quiz_type, defaults={"workflow": workflow}
    )

    sitting_type, _ = ContentType.objects.get_or_create(app_label="training", model="sitting")
    permission, _ = Permission.objects.get_or_create(
        content_type=sitting_type,
        codename="mark_essays",
        defaults={"name": "Kann Freitextantworten bewerten"},
    )
    for name in MARKING_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def unassign_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    WorkflowContentType.objects.filter(
        content_type__in=ContentType.objects.filter(app_label="training", model="quiz")
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0003_quiz_options_sequence_tokens_and_essay_marks"),
        ("cms", "0002_editor_groups"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(assign_workflow, unassign_workflow)]
