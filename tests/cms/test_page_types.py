"""The page-type rules keep the tree in shape: home → course → section → module."""

import pytest
from wagtail.models import Page

from cms.models import (
    CoursePage,
    GlossaryPage,
    HomePage,
    ModulePage,
    SectionPage,
    StandardPage,
)
from tests.factories import build_course, publish_page

pytestmark = pytest.mark.django_db


def test_each_page_type_names_exactly_its_allowed_parents():
    # given the page types of the course
    # when we ask Wagtail which parents each one accepts
    parents = {
        model.__name__: sorted(m.__name__ for m in model.allowed_parent_page_models())
        for model in (HomePage, CoursePage, SectionPage, ModulePage, StandardPage, GlossaryPage)
    }
    # then the tree can only be built one way
    assert parents == {
        "HomePage": ["Page"],
        "CoursePage": ["HomePage"],
        "SectionPage": ["CoursePage"],
        "ModulePage": ["SectionPage"],
        "StandardPage": ["HomePage"],
        "GlossaryPage": ["HomePage"],
    }


def test_each_page_type_names_exactly_its_allowed_children():
    # given the page types of the course
    # when we ask Wagtail which children each one accepts
    children = {
        model.__name__: sorted(m.__name__ for m in model.allowed_subpage_models())
        for model in (HomePage, CoursePage, SectionPage, ModulePage, StandardPage, GlossaryPage)
    }
    # then modules, standard pages and the glossary are leaves
    assert children == {
        "HomePage": ["CoursePage", "GlossaryPage", "StandardPage"],
        "CoursePage": ["SectionPage"],
        "SectionPage": ["ModulePage"],
        "ModulePage": [],
        "StandardPage": [],
        "GlossaryPage": [],
    }


def test_pages_can_be_created_only_at_their_place_in_a_real_tree():
    # given a course with a section and a module
    tree = build_course(sections=1, modules_per_section=1)
    home, course = tree["home"], tree["course"]
    section, module = tree["sections"][0], tree["modules"][0][0]
    standard = publish_page(home, StandardPage(title="Datenschutz", slug="datenschutz"))

    # when we ask where each type may be created
    allowed = {
        (parent.__class__.__name__, model.__name__)
        for parent in (home, course, section, module, standard)
        for model in (HomePage, CoursePage, SectionPage, ModulePage, StandardPage, GlossaryPage)
        if model.can_create_at(parent)
    }

    # then exactly these combinations exist
    assert allowed == {
        ("HomePage", "CoursePage"),
        ("HomePage", "StandardPage"),
        ("HomePage", "GlossaryPage"),  # one glossary: creatable while the tree has none
        ("CoursePage", "SectionPage"),
        ("SectionPage", "ModulePage"),
    }


def test_there_is_only_one_home_page():
    # given the site's home page
    build_course(sections=0)
    root = Page.get_first_root_node()
    # when we ask whether a second one may be created at the root
    # then Wagtail refuses
    assert HomePage.objects.count() == 1
    assert HomePage.can_create_at(root) is False


def test_a_module_cannot_be_moved_under_the_course_directly():
    # given a module in a section
    tree = build_course(sections=1, modules_per_section=1)
    module, course = tree["modules"][0][0], tree["course"]
    # when we ask whether it may move under the course
    # then Wagtail's move rules say no, but yes under another section
    other = publish_page(
        course, SectionPage(title="Anderer", slug="anderer", competence_area="fachkompetenz")
    )
    assert module.can_move_to(course) is False
    assert module.can_move_to(other) is True


def test_standard_page_renders_its_title_and_rich_text(client):
    # given a standard page under the home page
    home = build_course(sections=0)["home"]
    publish_page(
        home,
        StandardPage(
            title="Erklärung zur Barrierefreiheit",
            slug="barrierefreiheit",
            body="<h2>Stand der Vereinbarkeit</h2><p>Diese Website ist barrierefrei.</p>",
        ),
    )
    # when a visitor opens it
    response = client.get("/barrierefreiheit/")
    # then it shows one h1 and the body with its headings
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert '<h1 id="page-title">Erklärung zur Barrierefreiheit</h1>' in html
    assert "<h2>Stand der Vereinbarkeit</h2>" in html
    assert "<p>Diese Website ist barrierefrei.</p>" in html


def test_standard_page_offers_only_the_explicit_rich_text_features():
    # given the body field of a standard page
    field = StandardPage._meta.get_field("body")
    # then trainers get structure and links, never headings of level 1 or raw HTML
    assert field.features == ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]
