"""The branding on the pages: name, logo and alt text, the accent colour's stylesheet (no
inline style), footer contact, page titles without repetition, and Swiss spelling."""

import pytest
from django.test import Client
from django.utils import translation

from core import branding as core_branding
from core.models import BrandingSettings
from core.swiss import SOURCE, TARGET, catalogue, read_msgids, swiss

pytestmark = pytest.mark.django_db


def set_branding(**fields):
    branding = BrandingSettings.load()
    for name, value in fields.items():
        setattr(branding, name, value)
    branding.full_clean()
    branding.save()
    return branding


def test_pages_carry_the_name_the_contact_and_the_accent_stylesheet(client):
    set_branding(
        organisation_name="Stadt Musterlingen",
        accent_colour="#7a1f5c",
        footer_contact="Frau Keller\nTelefon 031 000 00 00",
    )
    page = client.get("/konto/anmelden/").content.decode()
    assert '<span class="brand__name">Stadt Musterlingen</span>' in page
    assert "<title>Anmelden · Stadt Musterlingen</title>" in page
    assert '<link rel="stylesheet" href="/marke/7a1f5c.css">' in page
    assert "Frau Keller<br>Telefon 031 000 00 00" in page
    assert "style=" not in page


def test_the_accent_stylesheet_sets_kerns_action_colour_and_is_cached():
    from django.test import Client

    response = Client().get("/marke/7A1F5C.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "--kern-color-action-default: #7a1f5c;" in response.content.decode()
    assert "immutable" in response["Cache-Control"]


@pytest.mark.parametrize("colour", ["ffcc00", "ffffff", "777777"])
def test_a_colour_too_light_for_white_gets_no_stylesheet(client, colour):
    assert client.get(f"/marke/{colour}.css").status_code == 404


def test_a_page_titled_like_the_organisation_does_not_repeat_it(client):
    from cms.services import ensure_home_page

    home = ensure_home_page()
    set_branding(organisation_name=home.title)
    page = client.get("/").content.decode()
    assert f"<title>{home.title}</title>" in page


def test_the_logo_is_shown_with_its_alternative_text(client):
    from core.demo import seed_branding

    seed_branding()
    branding = BrandingSettings.load()
    page = client.get("/konto/anmelden/").content.decode()
    assert f'alt="{branding.logo_alt}"' in page
    assert branding.logo.file.url in page


def test_a_logo_without_alternative_text_is_refused():
    from django.core.exceptions import ValidationError

    from core.demo import seed_branding

    seed_branding()
    branding = BrandingSettings.load()
    branding.logo_alt = "  "
    with pytest.raises(ValidationError) as error:
        branding.full_clean()
    assert "Alternativtext" in error.value.message_dict["logo_alt"][0]


def test_swiss_spelling_writes_ss_in_the_interface():
    # given a message with ß in the German interface
    set_branding(swiss_spelling=True)
    # when a German page renders it (the page for a request to an unknown host)
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="unbekannt.example")
    # then it reads "gross" and the page says it is Swiss German
    page = response.content.decode()
    assert "zu gross" in page and "zu groß" not in page
    assert '<html lang="de-ch"' in page


def test_without_swiss_spelling_the_interface_keeps_the_sharp_s():
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="unbekannt.example")
    page = response.content.decode()
    assert "zu groß" in page
    assert '<html lang="de"' in page


def test_mails_follow_the_swiss_spelling():
    set_branding(swiss_spelling=True)
    with translation.override(core_branding.mail_language()):
        assert translation.gettext("Kontakt in der Fußzeile") == "Kontakt in der Fusszeile"
        # a lone letter named in a sentence stays
        assert translation.gettext("ss statt ß") == "ss statt ß"


def test_swiss_spelling_changes_letters_inside_words_only():
    assert swiss("Grüße und Maße") == "Grüsse und Masse"
    assert swiss("«ss» statt «ß»") == "«ss» statt «ß»"


def test_english_is_not_affected_by_swiss_spelling():
    set_branding(swiss_spelling=True)
    assert core_branding.language_for("en") == "en"
    assert core_branding.language_for("de") == "de-ch"


def test_the_swiss_catalogue_is_up_to_date():
    from django.conf import settings

    source = (settings.BASE_DIR / SOURCE).read_text(encoding="utf-8")
    written = (settings.BASE_DIR / TARGET).read_text(encoding="utf-8")
    assert written == catalogue(source), "run: python manage.py swiss_spelling"
    entries = read_msgids(written)
    assert entries and all("ß" in e.msgid or "ß" in (e.plural or "") for e in entries)
