"""The public lists at national size: officers and wijken per municipality (by the slug of its
name; its CBS code redirects), the bare paths offering the choice, and sitemap.xml."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from neighbourhoods.models import Municipality
from officers.sitemaps import BuurtSitemap
from tests import factories

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def two_municipalities(dataset, buurten):
    """Testgemeente (GM0001) with the conftest buurten, and Sint-Anna ter Muiden (GM0002)."""
    far = factories.make_buurt(dataset, "BU00020001", factories.square(9, 9), name="Ver")
    Municipality.objects.filter(code="GM0002").update(name="Sint-Anna ter Muiden")
    anna = factories.make_officer("Anna Thuis", slug="anna-thuis")
    factories.assign(anna, buurten["west"])
    bert = factories.make_officer("Bert Ver", slug="bert-ver")
    factories.assign(bert, far)
    hidden = factories.make_officer("Cas Verborgen", slug="cas-verborgen", is_published=False)
    factories.assign(hidden, far)
    return {"far": far, "anna": anna, "bert": bert}


def test_with_one_municipality_the_bare_paths_lead_to_its_lists(client, buurten):
    for bare, own in (
        ("/wijkagenten/", "/wijkagenten/testgemeente/"),
        ("/wijken/", "/wijken/testgemeente/"),
    ):
        response = client.get(bare)
        assert (response.status_code, response["Location"]) == (302, own)


def test_with_several_municipalities_the_bare_paths_offer_the_choice(client, two_municipalities):
    html = client.get("/wijkagenten/").content.decode()
    assert 'href="/wijkagenten/sint-anna-ter-muiden/"' in html
    assert 'href="/wijkagenten/testgemeente/"' in html
    assert html.index("Sint-Anna ter Muiden") < html.index("Testgemeente")
    html = client.get("/wijken/").content.decode()
    assert 'href="/wijken/sint-anna-ter-muiden/"' in html


def test_each_municipality_lists_its_own_published_officers(client, two_municipalities):
    home = client.get("/wijkagenten/testgemeente/").content.decode()
    assert "Anna Thuis" in home and "Bert Ver" not in home
    far = client.get("/wijkagenten/sint-anna-ter-muiden/").content.decode()
    assert "Bert Ver" in far and "Anna Thuis" not in far
    assert "Cas Verborgen" not in far
    wijken = client.get("/wijken/sint-anna-ter-muiden/").content.decode()
    assert 'href="/buurt/BU00020001/"' in wijken and "BU00010001" not in wijken


def test_an_officer_in_two_municipalities_is_in_both_lists_with_their_buurten_there(
    client, two_municipalities, buurten
):
    factories.assign(two_municipalities["bert"], buurten["north"])
    home = client.get("/wijkagenten/testgemeente/").content.decode()
    assert "Bert Ver</a>: Noord" in home
    far = client.get("/wijkagenten/sint-anna-ter-muiden/").content.decode()
    assert "Bert Ver</a>: Ver" in far


def test_the_cbs_code_redirects_to_the_slug(client, two_municipalities):
    for code in ("GM0002", "gm0002"):
        response = client.get(f"/wijkagenten/{code}/")
        assert (response.status_code, response["Location"]) == (
            301,
            "/wijkagenten/sint-anna-ter-muiden/",
        )
    response = client.get("/wijken/GM0001/")
    assert (response.status_code, response["Location"]) == (301, "/wijken/testgemeente/")


def test_a_municipality_the_portal_does_not_cover_is_not_found(client, two_municipalities):
    Municipality.objects.create(code="GM0003", name="Nergenshuizen")
    for path in ("/wijkagenten/amsterdam/", "/wijken/nergenshuizen/", "/wijkagenten/GM0003/"):
        assert client.get(path).status_code == 404


def test_a_municipality_list_takes_three_queries_whatever_its_size(
    client, dataset, two_municipalities, django_assert_max_num_queries
):
    for number in range(30):
        buurt = factories.make_buurt(
            dataset, f"BU000101{number:02d}", factories.square(20 + number, 0)
        )
        factories.assign(factories.make_officer(f"Agent {number:02d}"), buurt)
    with django_assert_max_num_queries(3):
        response = client.get("/wijkagenten/testgemeente/")
    assert response.content.decode().count('<li><a href="/wijkagent/') == 31


# -- sitemap.xml --------------------------------------------------------------------------------


def _parse(response, tag: str) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - the portal's own answer
    return [element.text for element in root.iter(f"{SITEMAP}{tag}")]


def sitemaps_in(client, **headers) -> list[str]:
    """The sitemap URLs the index at /sitemap.xml names."""
    return _parse(client.get("/sitemap.xml", **headers), "loc")


def locations(client, **headers) -> list[str]:
    """Every page URL of every sitemap the index names, fetched as a search engine would."""
    found = []
    for url in sitemaps_in(client, **headers):
        scheme, rest = url.split("://", 1)
        _host, path = rest.split("/", 1)
        # Fetched as named: over HTTPS (through the proxy) when the index says so.
        secure = {"HTTP_X_FORWARDED_PROTO": "https"} if scheme == "https" else {}
        found += _parse(client.get(f"/{path}", **{**headers, **secure}), "loc")
    return found


def test_the_sitemap_lists_every_public_profile_buurt_and_list(
    client, settings, two_municipalities
):
    settings.ALLOWED_HOSTS = ["wijkagent.example.nl"]
    found = locations(client, HTTP_HOST="wijkagent.example.nl")
    base = "http://wijkagent.example.nl"
    assert set(found) == {
        f"{base}/wijkagenten/",
        f"{base}/wijken/",
        f"{base}/wijkagenten/sint-anna-ter-muiden/",
        f"{base}/wijken/sint-anna-ter-muiden/",
        f"{base}/wijkagenten/testgemeente/",
        f"{base}/wijken/testgemeente/",
        f"{base}/wijkagent/anna-thuis/",
        f"{base}/wijkagent/bert-ver/",
        f"{base}/buurt/BU00010001/",
        f"{base}/buurt/BU00010002/",
        f"{base}/buurt/BU00010003/",
        f"{base}/buurt/BU00020001/",
    }
    assert len(found) == len(set(found))


def test_the_sitemap_leaves_out_unpublished_profiles_and_staged_buurten(client, two_municipalities):
    staged = factories.make_dataset("staged", active=False)
    factories.make_buurt(staged, "BU00770001", factories.square(5, 5))
    found = " ".join(locations(client))
    assert "cas-verborgen" not in found
    assert "BU00770001" not in found


def test_the_sitemap_follows_the_scheme_a_proxy_reports(client, settings, two_municipalities):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["wijkagent.example.nl"]
    headers = {"HTTP_HOST": "wijkagent.example.nl", "HTTP_X_FORWARDED_PROTO": "https"}
    index = sitemaps_in(client, **headers)
    assert index and all(url.startswith("https://wijkagent.example.nl/sitemap-") for url in index)
    found = locations(client, **headers)
    assert found and all(url.startswith("https://wijkagent.example.nl/") for url in found)


def test_with_one_municipality_the_sitemap_leaves_out_the_redirecting_bare_paths(client, buurten):
    found = locations(client)
    assert "http://testserver/wijkagenten/testgemeente/" in found
    assert "http://testserver/wijkagenten/" not in found


def test_each_sitemap_takes_a_fixed_number_of_queries(
    client, dataset, two_municipalities, django_assert_max_num_queries
):
    for number in range(30):
        buurt = factories.make_buurt(
            dataset, f"BU000101{number:02d}", factories.square(20 + number, 0)
        )
        factories.assign(factories.make_officer(f"Agent {number:02d}"), buurt)
    found = 0
    for url in sitemaps_in(client):
        with django_assert_max_num_queries(2):
            found += len(_parse(client.get(url.removeprefix("http://testserver")), "loc"))
    assert found == 12 + 60


def test_a_large_section_is_split_into_pages_the_index_names(
    client, two_municipalities, monkeypatch
):
    monkeypatch.setattr(BuurtSitemap, "limit", 3)
    index = sitemaps_in(client)
    assert "http://testserver/sitemap-buurten.xml" in index
    assert "http://testserver/sitemap-buurten.xml?p=2" in index
    buurten = [url for url in locations(client) if "/buurt/" in url]
    assert len(buurten) == len(set(buurten)) == 4


def test_the_a_to_z_list_says_where_an_officer_only_stands_in(client, buurten):
    anna = factories.make_officer("Anna Thuis", slug="anna-thuis")
    factories.assign(anna, buurten["west"])
    factories.assign(anna, buurten["east"], role="deputy")
    html = client.get("/wijkagenten/testgemeente/").content.decode()
    assert "Oost (als vervanger)" in html
    assert "West (als vervanger)" not in html
