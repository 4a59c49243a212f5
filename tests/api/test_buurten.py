"""GET /api/v1/buurten/<code> and its boundary as an RFC 7946 Feature."""

from __future__ import annotations

import shapely
from shapely.geometry import shape

from tests import factories


def test_a_buurt_with_its_officers_and_station(client, register):
    response = client.get("/api/v1/buurten/BU00010002")
    assert response.status_code == 200
    answer = response.json()
    assert answer["code"] == "BU00010002"
    assert answer["name"] == "Oost"
    assert answer["geojson_url"] == "http://testserver/api/v1/buurten/BU00010002.geojson"
    assert [(o["slug"], o["role"]) for o in answer["officers"]] == [
        ("bram-verzonnen", "primary"),
        ("carla-fictief", "deputy"),
    ]
    assert answer["station"]["name"] == "Bureau West"


def test_the_code_is_case_insensitive(client, register):
    assert client.get("/api/v1/buurten/bu00010001").json()["code"] == "BU00010001"


def test_a_buurt_without_officers(client, register):
    response = client.get("/api/v1/buurten/BU00010003")
    assert response.status_code == 200
    assert response.json()["officers"] == []


def test_an_unknown_or_retired_buurt_is_not_found(client, register):
    old = factories.make_dataset("older", active=False)
    factories.make_buurt(old, "BU00019999", factories.square(5, 5))
    for path in (
        "/api/v1/buurten/BU00019999",
        "/api/v1/buurten/BU00019999.geojson",
        "/api/v1/buurten/XX",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not-found"


def test_the_boundary_is_an_rfc_7946_feature(client, register):
    response = client.get("/api/v1/buurten/BU00010001.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["id"] == "BU00010001"
    assert feature["properties"]["name"] == "West"
    assert feature["properties"]["wijk"] == "WK000100"
    geometry = shape(feature["geometry"])
    assert geometry.equals(factories.square(0, 0))
    assert feature["bbox"] == list(factories.square(0, 0).bounds)
    exterior = feature["geometry"]["coordinates"][0]
    assert exterior[0] == exterior[-1]
    assert shapely.LinearRing(exterior).is_ccw


def test_clockwise_rings_are_turned_around(client, dataset):
    clockwise = shapely.Polygon(list(factories.square(3, 3).exterior.coords)[::-1])
    assert not clockwise.exterior.is_ccw
    factories.make_buurt(dataset, "BU00010009", clockwise)
    feature = client.get("/api/v1/buurten/BU00010009.geojson").json()
    assert shapely.LinearRing(feature["geometry"]["coordinates"][0]).is_ccw


def test_a_buurt_takes_a_bounded_number_of_queries(client, register, django_assert_max_num_queries):
    # With the priorities of the buurt and of its officers' areas.
    with django_assert_max_num_queries(12):
        client.get("/api/v1/buurten/BU00010002")
    with django_assert_max_num_queries(1):
        client.get("/api/v1/buurten/BU00010002.geojson")
