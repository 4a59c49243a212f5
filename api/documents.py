"""Plain-dict builders for the API's answers, and the prefetches that keep their query count fixed.

Only public data leaves here: published officers, public channels, buurten of the active dataset.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from neighbourhoods.covered import CoveredMunicipality
from neighbourhoods.models import Address, Buurt
from officers import calendar
from officers.finding import (
    RegisterAddress,
    current_assignments,
    published_officers_with_areas,
)
from officers.models import Assignment, ClosingDay, Officer, Priority, Station
from officers.pages import (
    buurt_path,
    coming_absences,
    open_events,
    public_channels,
    shown_absence,
    with_absences,
)
from officers.priorities import priorities_for_buurt, priorities_for_buurten

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _officer_prefetches(*, now: dt.datetime) -> list[Prefetch]:
    return [public_channels(), coming_absences(timezone.localdate(now)), open_events(now)]


def published_officers(*, now: dt.datetime) -> QuerySet[Officer]:
    """Every published officer with what their document needs, in a fixed number of queries."""
    return (
        published_officers_with_areas(day=timezone.localdate(now))
        .select_related("station")
        .prefetch_related(*_officer_prefetches(now=now))
        .order_by("name", "pk")
    )


def prepare_officers(officers: list[Officer], *, now: dt.datetime) -> None:
    """Fetch, for officers already loaded (the lookup's), the rest of their documents at once."""
    prefetch_related_objects(
        officers,
        "station",
        Prefetch(
            "assignments",
            queryset=current_assignments(day=timezone.localdate(now)),
            to_attr="current_assignments",
        ),
        *_officer_prefetches(now=now),
    )
    attach_priorities(officers, day=timezone.localdate(now))


def attach_priorities(officers: list[Officer], *, day: dt.date) -> None:
    """Give each officer (with `current_assignments`) the priorities of their buurten and
    wijken as `area_priorities`: two queries for all of them, one when there are none."""
    # The prefetch's `to_attr`, set by `prepare_officers` or `published_officers`.
    areas: dict[int, list[Assignment]] = {
        o.pk: o.current_assignments  # type: ignore[attr-defined]
        for o in officers
    }
    buurten = {a.buurt.pk: a.buurt for assignments in areas.values() for a in assignments}
    shown = priorities_for_buurten(list(buurten.values()), day=day)
    for officer in officers:
        buurt_ids = {a.buurt_id for a in areas[officer.pk]}
        wijk_ids = {a.buurt.wijk_id for a in areas[officer.pk]}
        officer.area_priorities = [
            p for p in shown if p.buurt_id in buurt_ids or p.wijk_id in wijk_ids
        ]


def _area_priorities(officer: Officer, *, now: dt.datetime) -> list[Priority]:
    if not hasattr(officer, "area_priorities"):
        attach_priorities([officer], day=timezone.localdate(now))
    return officer.area_priorities


def priority_document(priority: Priority) -> dict[str, Any]:
    """A priority with its updates, newest first (`priorities_for_buurt(en)` fetched them)."""
    area = priority.buurt if priority.buurt_id else priority.wijk
    return {
        "id": priority.pk,
        "title": priority.title,
        "area": {
            "kind": "buurt" if priority.buurt_id else "wijk",
            "code": area.code if area is not None else "",
            "name": area.name if area is not None else "",
        },
        "status": priority.status,
        "issue": priority.issue,
        "action": priority.action,
        "outcome": priority.outcome,
        "opened_on": priority.opened_on.isoformat(),
        "last_update_on": priority.last_update_on.isoformat(),
        "closed_on": priority.closed_on.isoformat() if priority.closed_on else None,
        "updates": [
            {"date": update.date.isoformat(), "text": update.text}
            for update in priority.updates.all()
        ],
    }


def buurt_priorities(buurt: Buurt, *, now: dt.datetime) -> list[dict[str, Any]]:
    """The buurt's and its wijk's priorities as the API shows them."""
    return [
        priority_document(priority)
        for priority in priorities_for_buurt(buurt, day=timezone.localdate(now))
    ]


def stations_with_details(*, today: dt.date) -> QuerySet[Station]:
    return Station.objects.prefetch_related(*_station_prefetches(today=today))


def prepare_station(station: Station | None, *, today: dt.date) -> None:
    if station is not None:
        prefetch_related_objects([station], *_station_prefetches(today=today))


def _station_prefetches(*, today: dt.date) -> list[Prefetch | str]:
    return [
        "opening_hours",
        Prefetch(
            "closing_days",
            queryset=ClosingDay.objects.filter(date__gte=today),
            to_attr="upcoming_closing_days",
        ),
    ]


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


# An address document's members and the Address attributes they show.
ADDRESS_MEMBERS = {
    "straat": "straat",
    "huisnummer": "huisnummer",
    "huisletter": "huisletter",
    "toevoeging": "huisnummertoevoeging",
    "postcode": "postcode",
    "woonplaats": "woonplaats",
}


def covered_municipality_document(municipality: CoveredMunicipality) -> dict[str, Any]:
    return {
        "code": municipality.code,
        "name": municipality.name,
        "places": list(municipality.places),
    }


def address_document(address: Address | RegisterAddress) -> dict[str, Any]:
    return {member: getattr(address, name) for member, name in ADDRESS_MEMBERS.items()}


def buurt_document(buurt: Buurt, request: HttpRequest) -> dict[str, Any]:
    wijk = buurt.wijk
    municipality = wijk.municipality
    return {
        "code": buurt.code,
        "name": buurt.name,
        "url": _absolute(request, buurt_path(buurt.code)),
        "api_url": _absolute(request, reverse("api:buurt", kwargs={"code": buurt.code})),
        "geojson_url": _absolute(
            request, reverse("api:buurt-geojson", kwargs={"code": buurt.code})
        ),
        "wijk": {"code": wijk.code, "name": wijk.name},
        "municipality": {"code": municipality.code, "name": municipality.name},
    }


def buurt_feature(buurt: Buurt, request: HttpRequest) -> dict[str, Any]:
    """The buurt as an RFC 7946 Feature: WGS84 lon/lat, right-hand-rule rings, a bbox."""
    geometry = buurt.geometry
    feature: dict[str, Any] = {
        "type": "Feature",
        "id": buurt.code,
        "geometry": None,
        "properties": {
            "code": buurt.code,
            "name": buurt.name,
            "wijk": buurt.wijk.code,
            "municipality": buurt.wijk.municipality.code,
            "url": _absolute(request, buurt_path(buurt.code)),
        },
    }
    if geometry is not None and not geometry.is_empty:
        oriented = _counter_clockwise(geometry)
        feature["bbox"] = list(oriented.bounds)
        feature["geometry"] = mapping(oriented)
    return feature


def _counter_clockwise(geometry: BaseGeometry) -> BaseGeometry:
    """RFC 7946 section 3.1.6: exterior rings counter-clockwise, holes clockwise."""
    if isinstance(geometry, Polygon):
        return orient(geometry, sign=1.0)
    if isinstance(geometry, MultiPolygon):
        return MultiPolygon([orient(part, sign=1.0) for part in geometry.geoms])
    return geometry


def _officer_reference(officer: Officer, request: HttpRequest) -> dict[str, Any]:
    return {
        "slug": officer.slug,
        "name": officer.name,
        "profile_url": _absolute(request, officer.get_absolute_url()),
        "api_url": _absolute(request, reverse("api:officer", kwargs={"slug": officer.slug})),
    }


def officer_document(officer: Officer, request: HttpRequest, *, now: dt.datetime) -> dict[str, Any]:
    """An officer as the API shows them. Needs `published_officers` or `prepare_officers` first."""
    # The prefetch's `to_attr`, set by `coming_absences`: today's absence is shown, and the
    # sessions in any of them are marked cancelled.
    coming = officer.coming_absences  # type: ignore[attr-defined]
    absence = shown_absence(coming, today=timezone.localdate(now))
    deputy = absence.deputy_for_residents if absence is not None else None
    document = {
        **_officer_reference(officer, request),
        "rank": officer.rank,
        "is_fictional": officer.is_fictional,
        "photo": {
            "url": _absolute(request, officer.photo.url) if officer.photo else None,
            "alt": officer.photo_alt if officer.photo else "",
        },
        "buurten": [
            {"code": assignment.buurt.code, "name": assignment.buurt.name, "role": assignment.role}
            for assignment in sorted(
                # Prefetched by published_officers_with_areas (`to_attr`).
                officer.current_assignments,  # type: ignore[attr-defined]
                key=lambda assignment: assignment.buurt.code,
            )
        ],
        "channels": [
            {"kind": channel.kind, "value": channel.value, "href": channel.href}
            for channel in officer.public_channels
        ],
        "station": (
            {
                "id": officer.station.pk,
                "name": officer.station.name,
                "api_url": _absolute(
                    request, reverse("api:station", kwargs={"station_id": officer.station.pk})
                ),
            }
            if officer.station
            else None
        ),
        "absence": (
            {
                "starts_on": absence.starts_on.isoformat(),
                "ends_on": absence.ends_on.isoformat(),
                "deputy": _officer_reference(deputy, request) if deputy is not None else None,
            }
            if absence is not None
            else None
        ),
        "events": [
            {
                "title": occurrence.event.title,
                "place": occurrence.event.place,
                "starts_at": _datetime(occurrence.starts_at),
                "ends_at": _datetime(occurrence.ends_at),
                "recurrence": occurrence.event.recurrence,
                "repeat_until": (
                    occurrence.event.repeat_until.isoformat()
                    if occurrence.event.repeat_until
                    else None
                ),
                "cancelled": occurrence.cancelled_by is not None,
            }
            for occurrence in with_absences(
                calendar.upcoming(officer.open_events, now=now), absences={officer.pk: coming}
            )
        ],
        "priorities": [
            priority_document(priority) for priority in _area_priorities(officer, now=now)
        ],
    }
    role = getattr(officer, "role_here", None)
    if role is not None:
        document["role"] = role
    return document


def _datetime(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat()


def _time(value: dt.time) -> str:
    return value.strftime("%H:%M")


def station_document(station: Station, request: HttpRequest) -> dict[str, Any]:
    """A station. Needs `stations_with_details` or `prepare_station` first."""
    return {
        "id": station.pk,
        "name": station.name,
        "api_url": _absolute(request, reverse("api:station", kwargs={"station_id": station.pk})),
        "address": {
            "street": station.street_address,
            "postcode": station.postcode,
            "city": station.city,
        },
        "location": {"lat": station.lat, "lon": station.lon},
        "phone": station.phone,
        "by_appointment_only": station.by_appointment_only,
        # By appointment only means the weekly hours do not apply; the admin says they are not shown.
        "opening_hours": []
        if station.by_appointment_only
        else [
            {
                "weekday": WEEKDAYS[hours.weekday],
                "opens": _time(hours.opens),
                "closes": _time(hours.closes),
            }
            for hours in station.opening_hours.all()
        ],
        "closing_days": [
            {"date": day.date.isoformat(), "reason": day.reason}
            for day in station.upcoming_closing_days
        ],
    }
