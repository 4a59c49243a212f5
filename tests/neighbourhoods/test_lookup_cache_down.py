"""The lookup's cached lists (places, streets) are built afresh when the cache is down: Redis being
away costs speed, never the home page or the street search."""

from django.core.cache import cache

from neighbourhoods.streets import served_places, streets_in
from tests import factories


def test_places_and_streets_are_answered_without_the_cache(buurten, monkeypatch):
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13)

    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to Redis. Connection refused.")

    monkeypatch.setattr(cache, "get", refuse)
    monkeypatch.setattr(cache, "set", refuse)
    assert served_places() == ["Heerlen"]
    assert streets_in("Heerlen") == ["Teststraat"]
