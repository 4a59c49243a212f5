"""GET /api/v1/lookup with the shared cache on: the buurt's part of the answer is built once per
generation, and rebuilt when staff save or when it changes by itself (an event ends, a new day)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from officers.models import Event

WEST = "/api/v1/lookup?postcode=6411NH&huisnummer=13&huisletter=E"
WEST_OTHER = "/api/v1/lookup?postcode=6411NH&huisnummer=15"


@pytest.fixture(autouse=True)
def shared_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


def test_a_warm_lookup_costs_one_query(client, register, django_assert_num_queries):
    cold = client.get(WEST).json()
    # The address, and the rate limit's count in the counters table.
    with django_assert_num_queries(2):
        warm = client.get(WEST_OTHER).json()
    assert warm["address"]["huisnummer"] == 15
    assert warm["buurt"] == cold["buurt"]
    assert warm["officers"] == cold["officers"]
    assert warm["station"] == cold["station"]


def test_each_address_keeps_its_own_address_part(client, register):
    first = client.get(WEST).json()
    second = client.get(WEST_OTHER).json()
    assert (first["address"]["huisletter"], second["address"]["huisletter"]) == ("E", "")


def test_a_staff_save_shows_in_the_very_next_lookup(client, register):
    assert client.get(WEST).json()["officers"][0]["rank"] == "Hoofdagent"
    register["anna"].rank = "Brigadier"
    register["anna"].save()
    assert client.get(WEST).json()["officers"][0]["rank"] == "Brigadier"


def test_each_host_has_its_own_answer(client, register, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver", "localhost"]
    assert client.get(WEST).json()["buurt"]["url"] == "http://testserver/buurt/BU00010001/"
    other_host = client.get(WEST, HTTP_HOST="localhost").json()
    assert other_host["buurt"]["url"] == "http://localhost/buurt/BU00010001/"


def test_an_event_that_ends_leaves_the_cached_answer(client, register, monkeypatch):
    now = timezone.now()
    Event.objects.create(
        officer=register["anna"],
        title="Spreekuur",
        place="Buurthuis",
        starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(minutes=30),
    )
    assert [e["title"] for e in client.get(WEST).json()["officers"][0]["events"]] == ["Spreekuur"]
    later = now + dt.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(WEST).json()["officers"][0]["events"] == []


def test_a_new_day_leaves_the_cached_answer(client, register, monkeypatch):
    client.get(WEST)
    register["anna"].assignments.update(valid_until=timezone.localdate())  # no signal
    assert [o["slug"] for o in client.get(WEST).json()["officers"]] == ["anna-voorbeeld"]
    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    assert client.get(WEST).json()["officers"] == []


def test_a_cached_answer_is_the_same_bytes_as_a_fresh_one(client, register):
    cold = client.get(WEST)
    warm = client.get(WEST)
    assert warm.content == cold.content
    assert warm["ETag"] == cold["ETag"]
    assert list(warm.json()) == [
        "postcode",
        "match",
        "address",
        "buurt",
        "officers",
        "station",
        "nearby",
    ]
