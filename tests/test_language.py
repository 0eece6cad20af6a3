def test_pages_are_german_whatever_the_browser_asks(demo, client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()


def test_the_language_switcher_sets_english(demo, client):
    # when a person chooses English in the footer
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    # then the following pages are English
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
