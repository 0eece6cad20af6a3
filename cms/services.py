"""Writes to the course tree: loading the course from the data files under cms/content/."""

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.checklists import ensure_checklist_document, read_checklists
from cms.models import CoursePage, GlossaryPage, GlossaryTerm, HomePage, ModulePage, SectionPage

CONTENT_DIR = Path(__file__).resolve().parent / "content"
HOME_TITLE = "Bürgerservice-Akademie"
HOME_INTRO = (
    "<p>Willkommen zur Weiterbildung für Mitarbeitende im Bürgerservice. Lernen Sie in kurzen "
    "Modulen zwischen zwei Schalterschichten – im eigenen Tempo, mit Lernkontrollen und "
    "Zertifikat.</p>"
)


class ContentError(ValueError):
    """A content file is missing a field or has a value the course cannot use."""


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def db_html(html: str) -> str:
    """Wagtail stores bold and italic as <b> and <i>; the files use the semantic tags."""
    html = (html or "").strip()
    html = re.sub(r"<(/?)strong>", r"<\1b>", html)
    return re.sub(r"<(/?)em>", r"<\1i>", html)


def _block(block_type: str, value) -> dict:
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def module_body(blocks: list[dict], source: str) -> list[dict]:
    """Turns the blocks of a module file into StreamField raw data."""
    body = []
    for b in blocks:
        kind = b.get("type")
        if kind == "heading":
            body.append(_block("heading", b["text"]))
        elif kind == "text":
            body.append(_block("text", db_html(b["html"])))
        elif kind == "callout":
            body.append(
                _block(
                    "callout",
                    {"kind": b["kind"], "title": b.get("title", ""), "text": db_html(b["html"])},
                )
            )
        elif kind == "case_study":
            body.append(
                _block(
                    "case_study",
                    {
                        "title": b["title"],
                        "situation": db_html(b["situation"]),
                        "task": db_html(b["task"]),
                        "solution": db_html(b.get("solution", "")),
                    },
                )
            )
        elif kind == "reflection":
            body.append(
                _block("reflection", {"question": b["question"], "hint": b.get("hint", "")})
            )
        elif kind == "figure":
            value = {
                "figure": b["figure"],
                "alt_text": b["alt_text"],
                "description": db_html(b["description"]),
                "caption": b.get("caption", ""),
            }
            body.append(_block("figure", value))
        else:
            raise ContentError(f"{source}: unknown block type {kind!r}")
    return body


def objective_text(objective) -> str:
    """A learning objective of a module file: a plain string, or ``{id, text, parts}`` (the id
    and parts tie it to the quiz questions that test it; only the text reaches the page)."""
    return objective["text"] if isinstance(objective, dict) else objective


def read_course(content_dir: Path = CONTENT_DIR) -> dict:
    """Reads course.yaml, every section and every module, in order."""
    course = yaml.safe_load((content_dir / "course.yaml").read_text(encoding="utf-8"))
    sections = []
    for section_dir in sorted(p for p in content_dir.iterdir() if p.is_dir()):
        section_file = section_dir / "_section.yaml"
        if not section_file.exists():
            continue
        section = yaml.safe_load(section_file.read_text(encoding="utf-8"))
        section["modules"] = [
            yaml.safe_load(f.read_text(encoding="utf-8")) | {"_source": f.name}
            for f in sorted(section_dir.glob("[0-9]*.yaml"))
        ]
        sections.append(section)
    course["sections"] = sorted(sections, key=lambda s: s["order"])
    return course


# The editorial setup the migrations create (0002, 0004, 0006). Kept here too, because
# `manage.py flush` empties it and `load_course` puts back what is missing.
TRAINERS = "Trainer:innen"
LEADS = "Kursleitung"
REVIEW_WORKFLOW = "Fachliche Prüfung"
REVIEW_TASK = "Fachliche Prüfung durch die Kursleitung"
EDITOR_PAGE_PERMISSIONS = {
    TRAINERS: ["add_page", "change_page", "lock_page"],
    LEADS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
EDITOR_MODEL_PERMISSIONS = {
    TRAINERS: [
        ("cms", "glossaryterm", "add_glossaryterm"),
        ("cms", "glossaryterm", "change_glossaryterm"),
    ],
    LEADS: [("cms", "glossaryterm", f"{a}_glossaryterm") for a in ("add", "change", "delete")],
}
EDITOR_MEDIA_PERMISSIONS = {
    TRAINERS: [
        ("wagtailimages", "image", "add_image"),
        ("wagtailimages", "image", "choose_image"),
        ("wagtaildocs", "document", "add_document"),
        ("wagtaildocs", "document", "choose_document"),
    ],
    LEADS: [
        (app, model, f"{action}_{model}")
        for app, model in (("wagtailimages", "image"), ("wagtaildocs", "document"))
        for action in ("add", "choose", "change", "delete")
    ],
}


def _permission(app_label: str, model: str, codename: str) -> Permission:
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename}
    )
    return permission


@transaction.atomic
def ensure_editorial_setup() -> None:
    """Creates the editor groups with their rights and the review workflow where missing.

    Idempotent. A group that already has any right is left as it is, so rights changed in the
    admin stay; likewise an existing workflow and the tree root's workflow assignment.
    """
    root = Page.get_first_root_node() or _create_tree_root()
    collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
    for name in (TRAINERS, LEADS):
        group, _ = Group.objects.get_or_create(name=name)
        if (
            group.permissions.exists()
            or GroupPagePermission.objects.filter(group=group).exists()
            or GroupCollectionPermission.objects.filter(group=group).exists()
        ):
            continue
        group.permissions.add(_permission("wagtailadmin", "admin", "access_admin"))
        for app_label, model, codename in EDITOR_MODEL_PERMISSIONS[name]:
            group.permissions.add(_permission(app_label, model, codename))
        for codename in EDITOR_PAGE_PERMISSIONS[name]:
            GroupPagePermission.objects.create(
                group=group, page=root, permission=_permission("wagtailcore", "page", codename)
            )
        for app_label, model, codename in EDITOR_MEDIA_PERMISSIONS[name]:
            GroupCollectionPermission.objects.create(
                group=group,
                collection=collection,
                permission=_permission(app_label, model, codename),
            )

    workflow = Workflow.objects.filter(name=REVIEW_WORKFLOW).first()
    if workflow is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK)
        task.groups.add(Group.objects.get(name=LEADS))
        workflow = Workflow.objects.create(name=REVIEW_WORKFLOW, active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.get_or_create(page=root, defaults={"workflow": workflow})


def _create_tree_root() -> Page:
    """Wagtail's migrations create the locale and the tree root; ``manage.py flush`` removes
    them again (and so does every transactional test). Recreate them so loading still works."""
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    return Page.add_root(instance=Page(title="Root", slug="root"))


def ensure_home_page() -> HomePage:
    """The site's root page is our HomePage (replacing Wagtail's placeholder on a new install)."""
    home = HomePage.objects.first()
    if home:
        return home
    root = Page.get_first_root_node() or _create_tree_root()
    placeholder = (
        Page.objects.filter(depth=2, slug="home").exclude(content_type__model="homepage").first()
    )
    if placeholder:
        placeholder.slug = "home-placeholder"
        placeholder.save(update_fields=["slug"])
    home = root.add_child(instance=HomePage(title=HOME_TITLE, slug="home", intro=HOME_INTRO))
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site:
        site.root_page = home
        site.site_name = HOME_TITLE
        site.save()
    else:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=HOME_TITLE,
        )
    if placeholder:
        placeholder.delete()
    return home


def point_default_site_at(url: str) -> Site:
    """Host and port of the default site from an address such as ``http://127.0.0.1:8123``
    (the demo's ``WAGTAILADMIN_BASE_URL``), so pages' own absolute links follow it."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    ensure_home_page()
    site = Site.objects.get(is_default_site=True)
    site.hostname = parts.hostname or "localhost"
    site.port = parts.port or (443 if parts.scheme == "https" else 80)
    site.save(update_fields=["hostname", "port"])
    return site


def _add_published(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def load_course(
    *, content_dir: Path = CONTENT_DIR, extra_module_blocks: dict | None = None
) -> tuple[CoursePage, LoadReport]:
    """Creates whatever part of the course tree is missing, published.

    Idempotent: pages that exist (matched by slug) are left as they are, because trainers may
    have edited them since. ``extra_module_blocks`` maps a module slug to raw StreamField blocks
    appended to a new module's body (seed_demo uses it to place each module's quiz).
    """
    extra_module_blocks = extra_module_blocks or {}
    report = LoadReport()
    data = read_course(content_dir)
    home = ensure_home_page()
    ensure_editorial_setup()

    load_glossary(content_dir)
    ensure_glossary_page(home, content_dir)
    checklist_blocks = {}
    for checklist in read_checklists(content_dir / "checklists"):
        document = ensure_checklist_document(checklist)
        value = {
            "document": document.pk,
            "title": checklist["link_text"],
            "description": checklist.get("description", ""),
        }
        checklist_blocks.setdefault(checklist["module"], []).append(_block("document", value))

    course = CoursePage.objects.child_of(home).filter(slug=data["slug"]).first()
    if course is None:
        course = _add_published(
            home,
            CoursePage(
                title=data["title"],
                slug=data["slug"],
                subtitle=data.get("subtitle", ""),
                intro=db_html(data.get("intro", "")),
            ),
        )
        report.created.append(course.title)
    else:
        report.unchanged.append(course.title)

    for s in data["sections"]:
        section = SectionPage.objects.child_of(course).filter(slug=s["slug"]).first()
        if section is None:
            section = _add_published(
                course,
                SectionPage(
                    title=s["title"],
                    slug=s["slug"],
                    competence_area=s["competence_area"],
                    order=s["order"],
                    intro=db_html(s.get("intro", "")),
                ),
            )
            report.created.append(section.title)
        else:
            report.unchanged.append(section.title)
        for m in s["modules"]:
            for key in ("title", "slug", "body"):
                if key not in m:
                    raise ContentError(f"{m['_source']}: missing {key!r}")
            if ModulePage.objects.child_of(section).filter(slug=m["slug"]).exists():
                report.unchanged.append(m["title"])
                continue
            body = (
                module_body(m["body"], m["_source"])
                + checklist_blocks.get(m["slug"], [])
                + list(extra_module_blocks.get(m["slug"], []))
            )
            objectives = [
                _block("objective", objective_text(o)) for o in m.get("learning_objectives", [])
            ]
            module = _add_published(
                section,
                ModulePage(
                    title=m["title"],
                    slug=m["slug"],
                    teaser=m.get("teaser", ""),
                    short_title=m.get("short_title", ""),
                    estimated_minutes=m.get("estimated_minutes", 20),
                    required=m.get("required", True),
                    learning_objectives=json.dumps(objectives),
                    body=json.dumps(body),
                ),
            )
            report.created.append(module.title)
    return course, report


def load_glossary(content_dir: Path = CONTENT_DIR) -> list[str]:
    """Creates the glossary terms of ``glossary.yaml`` that are missing (matched by slug);
    terms trainers have edited stay as they are. Returns the slugs created."""
    path = content_dir / "glossary.yaml"
    if not path.exists():
        return []
    created = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["terms"]:
        if GlossaryTerm.objects.filter(slug=entry["slug"]).exists():
            continue
        term = GlossaryTerm(
            term=entry["term"],
            expansion=entry.get("expansion", ""),
            explanation=entry["explanation"].strip(),
            aliases=", ".join(entry.get("aliases", [])),
            slug=entry["slug"],
        )
        term.full_clean()
        term.save()
        created.append(term.slug)
    return created


def ensure_glossary_page(home: HomePage, content_dir: Path = CONTENT_DIR) -> GlossaryPage | None:
    """The glossary page under the home page, created once from ``glossary.yaml``."""
    path = content_dir / "glossary.yaml"
    page = GlossaryPage.objects.first()
    if page is not None or not path.exists():
        return page
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    page = GlossaryPage(title=data["title"], slug=data["slug"], intro=db_html(data["intro"]))
    return _add_published(home, page)
