"""The glossary: terms as snippets, linked on first use in a module, and a glossary page; plus
the readability warning trainers see when they save a module."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.glossary import Term, link_first_uses
from cms.models import GlossaryPage, GlossaryTerm, ModulePage
from cms.services import load_glossary

pytestmark = pytest.mark.django_db

OZG = Term("OZG", "Onlinezugangsgesetz", "Deutsches Gesetz.", "ozg", ("OZG",))
OZG2 = Term("OZG 2.0", "OZG-Änderungsgesetz", "Änderung von 2024.", "ozg-2-0", ("OZG 2.0",))
DSG = Term("DSG", "Datenschutzgesetz", "Schweizer Gesetz.", "dsg", ("DSG",))


def anchors(html: str) -> tuple[list[str], set[str]]:
    """In-page glossary links and the ids on the page."""
    links = re.findall(r'class="glossary-term" href="#([^"]+)"', html)
    return links, set(re.findall(r'id="([^"]+)"', html))


def test_only_the_first_use_is_linked_and_headings_and_links_are_left_alone():
    # given a body naming the OZG in a heading, a link and twice in text
    html = '<h2>Das OZG</h2><p>Siehe <a href="/x/">OZG</a>. Das OZG gilt.</p><p>Das OZG wirkt.</p>'
    # when the glossary links it
    linked, used = link_first_uses(html, [OZG])
    # then the first use in running text is linked, with its long form, and nothing else
    assert used == [OZG]
    assert linked.count('class="glossary-term"') == 1
    assert (
        '<p>Siehe <a href="/x/">OZG</a>. Das <a class="glossary-term" href="#begriff-ozg">'
        '<abbr title="Onlinezugangsgesetz">OZG</abbr></a> gilt.</p>'
    ) in linked
    assert "<h2>Das OZG</h2>" in linked and "<p>Das OZG wirkt.</p>" in linked


def test_the_longer_term_wins_and_parts_of_words_are_not_linked():
    linked, used = link_first_uses("<p>Das revDSG und das OZG 2.0 gelten.</p>", [OZG, OZG2, DSG])
    assert used == [OZG2]
    assert 'href="#begriff-ozg-2-0"><abbr title="OZG-Änderungsgesetz">OZG 2.0</abbr>' in linked
    assert "revDSG" in linked and "#begriff-dsg" not in linked


def test_seed_demo_loads_the_glossary_and_its_page(demo):
    assert GlossaryTerm.objects.count() >= 25
    page = GlossaryPage.objects.live().get()
    assert page.url == "/glossar/"
    # loading again changes nothing, and an edited explanation is kept
    GlossaryTerm.objects.filter(slug="ozg").update(explanation="Eigene Fassung.")
    assert load_glossary() == []
    assert GlossaryTerm.objects.get(slug="ozg").explanation == "Eigene Fassung."


def test_every_glossary_link_on_every_module_resolves(demo, client):
    # given the demo course and a participant
    client.force_login(demo["participant"])
    glossary = client.get("/glossar/")
    assert glossary.status_code == 200
    _, glossary_ids = anchors(glossary.content.decode())
    linked_terms = set()
    for module in ModulePage.objects.live():
        # when the participant opens a module
        html = client.get(module.url).content.decode()
        links, ids = anchors(html)
        # then each term is linked once, each link has its explanation on the page, and the
        # glossary page has the same entry
        assert len(links) == len(set(links)), module.slug
        assert set(links) <= ids, module.slug
        assert set(links) <= glossary_ids
        assert 'href="/glossar/"' in html if links else True
        linked_terms |= set(links)
    # and across the course most terms are used somewhere
    assert len(linked_terms) >= 20


def test_a_changed_explanation_shows_on_the_module_page_at_once(demo, client):
    client.force_login(demo["participant"])
    module = ModulePage.objects.get(slug="ozg-und-e-government-portale")
    assert "Deutsches Gesetz von 2017" in client.get(module.url).content.decode()
    term = GlossaryTerm.objects.get(slug="ozg")
    term.explanation = "Neu erklärt."
    term.save()
    assert "Neu erklärt." in client.get(module.url).content.decode()


# --- The readability check in the editor ------------------------------------------------------


def module_form(module, paragraph: str) -> dict:
    fields = {
        "title": module.title,
        "slug": module.slug,
        "comments": inline_formset([]),
        "teaser": "Kurz gesagt.",
        "estimated_minutes": "25",
        "required": "on",
        "learning_objectives": streamfield([("objective", "Sie können X erklären.")]),
        "body": streamfield([("text", rich_text(paragraph))]),
    }
    return nested_form_data(fields)


HARD = (
    "<p>Die Inanspruchnahme elektronischer Verwaltungsdienstleistungen setzt die vorherige "
    "Registrierung unter Verwendung eines qualifizierten elektronischen Identifizierungsmittels "
    "voraus, sofern die jeweilige Verwaltungsleistung ein erhöhtes Vertrauensniveau erfordert.</p>"
)
EASY = "<p>Für manche Dienste brauchen Sie ein Konto. Dafür nutzen Sie Ihren Ausweis.</p>"


def save(client, module, paragraph):
    url = reverse("wagtailadmin_pages:edit", args=[module.pk])
    response = client.post(url, module_form(module, paragraph))
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def test_saving_a_hard_module_warns_the_trainer_but_saves_it(demo, client):
    # given the demo trainer editing a module
    client.force_login(demo["trainer"])
    module = ModulePage.objects.get(slug="service-mindset")
    revisions = module.revisions.count()
    # when she saves a body of one long, official sentence
    response, messages = save(client, module, HARD)
    # then the draft is saved and the editor warns with the score
    assert response.status_code == 302
    assert module.revisions.count() == revisions + 1
    warnings = [m for m in messages if m.startswith("Lesbarkeit")]
    assert any("Ziel sind mindestens 50" in m for m in warnings), messages
    assert not any("längste Satz" in m for m in warnings)  # 23 words: within the limit


def test_saving_an_easy_module_shows_no_readability_warning(demo, client):
    client.force_login(demo["trainer"])
    module = ModulePage.objects.get(slug="service-mindset")
    response, messages = save(client, module, EASY)
    assert response.status_code == 302
    assert not [m for m in messages if m.startswith("Lesbarkeit")]
