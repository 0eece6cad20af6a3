"""Search over the modules: Wagtail's database backend, PostgreSQL full text on PostgreSQL."""

import pytest
from django.db import connection
from wagtail.search.backends import get_search_backend

from cms.models import ModulePage
from cms.selectors import search_modules
from tests.factories import build_course, module_body, publish_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    tree = build_course(sections=1, modules_per_section=2)
    section = tree["sections"][0]
    publish_page(
        section,
        ModulePage(
            title="Umzug melden",
            slug="umzug-melden",
            teaser="Ein Anliegen, das viele Menschen betrifft.",
            body=module_body(word="Wohnungsgeberbestätigung"),
        ),
    )
    return tree


def test_search_uses_postgresql_full_text_with_german_stemming_on_postgresql():
    backend = get_search_backend()
    assert connection.vendor == "postgresql"
    assert type(backend).__name__ == "PostgresSearchBackend"
    assert backend.config == "german"


def test_search_finds_a_module_by_a_word_from_its_body(course, client):
    # given a module whose title and teaser do not contain the word
    # when a participant searches for a word from its body
    response = client.get("/suche/", {"q": "Wohnungsgeberbestätigung"})
    # then exactly that module is found and linked
    html = response.content.decode()
    assert response.status_code == 200
    assert [m.slug for m in search_modules("Wohnungsgeberbestätigung")] == ["umzug-melden"]
    assert '<a href="/testkurs/lernbereich-1/umzug-melden/">Umzug melden</a>' in html
    assert "Ein Anliegen, das viele Menschen betrifft." in html


def test_search_matches_inflected_german_words(course):
    # given a body with «Wohnungsgeberbestätigung»
    # when someone searches the plural
    found = [m.slug for m in search_modules("Wohnungsgeberbestätigungen")]
    # then the German stemmer still finds the module
    assert found == ["umzug-melden"]


def test_search_leaves_out_unpublished_modules(course):
    # given the module is taken offline
    ModulePage.objects.get(slug="umzug-melden").unpublish()
    # when searching for its word
    # then nothing is found
    assert list(search_modules("Wohnungsgeberbestätigung")) == []


def test_search_without_results_says_so(course, client):
    html = client.get("/suche/", {"q": "Raumfahrt"}).content.decode()
    assert "Keine Module gefunden." in html


def test_search_without_a_query_shows_only_the_form(course, client):
    html = client.get("/suche/").content.decode()
    assert '<input id="q" type="search" name="q" value="">' in html
    assert "Ergebnisse" not in html


@pytest.mark.parametrize("query", ['"Umzug', "&&!!:*", "a" * 5000, "Umzug OR"])
def test_odd_queries_are_answered_without_error(course, client, query):
    response = client.get("/suche/", {"q": query})
    assert response.status_code == 200


def test_a_nul_character_in_the_query_gets_the_german_400_page(course, client):
    # PostgreSQL refuses NUL in text: the request is refused before it reaches the search
    response = client.get("/suche/", {"q": "Umzug\x00"})
    assert response.status_code == 400
    assert "Anfrage nicht verarbeitet" in response.content.decode()


def test_many_results_are_split_into_pages_of_ten(client):
    # given twelve modules that all mention the word
    tree = build_course(sections=1, modules_per_section=12)
    assert sum(len(m) for m in tree["modules"]) == 12
    # when searching for it, on the first and the second page
    first = client.get("/suche/", {"q": "Verwaltungsportal"}).content.decode()
    second = client.get("/suche/", {"q": "Verwaltungsportal", "seite": 2}).content.decode()
    # then ten and two results are listed, with a link onwards
    assert first.count('<li class="card">') == 10
    assert second.count('<li class="card">') == 2
    assert '<a rel="next" href="?q=Verwaltungsportal&amp;seite=2">' in first
    assert "Seite 2 von 2" in second
