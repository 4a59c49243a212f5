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

from neighbourhoods.covered import covered_area
from neighbourhoods.models import Buurt
from neighbourhoods.spatial import find_buurt_for_point
from officers.finding import (
    CandidateBuurt,
    Finding,
    Outcome,
    find_officers,
    officers_for_buurt,
)
from officers.models import Officer, Station
from officers.pages import nearest_station
from officers.subjects import buurt_subject
from wijkportaal.cache import public_data

from . import documents, parameters
from .http import DOCUMENT_CACHE, LOOKUP_CACHE, PUBLIC_CACHE, endpoint, json_response
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


def _problem_for(finding: Finding) -> Problem | None:
    """A lookup that is not an answer, with the message the resident's form shows."""
    detail = finding.message
    if detail is None:
        return None
    if finding.outcome == Outcome.HOUSE_NUMBER_REQUIRED:
        return Problem(status=422, code="house-number-required", detail=detail)
    if finding.outcome == Outcome.OUTSIDE_COVERAGE:
        covered = [documents.covered_municipality_document(m) for m in covered_area()]
        return Problem(
            status=404, code="outside-coverage", detail=detail, covered_municipalities=covered
        )
    alternatives = [documents.address_document(address) for address in finding.alternatives]
    return Problem(status=404, code="address-not-found", detail=detail, alternatives=alternatives)


@endpoint(cache_control=LOOKUP_CACHE, rate_limited=True)
def lookup(request: HttpRequest) -> dict[str, Any]:
    query = parameters.address_query(request.GET)
    finding = find_officers(postcode=query.postcode, house_number=query.house_number)
    problem = _problem_for(finding)
    if problem is not None:
        raise problem
    address = finding.address
    near = finding.near_buurt
    nearby = None
    if near is not None:
        answer = _shared_area_answer(request, near)
        nearby = {"buurt": answer["buurt"], "officers": answer["officers"]}
    return {
        "postcode": query.postcode,
        "match": finding.matched_by.value if finding.matched_by else None,
        "address": documents.address_document(address) if address is not None else None,
        **_shared_area_answer(request, finding.buurt),
        "nearby": nearby,
    }


def _shared_area_answer(request: HttpRequest, candidate: CandidateBuurt | None) -> dict[str, Any]:
    """The part of a lookup answer about the buurt, cached: every address of a buurt shares it.

    Keyed on the buurt, the day (assignments, absences and closing days go by date), the language
    and the site's origin (its URLs are absolute), and retired with the buurt's pages, so a staff
    save shows at once.
    """
    if candidate is None:
        return _area_answer(request, buurt=None, officers=[])

    def build() -> dict[str, Any]:
        buurt = (
            Buurt.objects.select_related("wijk__municipality")
            .defer("boundary", "wijk__boundary")
            .get(pk=candidate.id)
        )
        return _area_answer(request, buurt=buurt, officers=officers_for_buurt(buurt))

    origin = f"{request.scheme}://{request.get_host()}"
    today = timezone.localdate()
    key = f"api-lookup-area:{candidate.id}:{today.isoformat()}:{get_language()}:{origin}"
    answer = public_data(key, build, subjects=[buurt_subject(candidate.code)])
    if _an_event_has_ended(answer, now=timezone.now()):
        # The next occurrence of a repeating event is only known by building the answer again.
        answer = build()
    return answer


def _an_event_has_ended(answer: dict[str, Any], *, now: dt.datetime) -> bool:
    return any(
        dt.datetime.fromisoformat(event["ends_at"]) <= now
        for officer in answer["officers"]
        for event in officer["events"]
    )


@endpoint(cache_control=LOOKUP_CACHE, rate_limited=True)
def point(request: HttpRequest) -> dict[str, Any]:
    lat, lon = parameters.coordinates(request.GET)
    buurt = find_buurt_for_point(lon=lon, lat=lat)
    officers = officers_for_buurt(buurt) if buurt is not None else []
    return {
        "location": {"lat": lat, "lon": lon},
        **_area_answer(request, buurt=buurt, officers=officers),
    }


@endpoint(cache_control=PUBLIC_CACHE)
def officer_list(request: HttpRequest) -> dict[str, Any]:
    number = parameters.page_number(request.GET)
    now = timezone.now()
    paginator = Paginator(documents.published_officers(now=now), OFFICERS_PER_PAGE)
    if number > paginator.num_pages:
        raise not_found(_("This page of the officer list does not exist."))
    page = paginator.page(number)
    base = request.build_absolute_uri(reverse("api:officers"))
    officers = list(page.object_list)
    documents.attach_priorities(officers, day=timezone.localdate(now))
    return {
        "count": paginator.count,
        "page": number,
        "pages": paginator.num_pages,
        "next": f"{base}?page={number + 1}" if page.has_next() else None,
        "previous": f"{base}?page={number - 1}" if page.has_previous() else None,
        "officers": [documents.officer_document(officer, request, now=now) for officer in officers],
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
    return {
        **answer["buurt"],
        "officers": answer["officers"],
        "station": answer["station"],
        "priorities": documents.buurt_priorities(buurt, now=timezone.now()),
    }


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
