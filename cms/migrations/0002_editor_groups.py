"""Creates the editor groups: Trainer:innen write and submit, Kursleitung reviews and publishes."""

from django.db import migrations

TRAINERS = "Trainer:innen"
LEADS = "Kursleitung"


def perm(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=ct, codename=codename, defaults={"name": codename.replace("_", " ")}
    )
    return permission


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    root = Page.objects.filter(depth=1).first()
    collection = Collection.objects.filter(depth=1).first()
    access_admin = perm(apps, "wagtailadmin", "admin", "access_admin")
    page_perms = {
        TRAINERS: ["add_page", "change_page", "lock_page"],
        LEADS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    }
    media = {
        TRAINERS: ["add_image", "choose_image", "change_image", "add_document", "choose_document",
                   "change_document"],
        LEADS: ["add_image", "choose_image", "change_image", "delete_image", "add_document",
                "choose_document", "change_document", "delete_document"],
    }
    for name in (TRAINERS, LEADS):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        if root:
            for codename in page_perms[name]:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=perm(apps, "wagtailcore", "page", codename)
                )
        if collection:
            for codename in media[name]:
                model = "image" if codename.endswith("image") else "document"
                app_label = "wagtailimages" if model == "image" else "wagtaildocs"
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection,
                    permission=perm(apps, app_label, model, codename),
                )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
