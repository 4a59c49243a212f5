"""Small builders for test data. Geometry is drawn by hand: squares near Heerlen, 0.01 degree wide."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from neighbourhoods.models import Address, Buurt, Dataset, Municipality, Wijk
from officers.models import Assignment, ContactChannel, Officer, Station

WEST, SOUTH = 5.90, 50.90
STEP = 0.01
_counter = itertools.count(1)


def square(col: int, row: int) -> Polygon:
    """The unit square at grid position (col, row), counter-clockwise, in WGS84 degrees."""
    x, y = WEST + col * STEP, SOUTH + row * STEP
    return box(x, y, x + STEP, y + STEP)


def corner(col: int, row: int) -> tuple[float, float]:
    """(lon, lat) of the south-west corner of grid square (col, row)."""
    return (WEST + col * STEP, SOUTH + row * STEP)


def centre(col: int, row: int) -> tuple[float, float]:
    return (WEST + (col + 0.5) * STEP, SOUTH + (row + 0.5) * STEP)


def make_dataset(name: str = "test-dataset", *, active: bool = True) -> Dataset:
    return Dataset.objects.create(name=name, is_active=active)


def make_wijk(dataset: Dataset, code: str = "WK000101", name: str = "Testwijk") -> Wijk:
    municipality, _ = Municipality.objects.get_or_create(
        code="GM" + code[2:6], defaults={"name": "Testgemeente"}
    )
    wijk, _ = Wijk.objects.get_or_create(
        dataset=dataset, code=code, defaults={"name": name, "municipality": municipality}
    )
    return wijk


def make_buurt(
    dataset: Dataset,
    code: str,
    geometry: Polygon | MultiPolygon,
    *,
    name: str | None = None,
) -> Buurt:
    wijk = make_wijk(dataset, "WK" + code[2:8])
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    label = shapely.point_on_surface(geometry)
    return Buurt.objects.create(
        dataset=dataset,
        wijk=wijk,
        code=code,
        name=name or f"Buurt {code[-2:]}",
        boundary=shapely.to_wkb(geometry),
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
        label_lon=label.x,
        label_lat=label.y,
    )


def make_address(
    buurt: Buurt | None,
    *,
    postcode: str = "6411NH",
    huisnummer: int = 13,
    huisletter: str = "",
    toevoeging: str = "",
    lon: float | None = None,
    lat: float | None = None,
) -> Address:
    if lon is None or lat is None:
        lon, lat = (buurt.label_lon, buurt.label_lat) if buurt else (4.0, 52.0)
    return Address.objects.create(
        postcode=postcode,
        huisnummer=huisnummer,
        huisletter=huisletter,
        huisnummertoevoeging=toevoeging,
        straat="Teststraat",
        woonplaats="Heerlen",
        lat=lat,
        lon=lon,
        buurt=buurt,
    )


def make_officer(name: str | None = None, **fields: Any) -> Officer:
    number = next(_counter)
    name = name or f"Agent Nummer{number}"
    fields.setdefault("slug", f"{name.lower().replace(' ', '-')}-{number}")
    fields.setdefault("is_published", True)
    return Officer.objects.create(name=name, **fields)


def assign(
    officer: Officer,
    buurt: Buurt,
    *,
    role: str = Assignment.Role.PRIMARY,
    valid_from: dt.date = dt.date(2020, 1, 1),
    valid_until: dt.date | None = None,
) -> Assignment:
    return Assignment.objects.create(
        officer=officer, buurt=buurt, role=role, valid_from=valid_from, valid_until=valid_until
    )


def add_channel(officer: Officer, kind: str, value: str, *, public: bool = True) -> ContactChannel:
    return ContactChannel.objects.create(officer=officer, kind=kind, value=value, is_public=public)


def make_station(name: str = "Bureau Test", *, lon: float = 5.905, lat: float = 50.905) -> Station:
    return Station.objects.create(
        name=name,
        street_address="Stationstraat 13 E",
        postcode="6411NH",
        city="Heerlen",
        lat=lat,
        lon=lon,
    )
