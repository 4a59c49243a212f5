"""GET /api/v1/point: the buurt that covers a point, with covers semantics and the tie-break."""

from __future__ import annotations

import pytest

from tests import factories

POINT = "/api/v1/point"


def point(client, lon: float, lat: float):
    return client.get(POINT, {"lat": repr(lat), "lon": repr(lon)})


def test_a_point_inside_a_buurt(client, register):
    lon, lat = factories.centre(0, 0)
    response = point(client, lon, lat)
    assert response.status_code == 200
    answer = response.json()
    assert answer["location"] == {"lat": lat, "lon": lon}
    assert answer["buurt"]["code"] == "BU00010001"
    assert answer["buurt"]["wijk"]["code"] == "WK000100"
    assert [officer["slug"] for officer in answer["officers"]] == ["anna-voorbeeld"]
    assert answer["station"]["name"] == "Bureau West"


def test_a_point_on_a_shared_edge_goes_to_the_lowest_code(client, register):
    lon, _ = factories.corner(1, 0)
    _, lat = factories.centre(1, 0)
    assert point(client, lon, lat).json()["buurt"]["code"] == "BU00010001"


def test_a_point_in_a_buurt_without_officers(client, register):
    answer = point(client, *factories.centre(0, 1)).json()
    assert answer["buurt"]["code"] == "BU00010003"
    assert answer["officers"] == []


def test_a_point_outside_every_buurt_is_a_null_buurt(client, register):
    response = point(client, *factories.centre(1, 1))
    assert response.status_code == 200
    assert response.json()["buurt"] is None
    assert response.json()["officers"] == []
    assert response.json()["station"] is None


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"lat": "50.9"},
        {"lat": "50.9", "lon": ""},
        {"lat": "91", "lon": "5.9"},
        {"lat": "50.9", "lon": "-180.5"},
        {"lat": "nan", "lon": "5.9"},
        {"lat": "inf", "lon": "5.9"},
        {"lat": "5_0", "lon": "5.9"},
        {"lat": " 50.9", "lon": "5.9"},
        {"lat": "50,9", "lon": "5,9"},
    ],
)
def test_invalid_coordinates(client, register, query):
    response = client.get(POINT, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid-coordinates"


def test_the_point_takes_a_bounded_number_of_queries(
    client, register, django_assert_max_num_queries
):
    point(client, *factories.centre(0, 0))  # builds the process's index once
    # Dataset, buurt, officers and four prefetches, the nearest station and three for its details,
    # and the rate limit's count.
    with django_assert_max_num_queries(12):
        response = point(client, *factories.centre(1, 0))
    assert len(response.json()["officers"]) == 2
