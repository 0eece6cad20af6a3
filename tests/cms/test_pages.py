from tests.factories import SECTION_TITLES


def test_home_page_lists_the_three_sections(demo, client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for title in SECTION_TITLES:
        assert title in html
    assert '<html lang="de">' in html
