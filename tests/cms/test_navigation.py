"""Course overview, section overview, breadcrumbs and previous/next follow the reading order."""

import re

import pytest

from cms.models import ModulePage, SectionPage, StandardPage
from cms.selectors import course_modules, module_position
from tests.factories import build_course, module_body, publish_page

pytestmark = pytest.mark.django_db

SEARCH_FORM = '<form class="search-form" role="search" action="/suche/" method="get">'


def links(html, rel):
    return re.findall(rf'<a rel="{rel}" href="([^"]+)">', html)


def test_reading_order_follows_the_section_order_not_the_tree_position():
    # given a course whose sections were created in the tree in reverse reading order
    tree = build_course(sections=0)
    course = tree["course"]
    later = publish_page(
        course,
        SectionPage(title="Später", slug="spaeter", competence_area="fachkompetenz", order=2),
    )
    earlier = publish_page(
        course,
        SectionPage(title="Zuerst", slug="zuerst", competence_area="fachkompetenz", order=1),
    )
    for section, slugs in ((later, ("c", "d")), (earlier, ("a", "b"))):
        for slug in slugs:
            publish_page(section, ModulePage(title=f"Modul {slug}", slug=slug, body=module_body()))
    # when the reading order is asked for
    order = [m.slug for m in course_modules(course)]
    # then the section with the lower order comes first, modules keep their tree order
    assert order == ["a", "b", "c", "d"]


def test_next_and_previous_cross_section_borders(client):
    # given a course with two sections of two modules
    tree = build_course(sections=2, modules_per_section=2)
    (m11, m12), (m21, m22) = tree["modules"]

    # when the pages are opened
    first = client.get(m11.url).content.decode()
    last_of_section = client.get(m12.url).content.decode()
    first_of_next = client.get(m21.url).content.decode()
    last = client.get(m22.url).content.decode()

    # then previous/next link the modules in reading order
    assert links(first, "prev") == [] and links(first, "next") == [m12.url]
    assert links(last_of_section, "prev") == [m11.url]
    assert links(last_of_section, "next") == [m21.url]
    assert links(first_of_next, "prev") == [m12.url]
    assert links(last, "prev") == [m21.url] and links(last, "next") == []


def test_unpublished_modules_are_left_out_of_the_reading_order():
    # given three modules of which the middle one is unpublished
    tree = build_course(sections=1, modules_per_section=3)
    first, middle, last = tree["modules"][0]
    middle.unpublish()
    # when the neighbours of the first module are computed
    position = module_position(first)
    # then the next one skips the draft, and the count leaves it out
    assert position.next_module.pk == last.pk
    assert (position.number_in_section, position.modules_in_section) == (1, 2)


def test_module_page_shows_its_place_duration_and_breadcrumbs(client):
    # given the second module of the first section
    tree = build_course(sections=1, modules_per_section=3)
    module = tree["modules"][0][1]
    # when it is opened
    html = client.get(module.url).content.decode()
    # then it says where the reader is and how long it takes
    assert '<p class="eyebrow">Modul 2 von 3</p>' in html
    assert "Dauer: etwa 20 Minuten" in html
    # and the breadcrumbs lead from the start page to the module
    trail = re.search(r'<nav class="breadcrumbs[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)"', trail) == [
        "/",
        "/testkurs/",
        "/testkurs/lernbereich-1/",
        "/testkurs/lernbereich-1/modul-1-2/",
    ]
    assert 'aria-current="page">Modul 1.2</a>' in trail


def test_section_overview_lists_modules_with_durations_and_total(client):
    # given a section with modules of 10, 20 and 30 minutes
    tree = build_course(sections=1, modules_per_section=3)
    section = tree["sections"][0]
    # when it is opened
    html = client.get(section.url).content.decode()
    # then each module shows its duration and the section its total
    assert "3 Module · zusammen etwa 60 Minuten" in html
    for n in (1, 2, 3):
        assert f'<a href="/testkurs/lernbereich-1/modul-1-{n}/">Modul 1.{n}</a>' in html
        assert html.count(f"Dauer: etwa {n * 10} Minuten") == 1
    assert 'href="/testkurs/lernbereich-1/modul-1-1/">Mit dem ersten Modul beginnen</a>' in html


def test_course_overview_lists_sections_in_order_with_their_modules(client):
    # given a course with three sections of two modules (10 + 20 minutes each)
    tree = build_course(sections=3, modules_per_section=2)
    # when the course page is opened
    html = client.get(tree["course"].url).content.decode()
    # then the sections appear in order, each with its duration and modules
    positions = [html.index(f">Lernbereich {n}</a></h2>") for n in (1, 2, 3)]
    assert positions == sorted(positions)
    assert html.count("etwa 30 Minuten") == 3
    assert "6 Module · zusammen etwa 1,5 Stunden" in html
    assert html.count('<li><a href="/testkurs/lernbereich-') == 6


@pytest.mark.parametrize("kind", ["home", "course", "section", "module", "standard", "search"])
def test_every_page_offers_the_search_and_exactly_one_h1(client, kind):
    # given the course and a standard page
    tree = build_course(sections=1, modules_per_section=1)
    standard = publish_page(tree["home"], StandardPage(title="Impressum", slug="impressum"))
    url = {
        "home": "/",
        "course": tree["course"].url,
        "section": tree["sections"][0].url,
        "module": tree["modules"][0][0].url,
        "standard": standard.url,
        "search": "/suche/?q=Verwaltungsportal",
    }[kind]
    # when the page is opened
    response = client.get(url)
    html = response.content.decode()
    # then it has the search form, the landmarks and one h1
    assert response.status_code == 200
    assert SEARCH_FORM in html
    assert html.count("<h1") == 1
    for landmark in ('<header class="site-header">', "<main ", "<footer "):
        assert landmark in html
    assert '<html lang="de">' in html


def test_pages_are_found_by_their_url_and_unknown_or_draft_paths_answer_404(client):
    # given a course with a module and a draft module
    tree = build_course(sections=1, modules_per_section=2)
    draft = tree["modules"][0][1]
    draft.unpublish()
    # when URLs are requested
    status = {
        url: client.get(url).status_code
        for url in (
            "/testkurs/",
            "/testkurs/lernbereich-1/modul-1-1/",
            "/testkurs/lernbereich-1/modul-1-2/",
            "/testkurs/lernbereich-1/modul-1-1/weiter/",
            "/testkurs/unbekannt/",
        )
    }
    # then only live pages answer
    assert status == {
        "/testkurs/": 200,
        "/testkurs/lernbereich-1/modul-1-1/": 200,
        "/testkurs/lernbereich-1/modul-1-2/": 404,
        "/testkurs/lernbereich-1/modul-1-1/weiter/": 404,
        "/testkurs/unbekannt/": 404,
    }


def test_a_renamed_section_moves_its_modules_to_the_new_url(client):
    # given a section whose slug a trainer changes and publishes
    tree = build_course(sections=1, modules_per_section=1)
    section = tree["sections"][0]
    section.slug = "neuer-name"
    section.save_revision().publish()
    # then its module answers at the new address
    response = client.get("/testkurs/neuer-name/modul-1-1/")
    assert response.status_code == 200
    assert response.context["page"].slug == "modul-1-1"
