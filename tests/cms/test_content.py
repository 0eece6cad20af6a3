"""The course content files: enough substance per module, the required parts, valid blocks."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from wagtail.blocks import StreamValue
from wagtail.models import GroupPagePermission, Page, Site

from cms.blocks import ModuleBodyBlock
from cms.models import CompetenceArea, CoursePage, HomePage, ModulePage
from cms.services import load_course, module_body, read_course

COURSE = read_course()
MODULES = [m for s in COURSE["sections"] for m in s["modules"]]
ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a"}


def words(module):
    text = " ".join(
        str(value)
        for block in module["body"]
        for key, value in block.items()
        if key not in ("type", "kind")
    )
    return len(re.sub(r"<[^>]+>", " ", text).split())


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def test_three_sections_one_per_competence_area_with_three_modules_or_more():
    areas = [s["competence_area"] for s in COURSE["sections"]]
    assert sorted(areas) == sorted(CompetenceArea.values)
    assert [s["order"] for s in COURSE["sections"]] == [1, 2, 3]
    assert all(len(s["modules"]) >= 3 for s in COURSE["sections"])
    assert len(MODULES) >= 9


def test_module_slugs_are_unique_across_the_course():
    slugs = [m["slug"] for m in MODULES]
    assert len(slugs) == len(set(slugs))


@pytest.mark.parametrize("module", MODULES, ids=[m["slug"] for m in MODULES])
def test_each_module_has_substance_and_the_required_parts(module):
    kinds = [b["type"] for b in module["body"]]
    assert 600 <= words(module) <= 1500
    assert len(module["learning_objectives"]) >= 2
    assert kinds.count("case_study") >= 1
    assert kinds.count("reflection") >= 1
    assert kinds.count("callout") >= 1
    assert all(b["solution"].strip() for b in module["body"] if b["type"] == "case_study")
    assert 10 <= module["estimated_minutes"] <= 60
    assert module["teaser"].strip()


@pytest.mark.parametrize("module", MODULES, ids=[m["slug"] for m in MODULES])
def test_each_module_uses_only_the_allowed_markup(module):
    parser = TagCollector()
    for block in module["body"]:
        for key, value in block.items():
            if key not in ("type", "kind", "title", "text", "question", "hint"):
                parser.feed(str(value))
    assert parser.tags <= ALLOWED_TAGS


@pytest.mark.parametrize("module", MODULES, ids=[m["slug"] for m in MODULES])
def test_each_module_body_passes_the_block_validation(module):
    # given the body as the loader turns it into StreamField data
    block = ModuleBodyBlock()
    raw = module_body(module["body"], module["_source"])
    # when the blocks validate it as the editor would
    value = block.clean(StreamValue(block, raw, is_lazy=True))
    # then every block is accepted
    assert len(value) == len(module["body"])


@pytest.fixture
def flushed_db(db):
    call_command("flush", interactive=False, verbosity=0)
    yield
    # flush re-created content types inside this test's transaction, which is rolled back:
    # forget their ids so later tests read them from the database again.
    ContentType.objects.clear_cache()


def test_the_course_loads_into_a_database_that_was_flushed(flushed_db):
    # given a database emptied by `manage.py flush` (Wagtail's tree root is gone too)
    assert not Page.objects.exists()
    # when the course is loaded
    course, report = load_course()
    # then the tree, the site and every module exist
    assert Page.get_first_root_node().depth == 1
    assert Site.objects.get(is_default_site=True).root_page.specific == HomePage.objects.get()
    assert CoursePage.objects.get() == course
    assert ModulePage.objects.live().count() == len(MODULES)
    assert len(report.created) == 1 + len(COURSE["sections"]) + len(MODULES)
    # and the editor groups have their rights and the review workflow covers the tree again
    assert [g.name for g in Group.objects.order_by("name")] == ["Kursleitung", "Trainer:innen"]
    trainers = Group.objects.get(name="Trainer:innen")
    assert trainers.permissions.filter(codename="access_admin").exists()
    assert sorted(
        p.permission.codename for p in GroupPagePermission.objects.filter(group=trainers)
    ) == ["add_page", "change_page", "lock_page"]
    workflow = course.get_workflow()
    assert workflow.name == "Fachliche Prüfung"
    task = workflow.tasks.get().specific
    assert [g.name for g in task.groups.all()] == ["Kursleitung"]
