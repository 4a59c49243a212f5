"""GET /api/v1/stations and /stations/<id>: address, location and opening hours."""

from __future__ import annotations

import datetime as dt

from officers.models import ClosingDay, OpeningHours
from tests import factories


def test_the_stations_with_hours_and_closing_days(client, register):
    station = register["station"]
    OpeningHours.objects.create(
        station=station, weekday=4, opens=dt.time(13, 0), closes=dt.time(16, 30)
    )
    ClosingDay.objects.create(station=station, date=dt.date.today() + dt.timedelta(days=3))
    ClosingDay.objects.create(station=station, date=dt.date.today() - dt.timedelta(days=3))
    factories.make_station("Bureau Oost", lon=5.915, lat=50.905)
    response = client.get("/api/v1/stations")
    assert response.status_code == 200
    stations = response.json()["stations"]
    assert [s["name"] for s in stations] == ["Bureau Oost", "Bureau West"]
    west = stations[1]
    assert west["id"] == station.pk
    assert west["address"] == {
        "street": "Stationstraat 13 E",
        "postcode": "6411NH",
        "city": "Heerlen",
    }
    assert west["location"] == {"lat": 50.905, "lon": 5.905}
    assert west["opening_hours"] == [
        {"weekday": "monday", "opens": "09:00", "closes": "17:00"},
        {"weekday": "friday", "opens": "13:00", "closes": "16:30"},
    ]
    assert len(west["closing_days"]) == 1


def test_one_station(client, register):
    station = register["station"]
    response = client.get(f"/api/v1/stations/{station.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "Bureau West"


def test_by_appointment_only_shows_no_hours(client, register):
    station = register["station"]
    station.by_appointment_only = True
    station.save()
    answer = client.get(f"/api/v1/stations/{station.pk}").json()
    assert answer["by_appointment_only"] is True
    assert answer["opening_hours"] == []


def test_an_unknown_station_is_not_found(client, register):
    for path in ("/api/v1/stations/999999", f"/api/v1/stations/{2**64}", "/api/v1/stations/x"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not-found"


def test_the_stations_take_a_fixed_number_of_queries(
    client, register, django_assert_max_num_queries
):
    for number in range(10):
        factories.make_station(f"Bureau {number}")
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/stations")
    assert len(response.json()["stations"]) == 11


def test_one_station_takes_a_fixed_number_of_queries(
    client, register, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get(f"/api/v1/stations/{register['station'].pk}")
    assert response.json()["opening_hours"]
