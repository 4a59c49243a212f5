"""Fixtures for the site-wide tests: an officer with a buurt and an address, and a clean cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests import factories


@pytest.fixture(autouse=True)
def clean_cache():
    """Throttling counters and cached pages live in the cache; no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def officer(buurten):
    station = factories.make_station()
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", station=station)
    factories.assign(officer, buurten["west"])
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13, huisletter="E")
    return officer
