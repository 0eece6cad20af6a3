"""A long module in sections: «Abschnitt 2 von 3», a table of contents with jump links, one
section per step, and the reading position kept for the person."""

import json

import pytest

from cms.models import ModulePage
from tests.factories import UserFactory, build_course

pytestmark = pytest.mark.django_db

THREE_SECTIONS = json.dumps(
    [
        {"type": "heading", "value": "Ausgangslage"},
        {"type": "text", "value": "<p>Erster Abschnitt über Schalter.</p>"},
        {"type": "heading", "value": "Vier Treiber"},
        {"type": "text", "value": "<p>Zweiter Abschnitt über Treiber.</p>"},
        {"type": "heading", "value": "Was das bedeutet"},
        {"type": "text", "value": "<p>Dritter Abschnitt über Folgen.</p>"},
    ]
)


@pytest.fixture
def long_module():
    tree = build_course(sections=1, modules_per_section=1)
    module = tree["modules"][0][0]
    module.body = THREE_SECTIONS
    module.save_revision().publish()
    return ModulePage.objects.get(pk=module.pk)


def test_the_first_visit_shows_the_first_section_with_a_table_of_contents(client, long_module):
    page = client.get(long_module.url).content.decode()
    assert "Abschnitt 1 von 3" in page
    assert "Erster Abschnitt" in page and "Zweiter Abschnitt" not in page
    # the table of contents links every section, the shown one marked as current
    assert '<a href="?abschnitt=2#inhalt">Vier Treiber</a>' in page
    assert 'aria-current="step">Ausgangslage</a>' in page
    assert "Weiter: Vier Treiber" in page


def test_a_section_is_shown_on_its_own_and_the_position_is_kept(client, long_module):
    # given a participant who reads on to the second section
    client.force_login(UserFactory(username="leserin"))
    page = client.get(long_module.url + "?abschnitt=2").content.decode()
    assert "Abschnitt 2 von 3" in page and "Zweiter Abschnitt" in page
    assert "Erster Abschnitt" not in page
    # when they come back to the module later
    page = client.get(long_module.url).content.decode()
    # then it opens where they left off
    assert "Abschnitt 2 von 3" in page and "Zweiter Abschnitt" in page


def test_all_sections_on_one_page_with_jump_links(client, long_module):
    page = client.get(long_module.url + "?abschnitt=alle").content.decode()
    for text in ("Erster", "Zweiter", "Dritter"):
        assert f"{text} Abschnitt" in page
    assert '<a href="#abschnitt-3">Was das bedeutet</a>' in page
    assert 'id="abschnitt-3"' in page


@pytest.mark.parametrize("value", ["0", "4", "-1", "zwei", "9" * 50, "1e3"])
def test_an_unknown_section_falls_back_to_the_first(client, long_module, value):
    response = client.get(long_module.url, {"abschnitt": value})
    assert response.status_code == 200
    assert "Abschnitt 1 von 3" in response.content.decode()


def test_a_short_module_shows_no_steps(client):
    tree = build_course(sections=1, modules_per_section=1)
    page = client.get(tree["modules"][0][0].url).content.decode()
    assert "Abschnitt 1 von" not in page
    assert "In diesem Modul" not in page
