"""The search with the shared cache on: staff saves seen at once, and no address ever in the cache."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from neighbourhoods.parsing import parse_house_number
from officers.finding import Outcome, find_officers, officers_for_buurt
from officers.models import Assignment
from tests import factories

SECRET_STREET = "Geheimelaan"


@pytest.fixture(autouse=True)
def shared_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anna(buurten):
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(anna, buurten["west"])
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13, huisletter="E")
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=15)
    address = factories.make_address(buurten["west"], postcode="6499ZZ", huisnummer=77)
    address.straat = SECRET_STREET
    address.save()
    return anna


def search(client, **data: str):
    return client.post("/", data)


def find(number: str):
    return find_officers(postcode="6411NH", house_number=parse_house_number(number))


def test_a_search_is_one_query_cold_or_warm(anna, django_assert_num_queries):
    # The address, its buurt and its officers come in one query: nothing to fetch or cache.
    with django_assert_num_queries(1):
        first = find("13E")
    with django_assert_num_queries(1):
        second = find("15")
    assert first.outcome == second.outcome == Outcome.ONE_OFFICER
    assert [officer.slug for officer in second.officers] == ["anna-voorbeeld"]
    assert second.buurt.code == "BU00010001"
    assert second.address.huisnummer == 15


def test_the_form_search_costs_one_query(client, anna, django_assert_num_queries):
    search(client, postcode="6411NH", huisnummer="13E")
    # The address, and the search limit's count in the counters table.
    with django_assert_num_queries(2):
        response = search(client, postcode="6411NH", huisnummer="15")
    assert response.status_code == 303
    assert response["Location"] == "/wijkagent/anna-voorbeeld/?buurt=BU00010001"


def test_a_new_assignment_shows_in_the_very_next_search(client, anna, buurten):
    assert search(client, postcode="6411NH", huisnummer="13E")["Location"].startswith(
        "/wijkagent/anna-voorbeeld/"
    )
    bram = factories.make_officer("Aad Eerder", slug="aad-eerder")
    factories.assign(bram, buurten["west"], role=Assignment.Role.DEPUTY)
    assert search(client, postcode="6411NH", huisnummer="13E")["Location"] == (
        "/buurt/BU00010001/?gezocht=1"
    )


def test_an_unpublished_officer_is_gone_from_the_very_next_search(client, anna):
    search(client, postcode="6411NH", huisnummer="13E")
    anna.is_published = False
    anna.save()
    assert search(client, postcode="6411NH", huisnummer="13E")["Location"] == (
        "/buurt/BU00010001/?gezocht=1"
    )


def test_a_renamed_buurt_shows_in_the_very_next_api_lookup(client, anna, buurten):
    url = "/api/v1/lookup?postcode=6411NH&huisnummer=13&huisletter=E"
    assert client.get(url).json()["buurt"]["name"] == "West"
    buurten["west"].name = "Westpoort"
    buurten["west"].save()
    assert client.get(url).json()["buurt"]["name"] == "Westpoort"


def test_no_address_ever_enters_the_cache(client, anna):
    search(client, postcode="6499ZZ", huisnummer="77")
    search(client, postcode="6499ZZ", huisnummer="78")  # unknown: nothing to cache either
    client.get("/api/v1/lookup?postcode=6499ZZ&huisnummer=77")
    stored = [key.encode() + value for key, value in cache._cache.items()]
    assert stored, "the lookup cached nothing at all, so this test proves nothing"
    for item in stored:
        assert b"6499" not in item
        assert SECRET_STREET.encode() not in item
    # The buurt and its officers were cached: they are what every resident shares.
    assert any(b"West" in item for item in stored)
    assert any(b"anna-voorbeeld" in item for item in stored)


def test_the_search_lists_officers_as_the_buurt_page_does(anna, buurten):
    """The search's own query and officers_for_buurt (buurt page, API) must agree: the wijkagent
    first, then deputies A-Z, each officer once, and only those assigned and published today."""
    west = buurten["west"]
    zoe = factories.make_officer("Zoë Later", slug="zoe-later")
    bram = factories.make_officer("Aad Eerder", slug="aad-eerder")
    # A-Z as residents read it: "de Vries" between "Aad" and "Zoë", not after both.
    de_vries = factories.make_officer("de Vries", slug="de-vries")
    for officer in (zoe, bram, de_vries):
        factories.assign(officer, west, role=Assignment.Role.DEPUTY)
    # Aad twice (two overlapping periods), a hidden deputy, and one whose term has ended.
    factories.assign(bram, west, role=Assignment.Role.DEPUTY, valid_from=dt.date(2021, 1, 1))
    factories.assign(
        factories.make_officer("Verborgen Agent", is_published=False),
        west,
        role=Assignment.Role.DEPUTY,
    )
    factories.assign(factories.make_officer("Oud Agent"), west, valid_until=dt.date(2021, 1, 1))
    result = find("13E")
    assert result.outcome == Outcome.SEVERAL_OFFICERS
    expected = ["anna-voorbeeld", "aad-eerder", "de-vries", "zoe-later"]
    assert [officer.slug for officer in result.officers] == expected
    roles = ["primary", "deputy", "deputy", "deputy"]
    assert [officer.role for officer in result.officers] == roles
    assert [officer.slug for officer in officers_for_buurt(west)] == expected
