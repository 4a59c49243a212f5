"""The public JSON API, version 1: thin views over the lookup functions the HTML flow uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from neighbourhoods.lookup import InvalidInput, find_buurt_for_point, public_buurt
from neighbourhoods.models import Buurt
from officers.finding import Finding, OfficerSearch, find_officers_for_address, officers_for_buurt
from officers.models import Officer, Station
from officers.pages import nearest_station
from wijkportaal.cache import public_data

from . import documents, parameters
from .http import (
    DOCUMENT_CACHE,
    LOOKUP_CACHE,
    PUBLIC_CACHE,
    encode_json,
    endpoint,
    joined_json_response,
    json_response,
)
from .openapi import openapi_document
from .problems import Problem, not_found

OFFICERS_PER_PAGE = 100


def _station_for(*, buurt: Buurt, officers: list[Officer]) -> Station | None:
    """As the HTML flow: one officer's own station, else the station nearest the buurt."""
    if len(officers) == 1 and officers[0].station is not None:
        return officers[0].station
    return nearest_station(lat=buurt.label_lat, lon=buurt.label_lon)


def _area_answer(
    request: HttpRequest, *, buurt: Buurt | None, officers: list[Officer]
) -> dict[str, Any]:
    """The part of a lookup or point answer about the buurt: itself, its officers and station."""
    if buurt is None:
        return {"buurt": None, "officers": [], "station": None}
    now = timezone.now()
    # officers_for_buurt already lists them in role_order: the wijkagent first, then A-Z.
    documents.prepare_officers(officers, now=now)
    station = _station_for(buurt=buurt, officers=officers)
    documents.prepare_station(station, today=timezone.localdate(now))
    return {
        "buurt": documents.buurt_document(buurt, request),
        "officers": [documents.officer_document(officer, request, now=now) for officer in officers],
        "station": documents.station_document(station, request) if station else None,
    }


def _problem_for(search: OfficerSearch) -> Problem | None:
    if search.finding == Finding.HOUSE_NUMBER_REQUIRED:
        return Problem(
            status=422,
            code="house-number-required",
            detail=_(
                "This postcode lies in more than one buurt. Add the house number so we can "
                "find the right wijkagent."
            ),
        )
    if search.finding == Finding.SUFFIX_NOT_FOUND:
        return Problem(
            status=404,
            code="address-not-found",
            detail=_(
                "This house number exists, but not with this letter or addition. The addresses "
                "that do exist are listed under alternatives."
            ),
            alternatives=[documents.address_document(address) for address in search.alternatives],
        )
    if search.finding == Finding.ADDRESS_NOT_FOUND:
        return Problem(
            status=404,
            code="address-not-found",
            detail=_("We do not know this address. Check the postcode and house number."),
            alternatives=[],
        )
    return None


@endpoint(cache_control=LOOKUP_CACHE, rate_limited=True)
def lookup(request: HttpRequest) -> dict[str, Any]:
    query = parameters.address_query(parameters.query_values(request))
    try:
        search = find_officers_for_address(
            postcode=query.postcode,
            huisnummer=f"{query.huisnummer}{query.huisletter}",
            toevoeging=query.toevoeging,
        )
    except InvalidInput as error:
        raise Problem(status=400, code=error.code, detail=error.message) from error
    problem = _problem_for(search)
    if problem is not None:
        raise problem
    address = search.address_values
    own_part = {
        "postcode": search.postcode,
        "address": documents.address_values_document(address) if address else None,
    }
    if search.buurt_id is None:
        return {**own_part, **_area_answer(request, buurt=None, officers=[])}
    return joined_json_response(own_part, _shared_area_answer(request, buurt_id=search.buurt_id))


def _shared_area_answer(request: HttpRequest, *, buurt_id: int) -> bytes:
    """The area part of a lookup answer as encoded JSON, cached: every address of a buurt
    shares it, so it is encoded once rather than on every lookup.

    Keyed on the buurt, the language and the site's origin (its URLs are absolute), in the
    current page generation, so a staff save shows at once. It also changes by itself: at
    midnight (assignments, absences, closing days go by date) and when a listed event ends.
    Only a miss loads the buurt and its officers in full (the search has just what it decides
    with).
    """

    def build() -> tuple[dt.datetime, bytes]:
        now = timezone.now()
        buurt = public_buurt(buurt_id)
        officers = officers_for_buurt(buurt) if buurt is not None else []
        answer = _area_answer(request, buurt=buurt, officers=officers)
        return _changes_by_itself_at(answer, now=now), encode_json(answer)

    # A new name whenever the stored value changes shape: entries of the old shape stay in Redis
    # under the old name while a new release rolls out (they were dicts, now encoded JSON).
    origin = f"{request.scheme}://{request.get_host()}"
    key = f"api-lookup-area-json:{buurt_id}:{get_language()}:{origin}"
    _, encoded = public_data(key, build, still_valid=lambda entry: timezone.now() < entry[0])
    return encoded


def _changes_by_itself_at(answer: dict[str, Any], *, now: dt.datetime) -> dt.datetime:
    """The first moment an area answer built at `now` could differ without anyone saving."""
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    moments = [timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))]
    moments.extend(
        dt.datetime.fromisoformat(event["ends_at"])
        for officer in answer["officers"]
        for event in officer["events"]
    )
    return min(moments)


@endpoint(cache_control=LOOKUP_CACHE, rate_limited=True)
def point(request: HttpRequest) -> dict[str, Any]:
    lat, lon = parameters.coordinates(parameters.query_values(request))
    buurt = find_buurt_for_point(lon=lon, lat=lat)
    officers = officers_for_buurt(buurt) if buurt is not None else []
    return {
        "location": {"lat": lat, "lon": lon},
        **_area_answer(request, buurt=buurt, officers=officers),
    }


@endpoint(cache_control=PUBLIC_CACHE)
def officer_list(request: HttpRequest) -> dict[str, Any]:
    number = parameters.page_number(parameters.query_values(request))
    now = timezone.now()
    paginator = Paginator(documents.published_officers(now=now), OFFICERS_PER_PAGE)
    if number > paginator.num_pages:
        raise not_found(_("This page of the officer list does not exist."))
    page = paginator.page(number)
    base = request.build_absolute_uri(reverse("api:officers"))
    return {
        "count": paginator.count,
        "page": number,
        "pages": paginator.num_pages,
        "next": f"{base}?page={number + 1}" if page.has_next() else None,
        "previous": f"{base}?page={number - 1}" if page.has_previous() else None,
        "officers": [
            documents.officer_document(officer, request, now=now) for officer in page.object_list
        ],
    }


@endpoint(cache_control=PUBLIC_CACHE)
def officer_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    now = timezone.now()
    officer = documents.published_officers(now=now).filter(slug=slug).first()
    if officer is None:
        raise not_found(_("No published officer has this slug."))
    return documents.officer_document(officer, request, now=now)


def _active_buurt(code: str) -> Buurt:
    buurt = (
        Buurt.objects.active()
        .select_related("wijk__municipality")
        .defer("wijk__boundary")
        .filter(code=code.upper())
        .first()
    )
    if buurt is None:
        raise not_found(_("No buurt of the current boundaries has this code."))
    return buurt


@endpoint(cache_control=PUBLIC_CACHE)
def buurt_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    buurt = _active_buurt(code)
    officers = officers_for_buurt(buurt)
    answer = _area_answer(request, buurt=buurt, officers=officers)
    return {**answer["buurt"], "officers": answer["officers"], "station": answer["station"]}


@endpoint(cache_control=PUBLIC_CACHE)
def buurt_geojson(request: HttpRequest, code: str) -> HttpResponse:
    buurt = _active_buurt(code)
    return json_response(
        documents.buurt_feature(buurt, request), content_type="application/geo+json"
    )


@endpoint(cache_control=PUBLIC_CACHE)
def station_list(request: HttpRequest) -> dict[str, Any]:
    stations = documents.stations_with_details(today=timezone.localdate())
    return {"stations": [documents.station_document(station, request) for station in stations]}


@endpoint(cache_control=PUBLIC_CACHE)
def station_detail(request: HttpRequest, station_id: int) -> dict[str, Any]:
    station = None
    if station_id <= parameters.MAX_ID:
        station = (
            documents.stations_with_details(today=timezone.localdate())
            .filter(pk=station_id)
            .first()
        )
    if station is None:
        raise not_found(_("No station has this id."))
    return documents.station_document(station, request)


@endpoint(cache_control=DOCUMENT_CACHE)
def openapi(request: HttpRequest) -> dict[str, Any]:
    return openapi_document()


@endpoint(cache_control=PUBLIC_CACHE)
def unknown(request: HttpRequest, path: str = "") -> dict[str, Any]:
    """Anything else under the API's prefix: a problem document, not the HTML 404 page."""
    raise not_found()
