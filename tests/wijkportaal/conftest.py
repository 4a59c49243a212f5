"""Fixtures for the site-wide tests: an officer with a buurt and an address."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def officer(buurten):
    station = factories.make_station()
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", station=station)
    factories.assign(officer, buurten["west"])
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13, huisletter="E")
    return officer
