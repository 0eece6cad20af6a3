"""The participant's account page: profile, links to export, erasure and second factor."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_account_page_shows_and_saves_the_profile(client):
    # given a logged-in participant
    user = UserFactory(first_name="Hans", last_name="Muster", email="hans@example.org")
    client.force_login(user)
    # when they open their account page
    page = client.get("/konto/")
    html = page.content.decode()
    # then it shows their data and leads to export, erasure and the second factor
    assert page.status_code == 200
    assert "<h1>Mein Konto</h1>" in html
    assert 'value="hans@example.org"' in html
    for link in ("/konto/daten/", "/konto/loeschen/", "/konto/zwei-faktor/"):
        assert f'href="{link}"' in html
    # when they correct their name
    response = client.post(
        "/konto/",
        {"first_name": "Hans-Peter", "last_name": "Muster", "email": "hans@example.org"},
        follow=True,
    )
    # then it is saved and confirmed
    user.refresh_from_db()
    assert user.first_name == "Hans-Peter"
    assert "Ihre Angaben wurden gespeichert." in response.content.decode()


def test_profile_errors_are_linked_to_their_fields(client):
    user = UserFactory(email="hans@example.org")
    client.force_login(user)
    response = client.post("/konto/", {"first_name": "Hans", "last_name": "M", "email": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_email">Bitte geben Sie Ihre E-Mail-Adresse ein.</a>' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email_error"' in html
    user.refresh_from_db()
    assert user.email == "hans@example.org"


def test_names_are_escaped_on_the_account_page(client):
    client.force_login(UserFactory(username="x", first_name="<script>alert(1)</script>"))
    html = client.get("/konto/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "url", ["/konto/", "/konto/daten/", "/konto/loeschen/", "/konto/zwei-faktor/"]
)
def test_account_pages_require_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/konto/anmelden/?next={url}"


def test_the_header_links_to_the_account_and_the_footer_to_the_legal_pages(client):
    client.force_login(UserFactory())
    html = client.get("/konto/").content.decode()
    assert '<a href="/konto/">Mein Konto</a>' in html
    assert '<a href="/datenschutz/">Datenschutz</a>' in html
    assert '<a href="/barrierefreiheit/">Barrierefreiheit</a>' in html
