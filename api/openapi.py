"""The OpenAPI 3.1 description of the API, written by hand as data and served at /api/v1/openapi.json.

The parameter patterns come from `parameters.py`, which the views check against, and every enum
from the models' choices, so the document and the server cannot drift apart; a test checks that
every route is described.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import models

from officers.models import Assignment, ContactChannel, Event, OpeningHours, Priority

from . import parameters
from .problems import PROBLEM_TYPE_PREFIX, TITLES

API_VERSION = "1.0.0"

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
GEO_JSON = "application/geo+json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def _string(description: str = "", **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", **extra}
    if description:
        schema["description"] = description
    return schema


def _object(properties: dict[str, Any], *, description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


def _choice(choices: type[models.Choices], description: str = "") -> dict[str, Any]:
    """A string enum of the values a model stores, so a new choice is documented when it is added."""
    return _string(description, enum=[str(value) for value in choices.values])


URL = _string(format="uri")

SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "An error (RFC 9457). Branch on `code`; `title` and `detail` are for people.",
        "required": ["type", "status", "title", "detail", "code"],
        "properties": {
            "type": _string("`urn:wijkportaal:problem:` followed by the code.", format="uri"),
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "title": _string(),
            "detail": _string("What went wrong and what to do, in the requested language."),
            "code": {"type": "string", "enum": sorted(TITLES)},
        },
    },
    "AddressNotFoundProblem": {
        "allOf": [
            _ref("Problem"),
            {
                "type": "object",
                "required": ["alternatives"],
                "properties": {
                    "alternatives": {
                        "type": "array",
                        "description": "The addresses that do exist at this house number, when "
                        "only the letter or addition is unknown; empty otherwise.",
                        "items": _ref("Address"),
                    }
                },
            },
        ]
    },
    "ServiceUnavailableProblem": {
        "allOf": [
            _ref("Problem"),
            {
                "type": "object",
                "required": ["emergency_number", "police_number"],
                "properties": {
                    "emergency_number": _string("Call it in an emergency.", const="112"),
                    "police_number": _string("The police for anything else.", const="0900-8844"),
                },
            },
        ]
    },
    "OutsideCoverageProblem": {
        "allOf": [
            _ref("Problem"),
            {
                "type": "object",
                "required": ["covered_municipalities"],
                "properties": {
                    "covered_municipalities": {
                        "type": "array",
                        "description": "What the portal covers: the municipalities of the "
                        "current boundaries, each with its places (woonplaatsen).",
                        "items": _ref("CoveredMunicipality"),
                    }
                },
            },
        ]
    },
    "LookupNotFoundProblem": {
        "oneOf": [_ref("AddressNotFoundProblem"), _ref("OutsideCoverageProblem")],
        "description": "`address-not-found` (with `alternatives`) or `outside-coverage` (with "
        "`covered_municipalities`).",
    },
    "CoveredMunicipality": _object(
        {
            "code": _string("The gemeentecode.", examples=["GM0917"]),
            "name": _string(examples=["Heerlen"]),
            "places": {
                "type": "array",
                "description": "Its places (woonplaatsen), A-Z.",
                "items": _string(),
            },
        }
    ),
    "RateLimitedProblem": {
        "allOf": [
            _ref("Problem"),
            {
                "type": "object",
                "required": ["retry_after"],
                "properties": {"retry_after": {"type": "integer", "minimum": 1}},
            },
        ]
    },
    "Address": _object(
        {
            "straat": _string(),
            "huisnummer": {"type": "integer", "minimum": 1},
            "huisletter": _string("Empty when the address has none.", maxLength=1),
            "toevoeging": _string("Huisnummertoevoeging; empty when none.", maxLength=4),
            "postcode": _string(
                "Normalised: four digits, two capitals.", pattern="^[0-9]{4}[A-Z]{2}$"
            ),
            "woonplaats": _string(),
        },
        description="An address of the BAG register.",
    ),
    "AreaReference": _object({"code": _string(), "name": _string()}),
    "Buurt": _object(
        {
            "code": _string("CBS buurtcode, e.g. BU09173300."),
            "name": _string(),
            "url": {**URL, "description": "The buurt's page for residents."},
            "api_url": URL,
            "geojson_url": URL,
            "wijk": _ref("AreaReference"),
            "municipality": _ref("AreaReference"),
        }
    ),
    "OfficerReference": _object(
        {"slug": _string(), "name": _string(), "profile_url": URL, "api_url": URL}
    ),
    "Officer": {
        "type": "object",
        "required": [
            "slug",
            "name",
            "profile_url",
            "api_url",
            "rank",
            "is_fictional",
            "photo",
            "buurten",
            "channels",
            "station",
            "absence",
            "events",
            "priorities",
        ],
        "properties": {
            "slug": _string(),
            "name": _string(),
            "profile_url": {**URL, "description": "The officer's profile page for residents."},
            "api_url": URL,
            "rank": _string(),
            "is_fictional": {"type": "boolean", "description": "Demo data: no such person."},
            "photo": _object(
                {
                    "url": _nullable(URL),
                    "alt": _string("Describes the photo; empty without a photo."),
                }
            ),
            "buurten": {
                "type": "array",
                "description": "The officer's area today: buurten of the current boundaries.",
                "items": _object(
                    {
                        "code": _string(),
                        "name": _string(),
                        "role": _choice(Assignment.Role),
                    }
                ),
            },
            "channels": {
                "type": "array",
                "description": "Public ways to reach the officer, in the order staff chose.",
                "items": _object(
                    {
                        "kind": _choice(ContactChannel.Kind),
                        "value": _string(),
                        "href": _string("A tel:, mailto: or https: link to follow."),
                    }
                ),
            },
            "station": _nullable(
                _object({"id": {"type": "integer"}, "name": _string(), "api_url": URL})
            ),
            "absence": _nullable(
                _object(
                    {
                        "starts_on": _string(format="date"),
                        "ends_on": _string(format="date"),
                        "deputy": _nullable(_ref("OfficerReference")),
                    },
                    description="The officer is away today; contact the deputy meanwhile. "
                    "No deputy (null) when none is published or the deputy is away too: "
                    "residents call 0900-8844 then.",
                )
            ),
            "events": {
                "type": "array",
                "description": "Upcoming spreekuren and meetings: the next sitting of each, soonest first.",
                "items": _object(
                    {
                        "title": _string(),
                        "place": _string(),
                        "starts_at": _string(format="date-time"),
                        "ends_at": _string(format="date-time"),
                        "recurrence": _choice(Event.Recurrence),
                        "repeat_until": _nullable(_string(format="date")),
                        "cancelled": {
                            "type": "boolean",
                            "description": "This sitting does not take place: the officer is "
                            "away that day.",
                        },
                    }
                ),
            },
            "priorities": {
                "type": "array",
                "description": "Priorities of the officer's buurten and their wijken: open ones "
                "first, then those closed in the last year; each group newest update first.",
                "items": _ref("Priority"),
            },
            "role": _choice(
                Assignment.Role, "Only in answers about one buurt: the officer's role there."
            ),
        },
    },
    "Priority": _object(
        {
            "id": {"type": "integer"},
            "title": _string(),
            "area": _object(
                {
                    "kind": _string(
                        "A priority of one buurt, or of every buurt of a wijk.",
                        enum=["buurt", "wijk"],
                    ),
                    "code": _string("CBS code of the buurt or wijk."),
                    "name": _string(),
                }
            ),
            "status": _choice(Priority.Status),
            "issue": _string("What the issue is."),
            "action": _string("What the police and partners do about it."),
            "outcome": _string("What was done; empty while the priority is open."),
            "opened_on": _string(format="date"),
            "last_update_on": _string(
                "The newest update's date, or the opening date.", format="date"
            ),
            "closed_on": _nullable(_string(format="date")),
            "updates": {
                "type": "array",
                "description": "Dated updates, newest first.",
                "items": _object({"date": _string(format="date"), "text": _string()}),
            },
        },
        description="An aandachtspunt: what the police works on in a buurt or wijk. Closed "
        "ones are shown for a year after closing.",
    ),
    "Station": _object(
        {
            "id": {"type": "integer"},
            "name": _string(),
            "api_url": URL,
            "address": _object({"street": _string(), "postcode": _string(), "city": _string()}),
            "location": _ref("Location"),
            "phone": _string(),
            "by_appointment_only": {"type": "boolean"},
            "opening_hours": {
                "type": "array",
                "description": "Weekly hours; empty when the station is open by appointment only.",
                "items": _object(
                    {
                        # Named rather than numbered, so no client guesses where a week starts.
                        "weekday": _string(enum=[day.name.lower() for day in OpeningHours.Weekday]),
                        "opens": _string("Local time, HH:MM.", pattern="^[0-2][0-9]:[0-5][0-9]$"),
                        "closes": _string("Local time, HH:MM.", pattern="^[0-2][0-9]:[0-5][0-9]$"),
                    }
                ),
            },
            "closing_days": {
                "type": "array",
                "description": "Upcoming dates the station is closed whatever its hours say.",
                "items": _object({"date": _string(format="date"), "reason": _string()}),
            },
        }
    ),
    "Location": _object(
        {
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "lon": {"type": "number", "minimum": -180, "maximum": 180},
        },
        description="WGS84 degrees.",
    ),
    "AreaAnswer": _object(
        {
            "buurt": _nullable(_ref("Buurt")),
            "officers": {
                "type": "array",
                "description": "Primary officers first, then deputies; empty when the buurt has none.",
                "items": _ref("Officer"),
            },
            "station": _nullable(_ref("Station")),
        }
    ),
    "LookupAnswer": {
        "allOf": [
            _ref("AreaAnswer"),
            _object(
                {
                    "postcode": _string(
                        "The postcode as normalised.", pattern="^[0-9]{4}[A-Z]{2}$"
                    ),
                    "match": _string(
                        "How the buurt was found: `address`, through an address of the "
                        "address register; `postcode`, through the postcode's centroid, when the "
                        "address register holds no address with the postcode.",
                        enum=["address", "postcode"],
                    ),
                    "address": _nullable(_ref("Address")),
                    "nearby": _nullable(
                        _object(
                            {
                                "buurt": _ref("Buurt"),
                                "officers": {"type": "array", "items": _ref("Officer")},
                            },
                            description="With `match` `postcode` only: another buurt within 50 "
                            "metres of the postcode's centroid, with its officers; the address "
                            "may lie in either.",
                        )
                    ),
                }
            ),
        ],
        "description": "`address` is null when only a postcode was given (all its addresses lie "
        "in one buurt) or when the answer is by postcode; `buurt` is null when the address "
        "lies outside every buurt; `nearby` is null unless a postcode's centroid lies near "
        "another buurt.",
    },
    "PointAnswer": {
        "allOf": [_ref("AreaAnswer"), _object({"location": _ref("Location")})],
        "description": "`buurt` is null when no buurt covers the point: not an error.",
    },
    "BuurtAnswer": {
        "allOf": [
            _ref("Buurt"),
            _object(
                {
                    "officers": {"type": "array", "items": _ref("Officer")},
                    "station": _nullable(_ref("Station")),
                    "priorities": {
                        "type": "array",
                        "description": "Priorities of the buurt and of its wijk.",
                        "items": _ref("Priority"),
                    },
                }
            ),
        ]
    },
    "OfficerPage": _object(
        {
            "count": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "next": _nullable(URL),
            "previous": _nullable(URL),
            "officers": {"type": "array", "items": _ref("Officer")},
        }
    ),
    "StationList": _object({"stations": {"type": "array", "items": _ref("Station")}}),
    "BuurtFeature": {
        "type": "object",
        "description": "An RFC 7946 Feature in WGS84 (lon, lat); exterior rings counter-clockwise.",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "id": _string("The buurtcode."),
            "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
            "geometry": _nullable(
                {
                    "type": "object",
                    "required": ["type", "coordinates"],
                    "properties": {
                        "type": {"enum": ["Polygon", "MultiPolygon"]},
                        "coordinates": {"type": "array"},
                    },
                }
            ),
            "properties": _object(
                {
                    "code": _string(),
                    "name": _string(),
                    "wijk": _string("The wijkcode."),
                    "municipality": _string("The gemeentecode."),
                    "url": URL,
                }
            ),
        },
    },
}

HEADERS: dict[str, Any] = {
    "ETag": {
        "description": "A strong hash of the body. Send it back in If-None-Match to get a 304.",
        "required": True,
        "schema": _string(pattern='^"[0-9a-f]+"$'),
    },
    "Cache-Control": {
        "description": "`private, max-age=60` for lookups (they hold an address), "
        "`public, max-age=300` for officers, buurten and stations, `public, max-age=3600` "
        "for this document and `no-store` for every error.",
        "required": True,
        "schema": _string(),
    },
    "Access-Control-Allow-Origin": {
        "description": "Any web page may call the API.",
        "required": True,
        "schema": {"const": "*"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again: until the rate limit lets lookups "
        "through, or while the service is unavailable.",
        "required": True,
        "schema": _string(pattern="^[1-9][0-9]*$"),
    },
}

_COMMON_HEADERS = {
    name: {"$ref": f"#/components/headers/{name}"}
    for name in ("ETag", "Cache-Control", "Access-Control-Allow-Origin")
}


def _problem_response(
    description: str, codes: list[str], schema: str = "Problem"
) -> dict[str, Any]:
    listed = ", ".join(f"`{code}`" for code in codes)
    return {
        "description": f"{description} Codes: {listed}.",
        "headers": _COMMON_HEADERS,
        "content": {PROBLEM_JSON: {"schema": _ref(schema)}},
    }


def _ok(schema: str, description: str, media_type: str = JSON) -> dict[str, Any]:
    return {
        "description": description,
        "headers": _COMMON_HEADERS,
        "content": {media_type: {"schema": _ref(schema)}},
    }


RESPONSES: dict[str, Any] = {
    "NotModified": {
        "description": "The answer has not changed since the ETag sent in If-None-Match.",
        "headers": _COMMON_HEADERS,
    },
    "NotFound": _problem_response("Nothing is published under this path.", ["not-found"]),
    "ServiceUnavailable": {
        "description": "The service cannot answer for a moment (its database is away). Try again "
        "after Retry-After; in an emergency call 112. Codes: `service-unavailable`.",
        "headers": {
            name: {"$ref": f"#/components/headers/{name}"}
            for name in ("Cache-Control", "Access-Control-Allow-Origin", "Retry-After")
        },
        "content": {PROBLEM_JSON: {"schema": _ref("ServiceUnavailableProblem")}},
    },
    "RateLimited": {
        "description": "Too many lookups from this client address in the current minute. "
        "Codes: `rate-limited`.",
        "headers": {**_COMMON_HEADERS, "Retry-After": {"$ref": "#/components/headers/Retry-After"}},
        "content": {PROBLEM_JSON: {"schema": _ref("RateLimitedProblem")}},
    },
}

PARAMETERS: dict[str, Any] = {
    "IfNoneMatch": {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "The ETag of an answer you hold; a 304 without a body when it still holds.",
        "schema": _string(),
    },
}

_IF_NONE_MATCH = {"$ref": "#/components/parameters/IfNoneMatch"}


def _query(name: str, description: str, schema: dict[str, Any], *, required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def _path(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


def _get(
    *,
    operation_id: str,
    summary: str,
    description: str,
    parameters_: list[dict[str, Any]],
    responses: dict[str, Any],
    tag: str,
) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "tags": [tag],
            "parameters": [*parameters_, _IF_NONE_MATCH],
            "responses": {
                **responses,
                "304": {"$ref": "#/components/responses/NotModified"},
                "503": {"$ref": "#/components/responses/ServiceUnavailable"},
            },
        }
    }


_NOT_FOUND = {"$ref": "#/components/responses/NotFound"}
_BUURT_CODE = _path(
    "code",
    "CBS buurtcode, any case.",
    _string(pattern=parameters.BUURT_CODE_PATTERN, examples=["BU09173300"]),
)

PATHS: dict[str, Any] = {
    "/lookup": _get(
        operation_id="lookup",
        summary="The buurt, officers and station of an address",
        description="Answers exactly as the resident's search form does: the same function decides. "
        "Counts towards the rate limit.",
        tag="lookup",
        parameters_=[
            _query(
                "postcode",
                "Dutch postcode, with or without one space, any case: `6411NH`, `6411 nh`.",
                _string(pattern=parameters.POSTCODE_PATTERN, examples=["6411NH"]),
                required=True,
            ),
            _query(
                "huisnummer",
                "House number, 1 to 99999. Without it the answer needs every address of the "
                "postcode in one buurt (otherwise 422 `house-number-required`).",
                _string(pattern=parameters.HOUSE_NUMBER_PATTERN, examples=["13"]),
            ),
            _query(
                "huisletter",
                "House letter; only together with `huisnummer`: without it the answer is 422 "
                "`house-number-required`.",
                _string(pattern=parameters.HOUSE_LETTER_PATTERN, examples=["E"]),
            ),
            _query(
                "toevoeging",
                "House number addition; only together with `huisnummer`: without it the answer "
                "is 422 `house-number-required`.",
                _string(pattern=parameters.ADDITION_PATTERN),
            ),
        ],
        responses={
            "200": _ok(
                "LookupAnswer",
                "The address as found, its buurt, officers and station. `buurt` is null (and "
                "the officer list empty) for an address outside every buurt.",
            ),
            "400": _problem_response(
                "The postcode or house number is malformed.",
                ["invalid-postcode", "invalid-house-number"],
            ),
            "404": _problem_response(
                "No such address. When only the letter or addition is unknown, `alternatives` "
                "lists the addresses at that number. A postcode that lies outside the area the "
                "portal covers gets `outside-coverage`, with the covered municipalities.",
                ["address-not-found", "outside-coverage"],
                schema="LookupNotFoundProblem",
            ),
            "422": _problem_response(
                "The postcode spans several buurten, or a letter or addition came without the "
                "house number: add the house number.",
                ["house-number-required"],
            ),
            "429": {"$ref": "#/components/responses/RateLimited"},
        },
    ),
    "/point": _get(
        operation_id="point",
        summary="The buurt covering a point, its officers and station",
        description="A point on a shared edge belongs to the buurt with the lowest code. Counts "
        "towards the rate limit.",
        tag="lookup",
        parameters_=[
            _query(
                "lat",
                "Latitude, WGS84 decimal degrees.",
                {"type": "number", "minimum": -90, "maximum": 90, "examples": [50.8882]},
                required=True,
            ),
            _query(
                "lon",
                "Longitude, WGS84 decimal degrees.",
                {"type": "number", "minimum": -180, "maximum": 180, "examples": [5.9794]},
                required=True,
            ),
        ],
        responses={
            "200": _ok("PointAnswer", "The buurt (null outside every buurt) and its officers."),
            "400": _problem_response(
                "lat or lon is missing or malformed.", ["invalid-coordinates"]
            ),
            "429": {"$ref": "#/components/responses/RateLimited"},
        },
    ),
    "/officers": _get(
        operation_id="listOfficers",
        summary="Published officers, A-Z, 100 a page",
        description="Every published officer with their area, public channels, absence and events.",
        tag="officers",
        parameters_=[
            _query(
                "page",
                "Page number, from 1.",
                {"type": "integer", "minimum": 1, "maximum": 999999, "default": 1},
            )
        ],
        responses={
            "200": _ok("OfficerPage", "One page of officers."),
            "400": _problem_response("page is not a whole number from 1.", ["invalid-page"]),
            "404": _NOT_FOUND,
        },
    ),
    "/officers/{slug}": _get(
        operation_id="getOfficer",
        summary="One published officer",
        description="As in the list. Unpublished officers are not found.",
        tag="officers",
        parameters_=[
            _path(
                "slug",
                "The officer's slug, as in their profile URL.",
                _string(pattern=parameters.SLUG_PATTERN, examples=["anna-voorbeeld"]),
            )
        ],
        responses={
            "200": _ok("Officer", "The officer."),
            "404": _NOT_FOUND,
        },
    ),
    "/buurten/{code}": _get(
        operation_id="getBuurt",
        summary="A buurt of the current boundaries with its officers and station",
        description="Buurten of earlier boundary datasets are not found.",
        tag="buurten",
        parameters_=[_BUURT_CODE],
        responses={
            "200": _ok("BuurtAnswer", "The buurt; an empty officer list when it has none."),
            "404": _NOT_FOUND,
        },
    ),
    "/buurten/{code}.geojson": _get(
        operation_id="getBuurtBoundary",
        summary="A buurt's boundary as a GeoJSON Feature",
        description="RFC 7946: WGS84 longitude and latitude. Source: CBS / Kadaster.",
        tag="buurten",
        parameters_=[_BUURT_CODE],
        responses={
            "200": _ok("BuurtFeature", "The boundary.", media_type=GEO_JSON),
            "404": _NOT_FOUND,
        },
    ),
    "/stations": _get(
        operation_id="listStations",
        summary="Police stations with address, location and opening hours",
        description="All stations, A-Z.",
        tag="stations",
        parameters_=[],
        responses={"200": _ok("StationList", "The stations.")},
    ),
    "/stations/{id}": _get(
        operation_id="getStation",
        summary="One police station",
        description="As in the list.",
        tag="stations",
        parameters_=[
            _path(
                "id",
                "The station's id.",
                {"type": "integer", "minimum": 1, "maximum": parameters.MAX_ID},
            )
        ],
        responses={
            "200": _ok("Station", "The station."),
            "404": _NOT_FOUND,
        },
    ),
    "/openapi.json": _get(
        operation_id="getOpenApiDocument",
        summary="This document",
        description="The OpenAPI 3.1 description of version 1 of the API.",
        tag="meta",
        parameters_=[],
        responses={
            "200": {
                "description": "The document.",
                "headers": _COMMON_HEADERS,
                "content": {JSON: {"schema": {"type": "object"}}},
            }
        },
    ),
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Wijkportaal API",
        "version": API_VERSION,
        "summary": "Find the wijkagent (neighbourhood police officer) of a Dutch address or point.",
        "description": "Public, read-only, no key needed. Every answer carries an ETag and "
        "Cache-Control; errors are RFC 9457 problem documents with a stable `code` (problem "
        f"types are `{PROBLEM_TYPE_PREFIX}<code>`). `lookup` and `point` are rate limited per "
        "client address (60 a minute unless configured otherwise). Send Accept-Language: en "
        "for English messages; Dutch is the default. Any method but GET, HEAD or OPTIONS gets a "
        "405 `method-not-allowed`; an unknown path a 404 `not-found`. Boundaries: Bron: CBS / "
        "Kadaster.",
        "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
    },
    "servers": [{"url": "/api/v1"}],
    "tags": [
        {"name": "lookup", "description": "Which buurt and officers: by address or by point."},
        {"name": "officers"},
        {"name": "buurten"},
        {"name": "stations"},
        {"name": "meta"},
    ],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "headers": HEADERS,
        "responses": RESPONSES,
        "parameters": PARAMETERS,
    },
}


def openapi_document() -> dict[str, Any]:
    """A copy of the document, safe for a caller to change."""
    return copy.deepcopy(DOCUMENT)
