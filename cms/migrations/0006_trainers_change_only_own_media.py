"""Trainer:innen change and delete only the images and documents they uploaded themselves.

For Wagtail's media, deleting counts as changing: with «change» on the collection a trainer
could remove any image, also one shown on a published page, without review. «add» keeps
uploading, choosing and editing one's own uploads; Kursleitung manages everybody's media.
"""

from django.db import migrations

TRAINERS = "Trainer:innen"
NARROWED = [("wagtailimages", "change_image"), ("wagtaildocs", "change_document")]


def narrow(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    for app_label, codename in NARROWED:
        GroupCollectionPermission.objects.filter(
            group__name=TRAINERS,
            permission__content_type__app_label=app_label,
            permission__codename=codename,
        ).delete()


def widen(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    group = Group.objects.filter(name=TRAINERS).first()
    collection = Collection.objects.filter(depth=1).first()
    if group is None or collection is None:
        return
    for app_label, codename in NARROWED:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=permission
            )


class Migration(migrations.Migration):
    dependencies = [("cms", "0005_section_order_help")]

    operations = [migrations.RunPython(narrow, widen)]
