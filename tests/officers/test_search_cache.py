"""The search with the shared cache on: one query per search, staff saves seen at once, and no
address ever in the cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from officers.finding import Finding, find_officers_for_address
from officers.models import Assignment
from tests import factories
from wijkportaal.cache import local_entries

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


def test_a_search_costs_one_query_once_the_buurt_is_cached(anna, django_assert_num_queries):
    # Cold: the address, then the buurt and its officers (each cached for the next search).
    with django_assert_num_queries(3):
        first = find_officers_for_address(postcode="6411NH", huisnummer="13", toevoeging="E")
    # Warm: another address of the same buurt needs only the register probe.
    with django_assert_num_queries(1):
        second = find_officers_for_address(postcode="6411NH", huisnummer="15")
    assert first.finding == second.finding == Finding.ONE_OFFICER
    assert [officer.slug for officer in second.officers] == ["anna-voorbeeld"]
    assert second.buurt.code == "BU00010001"
    assert second.buurt.wijk.municipality.name == "Testgemeente"
    assert second.address.buurt == second.buurt


def test_the_form_search_costs_one_query_once_warm(client, anna, django_assert_num_queries):
    search(client, postcode="6411NH", huisnummer="13E")
    with django_assert_num_queries(1):
        response = search(client, postcode="6411NH", huisnummer="15")
    assert response.status_code == 303
    assert response["Location"] == "/wijkagent/anna-voorbeeld/?buurt=BU00010001"


def test_a_new_assignment_shows_in_the_very_next_search(client, anna, buurten):
    assert search(client, postcode="6411NH", huisnummer="13E")["Location"].startswith(
        "/wijkagent/anna-voorbeeld/"
    )
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
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
    stored += [key.encode() + entry[2] for key, entry in local_entries._entries.items()]
    assert stored, "the lookup cached nothing at all, so this test proves nothing"
    for item in stored:
        assert b"6499" not in item
        assert SECRET_STREET.encode() not in item
    # The buurt and its officers were cached: they are what every resident shares.
    assert any(b"West" in item for item in stored)
    assert any(b"anna-voorbeeld" in item for item in stored)
