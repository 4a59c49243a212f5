"""The language switch and the privacy and accessibility pages."""

import pytest
from django.test import Client


@pytest.fixture
def csrf_client():
    """A client that enforces CSRF like a browser on a cached page would meet it."""
    return Client(enforce_csrf_checks=True)


def test_every_page_offers_the_other_language_keeping_the_page(client, db):
    html = client.get("/privacy/").content.decode()
    assert 'action="/taal/"' in html
    assert '<input type="hidden" name="next" value="/privacy/">' in html
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in html
    assert "csrfmiddlewaretoken" not in html.split('action="/taal/"', 1)[1].split("</form>", 1)[0]


def test_switching_language_needs_no_csrf_token_and_returns_to_the_same_page(csrf_client, buurten):
    response = csrf_client.post(
        "/taal/", {"language": "en", "next": "/buurt/BU00010001/?gezocht=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/buurt/BU00010001/?gezocht=1"
    assert csrf_client.cookies["django_language"].value == "en"
    html = csrf_client.get("/buurt/BU00010001/?gezocht=1").content.decode()
    assert '<html lang="en">' in html
    assert "The address you searched for lies in the buurt West." in html
    assert '<button type="submit" name="language" value="nl" lang="nl">Nederlands</button>' in html
    csrf_client.post("/taal/", {"language": "nl", "next": "/"})
    assert '<html lang="nl">' in csrf_client.get("/").content.decode()


def test_the_switch_does_not_redirect_off_site(csrf_client, db):
    response = csrf_client.post("/taal/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_language_cookie_holds_only_the_language(csrf_client, db):
    csrf_client.post("/taal/", {"language": "en", "next": "/"})
    assert {name: morsel.value for name, morsel in csrf_client.cookies.items()} == {
        "django_language": "en"
    }


@pytest.mark.parametrize(
    ("url", "dutch", "english"),
    [
        ("/privacy/", "wat we bewaren en wat niet", "what we store and what we do not"),
        ("/toegankelijkheid/", "Toegankelijkheidsverklaring", "Accessibility statement"),
    ],
)
def test_site_pages_in_both_languages(client, buurten, url, dutch, english):
    nl = client.get(url)
    assert nl.status_code == 200
    assert dutch in nl.content.decode()
    client.cookies["django_language"] = "en"
    assert english in client.get(url).content.decode()


def test_privacy_page_names_exactly_the_cookies_set(client, buurten):
    html = client.get("/privacy/").content.decode()
    assert "csrftoken" not in html
    assert "django_language" in html
    client.get("/")
    client.post("/", {"postcode": "6411 NH", "huisnummer": "13"})
    client.post("/adres/", {"straat": "Stationstraat", "huisnummer": "13", "woonplaats": "Heerlen"})
    assert set(client.cookies) == set()
    client.post("/taal/", {"language": "en", "next": "/"})
    assert set(client.cookies) == {"django_language"}


def test_every_page_links_privacy_and_accessibility(client, db):
    html = client.get("/").content.decode()
    assert 'href="/privacy/"' in html
    assert 'href="/toegankelijkheid/"' in html


def test_dutch_names_on_english_pages_are_marked_as_dutch(client, buurten):
    client.cookies["django_language"] = "en"
    html = client.get("/buurt/BU00010001/").content.decode()
    assert '<html lang="en">' in html
    assert '<span lang="nl">Meld Misdaad Anoniem</span>' in html
    # The attribution has an English word for "Bron" (issue 20, item 15).
    assert "Bron" not in html
    assert '<p class="attribution">Source: CBS / Kadaster</p>' in html


def test_dutch_is_the_default_whatever_the_browser_prefers(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="nl">' in response.content.decode()
    assert response["Content-Language"] == "nl"
    assert "Cookie" in response["Vary"]
    assert "Accept-Language" not in response["Vary"]


@pytest.mark.parametrize(("cookie", "language"), [("en", "en"), ("en-gb", "en"), ("xx", "nl")])
def test_the_cookie_chooses_the_language(client, db, cookie, language):
    client.cookies["django_language"] = cookie
    assert f'<html lang="{language}">' in client.get("/privacy/").content.decode()
