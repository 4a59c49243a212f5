"""The OpenAPI document: valid OpenAPI 3.1, served as is, and describing every route and error."""

from __future__ import annotations

import re

from django.urls import URLPattern, get_resolver
from openapi_spec_validator import validate

from api import urls as api_urls
from api.openapi import openapi_document
from api.problems import TITLES
from officers.models import Assignment, ContactChannel, Event, OpeningHours

CONVERTER_RE = re.compile(r"<(?:\w+:)?(\w+)>")


def _documented_path(route: str) -> str:
    """Django's `buurten/<buurt_code:code>.geojson` is OpenAPI's `/buurten/{code}.geojson`."""
    path = "/" + CONVERTER_RE.sub(r"{\1}", route)
    return path.replace("{station_id}", "{id}")


def test_the_document_is_valid_openapi_3_1():
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_the_served_document_is_the_document(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == openapi_document()


def test_every_route_is_documented_and_nothing_else():
    routes = {
        _documented_path(str(pattern.pattern))
        for pattern in api_urls.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name != "unknown"
    }
    assert routes == set(openapi_document()["paths"])


def test_the_api_is_mounted_at_v1():
    resolver = get_resolver()
    assert resolver.resolve("/api/v1/lookup").url_name == "lookup"
    assert resolver.resolve("/api/v1/lookup").namespace == "api"


def test_every_error_code_is_documented():
    document = openapi_document()
    assert set(document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]) == set(
        TITLES
    )
    text = str(document)
    for code in TITLES:
        assert f"`{code}`" in text, code


def test_every_operation_documents_304_and_the_shared_headers():
    for path, item in openapi_document()["paths"].items():
        responses = item["get"]["responses"]
        assert "304" in responses, path
        for status, response in responses.items():
            if "$ref" in response:
                continue
            assert {"ETag", "Cache-Control", "Access-Control-Allow-Origin"} <= set(
                response["headers"]
            ), (path, status)


def test_the_document_needs_no_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/api/v1/openapi.json").status_code == 200


def test_every_value_the_models_store_is_documented():
    schemas = openapi_document()["components"]["schemas"]
    officer = schemas["Officer"]["properties"]
    item = officer["channels"]["items"]["properties"]
    assert set(item["kind"]["enum"]) == set(ContactChannel.Kind.values)
    assert set(officer["role"]["enum"]) == set(Assignment.Role.values)
    assert set(officer["buurten"]["items"]["properties"]["role"]["enum"]) == set(
        Assignment.Role.values
    )
    assert set(officer["events"]["items"]["properties"]["recurrence"]["enum"]) == set(
        Event.Recurrence.values
    )
    hours = schemas["Station"]["properties"]["opening_hours"]["items"]["properties"]
    assert len(hours["weekday"]["enum"]) == len(OpeningHours.Weekday.values) == 7
