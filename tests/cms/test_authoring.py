"""Trainers write and submit; Kursleitung reviews and publishes («Fachliche Prüfung»).

Everything goes through the Wagtail admin as a person would use it: edit forms, preview,
revisions, locking and the workflow actions.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import (
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowState,
)
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import ModulePage, StandardPage
from tests.factories import UserFactory, build_course, publish_page

pytestmark = pytest.mark.django_db

TRAINERS, LEADS = "Trainer:innen", "Kursleitung"


@pytest.fixture
def trainer():
    user = UserFactory(username="trainerin")
    user.groups.add(Group.objects.get(name=TRAINERS))
    return user


@pytest.fixture
def lead():
    user = UserFactory(username="kursleitung")
    user.groups.add(Group.objects.get(name=LEADS))
    return user


@pytest.fixture
def tree():
    tree = build_course(sections=1, modules_per_section=2)
    tree["standard"] = publish_page(tree["home"], StandardPage(title="Impressum", slug="impressum"))
    return tree


def page_of(tree, kind):
    return {
        "home": tree["home"],
        "course": tree["course"],
        "section": tree["sections"][0],
        "module": tree["modules"][0][0],
        "standard": tree["standard"],
    }[kind]


def form_data(page, title, **actions):
    """What the edit form of ``page`` submits, with a new title (and the chosen action)."""
    fields = {"title": title, "slug": page.slug, "comments": inline_formset([])}
    kind = type(page.specific).__name__
    if kind == "HomePage":
        fields["intro"] = rich_text("<p>Willkommen.</p>")
    elif kind == "CoursePage":
        fields |= {"subtitle": "Untertitel", "intro": rich_text("<p>Über den Kurs.</p>")}
    elif kind == "SectionPage":
        fields |= {
            "competence_area": "personale_kompetenz",
            "order": "1",
            "intro": rich_text("<p>Über den Lernbereich.</p>"),
        }
    elif kind == "ModulePage":
        fields |= {
            "teaser": "Kurz gesagt.",
            "estimated_minutes": "25",
            "required": "on",
            "learning_objectives": streamfield([("objective", "Sie können X erklären.")]),
            "body": streamfield(
                [
                    ("heading", "Ausgangslage"),
                    ("text", rich_text("<p>Neuer Absatz zur Wohnsitzanmeldung.</p>")),
                    (
                        "callout",
                        {"kind": "tipp", "title": "", "text": rich_text("<p>Ein Tipp.</p>")},
                    ),
                    (
                        "case_study",
                        {
                            "title": "Der Umzug",
                            "situation": rich_text("<p>Frau B. zieht um.</p>"),
                            "task": rich_text("<p>Was raten Sie?</p>"),
                            "solution": rich_text(""),
                        },
                    ),
                    ("reflection", {"question": "Was nehmen Sie mit?", "hint": ""}),
                ]
            ),
        }
    elif kind == "StandardPage":
        fields["body"] = rich_text("<h2>Angaben</h2><p>Stadt Musterlingen.</p>")
    return nested_form_data(fields) | actions


def edit(client, page, title, **actions):
    return client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), form_data(page, title, **actions)
    )


# --- groups and rights -------------------------------------------------------------------------


def test_trainers_may_write_but_not_publish_pages():
    group = Group.objects.get(name=TRAINERS)
    page_permissions = {
        (p.page.depth, p.permission.codename)
        for p in GroupPagePermission.objects.filter(group=group)
    }
    assert page_permissions == {(1, "add_page"), (1, "change_page"), (1, "lock_page")}


def test_trainers_may_upload_and_choose_images_and_documents():
    # «add» also lets them change their own uploads; «change» would let them delete any.
    group = Group.objects.get(name=TRAINERS)
    codenames = sorted(
        p.permission.codename for p in GroupCollectionPermission.objects.filter(group=group)
    )
    assert codenames == ["add_document", "add_image", "choose_document", "choose_image"]


def test_trainers_have_no_rights_over_users_groups_sites_or_settings():
    # (training grants its own snippets to the group; that is its business)
    group = Group.objects.get(name=TRAINERS)
    forbidden = {"auth", "wagtailcore", "wagtailusers", "wagtailredirects", "wagtailembeds"}
    assert Permission.objects.filter(group=group, codename="access_admin").exists()
    assert not Permission.objects.filter(
        group=group, content_type__app_label__in=forbidden
    ).exists()


def test_leads_may_publish_and_unlock_pages():
    group = Group.objects.get(name=LEADS)
    codenames = {p.permission.codename for p in GroupPagePermission.objects.filter(group=group)}
    assert codenames == {"add_page", "change_page", "publish_page", "lock_page", "unlock_page"}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/users/",
        "/admin/groups/",
        "/admin/sites/",
        "/admin/workflows/list/",
        "/admin/redirects/",
    ],
)
def test_trainers_cannot_open_users_sites_or_settings(client, trainer, url):
    # given a trainer in the admin
    client.force_login(trainer)
    # when they open an administrative screen
    response = client.get(url)
    # then Wagtail turns them away to the dashboard
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_review_workflow_covers_the_whole_page_tree(tree):
    # given the workflow created by the migration
    workflow = Workflow.objects.get(name="Fachliche Prüfung")
    tasks = [t.specific for t in workflow.tasks]
    # then it has one approval task for Kursleitung, and every course page uses it
    assert workflow.active
    assert [type(t).__name__ for t in tasks] == ["GroupApprovalTask"]
    assert [g.name for g in tasks[0].groups.all()] == [LEADS]
    for kind in ("home", "course", "section", "module", "standard"):
        assert page_of(tree, kind).get_workflow() == workflow


# --- the workflow end to end --------------------------------------------------------------------


def test_trainer_submits_kursleitung_approves_and_the_page_goes_live(client, tree, trainer, lead):
    module = tree["modules"][0][0]
    live_title = module.title

    # given a trainer who edits a module and submits it for review
    client.force_login(trainer)
    response = edit(client, module, "Umzug melden, überarbeitet", **{"action-submit": "1"})
    assert response.status_code == 302

    # then the change waits for review and the live page is unchanged
    module.refresh_from_db()
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(module.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == trainer
    assert module.title == live_title
    assert module.has_unpublished_changes
    assert f'<h1 id="module-title">{live_title}</h1>' in client.get(module.url).content.decode()

    # and the trainer's attempt to publish directly changes nothing
    response = edit(client, module, "Selbst veröffentlicht", **{"action-publish": "1"})
    module.refresh_from_db()
    assert module.title == live_title
    assert not ModulePage.objects.filter(title="Selbst veröffentlicht").exists()

    # when Kursleitung approves the task
    client.force_login(lead)
    task_state = WorkflowState.objects.get(pk=state.pk).current_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[module.pk, "approve", task_state.pk]),
        {"comment": "Fachlich korrekt."},
    )
    assert response.status_code == 302

    # then the workflow is approved and the reviewed revision is live
    state.refresh_from_db()
    module.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert module.title == "Umzug melden, überarbeitet"
    assert module.live_revision.user == trainer
    html = client.get(module.url).content.decode()
    assert '<h1 id="module-title">Umzug melden, überarbeitet</h1>' in html
    assert "Neuer Absatz zur Wohnsitzanmeldung." in html


def test_kursleitung_can_send_a_submission_back(client, tree, trainer, lead):
    # given a submitted module
    module = tree["modules"][0][0]
    client.force_login(trainer)
    edit(client, module, "Entwurf mit Fehler", **{"action-submit": "1"})
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(module.pk))
    # when Kursleitung requests changes
    client.force_login(lead)
    client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[module.pk, "reject", state.current_task_state.pk],
        ),
        {"comment": "Bitte Quelle ergänzen."},
    )
    # then nothing goes live and the workflow waits for changes
    state.refresh_from_db()
    module.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert module.title == "Modul 1.1"


# --- revisions, preview, locking, accessibility checker for every page type --------------------


@pytest.mark.parametrize("kind", ["home", "course", "section", "module", "standard"])
def test_every_page_type_keeps_revisions_and_previews_in_the_admin(client, tree, trainer, kind):
    page = page_of(tree, kind)
    client.force_login(trainer)
    before = page.revisions.count()

    # when a trainer opens the editor and saves a draft
    assert client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200
    response = edit(client, page, "Neuer Entwurfstitel")
    assert response.status_code == 302

    # then a revision is kept and the live page is untouched
    page.refresh_from_db()
    assert page.revisions.count() == before + 1
    assert page.get_latest_revision().content["title"] == "Neuer Entwurfstitel"
    assert page.title != "Neuer Entwurfstitel"

    # and the history, the revision and the comparison open
    latest = page.get_latest_revision()
    assert client.get(reverse("wagtailadmin_pages:history", args=[page.pk])).status_code == 200
    view = client.get(reverse("wagtailadmin_pages:revisions_view", args=[page.pk, latest.pk]))
    assert view.status_code == 200
    assert "Neuer Entwurfstitel" in view.content.decode()
    compare = client.get(
        reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, "live", latest.pk])
    )
    assert compare.status_code == 200

    # and the preview renders the unsaved form content with Wagtail's accessibility checker
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    check = client.post(preview_url, form_data(page, "Titel in der Vorschau"))
    assert check.json()["is_valid"] is True
    preview = client.get(preview_url, {"in_preview_panel": "true"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert ">Titel in der Vorschau</h1>" in html
    assert 'id="checker-axe-configuration"' in html


@pytest.mark.parametrize("kind", ["home", "course", "section", "module", "standard"])
def test_every_page_type_can_be_locked_against_other_editors(client, tree, trainer, lead, kind):
    page = page_of(tree, kind)
    # given a trainer who locks the page
    client.force_login(trainer)
    client.post(reverse("wagtailadmin_pages:lock", args=[page.pk]))
    page.refresh_from_db()
    assert page.locked and page.locked_by == trainer
    # when another editor tries to save a draft
    client.force_login(lead)
    edit(client, page, "Überschrieben")
    # then the page keeps its content
    page.refresh_from_db()
    assert page.get_latest_revision().content["title"] != "Überschrieben"


def test_live_pages_show_the_accessibility_checker_to_editors_only(client, tree, trainer):
    module = tree["modules"][0][0]
    participant = UserFactory(username="teilnehmerin")
    client.force_login(participant)
    assert 'id="checker-axe-configuration"' not in client.get(module.url).content.decode()
    client.force_login(trainer)
    assert 'id="checker-axe-configuration"' in client.get(module.url).content.decode()


def test_page_preview_of_a_new_module_renders_before_it_is_saved(client, tree, trainer):
    # given a trainer who fills in the form for a new module
    section = tree["sections"][0]
    client.force_login(trainer)
    url = reverse("wagtailadmin_pages:preview_on_add", args=["cms", "modulepage", section.pk])
    data = form_data(tree["modules"][0][0], "Ganz neues Modul") | {"slug": "ganz-neu"}
    # when the preview is requested
    assert client.post(url, data).json()["is_valid"] is True
    html = client.get(url, {"in_preview_panel": "true"}).content.decode()
    # then it renders the new content
    assert ">Ganz neues Modul</h1>" in html
    assert "Neuer Absatz zur Wohnsitzanmeldung." in html
    assert Page.objects.filter(slug="ganz-neu").count() == 0


def test_trainers_upload_media_but_cannot_delete_what_others_uploaded(client, trainer, lead):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Collection

    collection = Collection.get_first_root_node().pk

    def upload(title):
        client.post(
            reverse("wagtailimages:add"),
            {
                "title": title,
                "collection": collection,
                "file": SimpleUploadedFile("bild.png", get_test_image_file().file.getvalue()),
            },
        )
        client.post(
            reverse("wagtaildocs:add"),
            {
                "title": title,
                "collection": collection,
                "file": SimpleUploadedFile("datei.pdf", b"%PDF-1.4 Inhalt"),
            },
        )
        return Image.objects.get(title=title), Document.objects.get(title=title)

    # given an image and a document that Kursleitung uploaded
    client.force_login(lead)
    their_image, their_document = upload("Von der Kursleitung")

    # when a trainer uploads media of their own
    client.force_login(trainer)
    own_image, own_document = upload("Von der Trainerin")
    assert own_image.uploaded_by_user == trainer
    assert own_document.uploaded_by_user == trainer

    # and can rename their own image
    client.post(
        reverse("wagtailimages:edit", args=[own_image.pk]),
        {"title": "Schalterhalle", "collection": collection},
    )
    own_image.refresh_from_db()
    assert own_image.title == "Schalterhalle"

    # but cannot rename what others uploaded
    client.post(
        reverse("wagtailimages:edit", args=[their_image.pk]),
        {"title": "Umbenannt", "collection": collection},
    )
    their_image.refresh_from_db()
    assert their_image.title == "Von der Kursleitung"

    # then deleting what others uploaded is refused (Wagtail lets uploaders remove their own)
    client.post(reverse("wagtailimages:delete", args=[their_image.pk]))
    client.post(reverse("wagtaildocs:delete", args=[their_document.pk]))
    assert Image.objects.filter(pk=their_image.pk).exists()
    assert Document.objects.filter(pk=their_document.pk).exists()


def test_loading_the_course_again_keeps_rights_changed_in_the_admin():
    # given Kursleitung took the lock right away from trainers in the admin
    from cms.services import ensure_editorial_setup

    trainers = Group.objects.get(name=TRAINERS)
    GroupPagePermission.objects.filter(group=trainers, permission__codename="lock_page").delete()
    workflows = Workflow.objects.count()
    # when the editorial setup is ensured again (every course load does it)
    ensure_editorial_setup()
    # then nothing is added back and no second workflow appears
    codenames = {p.permission.codename for p in GroupPagePermission.objects.filter(group=trainers)}
    assert codenames == {"add_page", "change_page"}
    assert Workflow.objects.count() == workflows


@pytest.mark.parametrize("name", [TRAINERS, LEADS])
def test_migrations_and_the_loader_grant_the_same_rights(name):
    from cms.services import EDITOR_MEDIA_PERMISSIONS, EDITOR_PAGE_PERMISSIONS

    group = Group.objects.get(name=name)
    pages = {p.permission.codename for p in GroupPagePermission.objects.filter(group=group)}
    media = {p.permission.codename for p in GroupCollectionPermission.objects.filter(group=group)}
    assert pages == set(EDITOR_PAGE_PERMISSIONS[name])
    assert media == {codename for _, _, codename in EDITOR_MEDIA_PERMISSIONS[name]}
