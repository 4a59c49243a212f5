"""Shared data for the API tests: the hand-drawn buurten with officers, channels, a station."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from officers.models import Absence, Assignment, ContactChannel, OpeningHours
from tests import factories


@pytest.fixture
def register(buurten: dict[str, Any]) -> dict[str, Any]:
    """West: Anna; east: Bram and deputy Carla; north: nobody; one address outside every buurt."""
    station = factories.make_station("Bureau West", lon=5.905, lat=50.905)
    OpeningHours.objects.create(
        station=station, weekday=0, opens=dt.time(9, 0), closes=dt.time(17, 0)
    )
    anna = factories.make_officer(
        "Anna Voorbeeld", slug="anna-voorbeeld", rank="Hoofdagent", station=station
    )
    factories.assign(anna, buurten["west"])
    factories.add_channel(anna, ContactChannel.Kind.PHONE, "0900-8844")
    factories.add_channel(anna, ContactChannel.Kind.PHONE, "06-99999999", public=False)
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    carla = factories.make_officer("Carla Fictief", slug="carla-fictief")
    factories.assign(bram, buurten["east"])
    factories.assign(carla, buurten["east"], role=Assignment.Role.DEPUTY)
    hidden = factories.make_officer("Verborgen Agent", slug="verborgen-agent", is_published=False)
    factories.assign(hidden, buurten["west"])
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13, huisletter="E")
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13)
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=15)
    factories.make_address(buurten["east"], postcode="6412AA", huisnummer=2, toevoeging="2")
    factories.make_address(buurten["north"], postcode="6413BB", huisnummer=7)
    factories.make_address(buurten["west"], postcode="6414CC", huisnummer=1)
    factories.make_address(buurten["east"], postcode="6414CC", huisnummer=3)
    factories.make_address(None, postcode="6415DD", huisnummer=9)
    return {"anna": anna, "bram": bram, "carla": carla, "hidden": hidden, "station": station}


@pytest.fixture
def away(register: dict[str, Any]) -> Absence:
    """Anna is away this week; Carla stands in."""
    today = dt.date.today()
    return Absence.objects.create(
        officer=register["anna"],
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=6),
        deputy=register["carla"],
    )
