"""What every answer shares: ETag and 304, Cache-Control, CORS, methods, unknown paths."""

from __future__ import annotations

import pytest

from tests import factories

PATHS = [
    "/api/v1/lookup?postcode=6411NH&huisnummer=13&huisletter=E",
    "/api/v1/point?lat=50.905&lon=5.905",
    "/api/v1/officers",
    "/api/v1/officers/anna-voorbeeld",
    "/api/v1/buurten/BU00010001",
    "/api/v1/buurten/BU00010001.geojson",
    "/api/v1/stations",
    "/api/v1/openapi.json",
]


@pytest.mark.parametrize("path", PATHS)
def test_an_etag_gives_a_304_without_a_body(client, register, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 20
    assert first["Access-Control-Allow-Origin"] == "*"
    assert first["Cache-Control"]
    again = client.get(path, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == first["Cache-Control"]
    assert again["Access-Control-Allow-Origin"] == "*"


def test_the_etag_is_a_hash_of_the_body(client, register):
    first = client.get("/api/v1/officers/anna-voorbeeld")
    assert client.get("/api/v1/officers/anna-voorbeeld")["ETag"] == first["ETag"]
    anna = register["anna"]
    anna.rank = "Brigadier"
    anna.save()
    changed = client.get(
        "/api/v1/officers/anna-voorbeeld", headers={"if-none-match": first["ETag"]}
    )
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert changed.json()["rank"] == "Brigadier"


def test_if_none_match_lists_and_weak_tags(client, register):
    etag = client.get("/api/v1/stations")["ETag"]
    for header in (f'"other", {etag}', f"W/{etag}", "*"):
        assert client.get("/api/v1/stations", headers={"if-none-match": header}).status_code == 304
    assert client.get("/api/v1/stations", headers={"if-none-match": '"x"'}).status_code == 200


def test_cache_control_per_kind_of_answer(client, register):
    assert client.get(PATHS[0])["Cache-Control"] == "private, max-age=60"
    assert client.get(PATHS[1])["Cache-Control"] == "private, max-age=60"
    assert client.get("/api/v1/stations")["Cache-Control"] == "public, max-age=300"
    assert client.get("/api/v1/openapi.json")["Cache-Control"] == "public, max-age=3600"


def test_errors_are_never_cached_and_carry_an_etag(client, register):
    response = client.get("/api/v1/lookup?postcode=nope")
    assert response["Cache-Control"] == "no-store"
    assert response["ETag"]
    assert response["Access-Control-Allow-Origin"] == "*"
    again = client.get("/api/v1/lookup?postcode=nope", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 400


def test_a_preflight_is_answered(client, db):
    response = client.options(
        "/api/v1/lookup",
        headers={"origin": "https://app.example", "access-control-request-method": "GET"},
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_other_methods_are_not_allowed(client, db, method):
    response = getattr(client, method)("/api/v1/stations")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "method-not-allowed"


def test_a_post_needs_no_csrf_token_to_be_refused_cleanly(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/v1/lookup", {"postcode": "6411NH"})
    assert response.status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/",
        "/api/v1/nothing",
        "/api/v1/officers/",
        "/api/v1/stations/-1",
        "/api/v1/buurten/\n",
    ],
)
def test_unknown_paths_are_problem_documents(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not-found"


def test_head_answers_like_get(client, register):
    factories.make_station("Bureau Oost")
    response = client.head("/api/v1/stations")
    assert response.status_code == 200
    assert response["ETag"] == client.get("/api/v1/stations")["ETag"]
