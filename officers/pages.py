"""What each resident page shows, gathered in a fixed, small number of queries."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from neighbourhoods.models import Buurt

from .finding import officers_for_buurt, published_officers_with_areas
from .models import Absence, ContactChannel, Officer, Station

# Stations further than this (in degrees, about 30 km) are not searched first; see nearest_station.
STATION_SEARCH_BOX = 0.3


def public_channels() -> Prefetch:
    return Prefetch(
        "channels",
        queryset=ContactChannel.objects.filter(is_public=True),
        to_attr="public_channels",
    )


def nearest_station(*, lat: float | None, lon: float | None) -> Station | None:
    """The station nearest to a point (the buurt's label point), by great-circle distance."""
    if lat is None or lon is None:
        return None
    nearby = Station.objects.filter(
        lat__range=(lat - STATION_SEARCH_BOX, lat + STATION_SEARCH_BOX),
        lon__range=(lon - STATION_SEARCH_BOX * 1.6, lon + STATION_SEARCH_BOX * 1.6),
    ).prefetch_related(public_channels())
    candidates = list(nearby)
    if not candidates:
        return None
    cos_lat = math.cos(math.radians(lat))
    return min(
        candidates,
        key=lambda station: (station.lat - lat) ** 2 + ((station.lon - lon) * cos_lat) ** 2,
    )


def current_absence(officer: Officer) -> Absence | None:
    today = timezone.localdate()
    return (
        officer.absences.filter(starts_on__lte=today, ends_on__gte=today)
        .select_related("deputy")
        .first()
    )


def officer_profile_context(*, slug: str, searched_buurt_code: str = "") -> dict[str, Any] | None:
    officer = (
        published_officers_with_areas()
        .select_related("station")
        .prefetch_related(public_channels())
        .filter(slug=slug)
        .first()
    )
    if officer is None:
        return None
    buurten = [assignment.buurt for assignment in officer.current_assignments]
    station = officer.station
    if station is None and buurten:
        station = nearest_station(lat=buurten[0].label_lat, lon=buurten[0].label_lon)
    searched_buurt = next((b for b in buurten if b.code == searched_buurt_code), None)
    absence = current_absence(officer)
    return {
        "officer": officer,
        "buurten": buurten,
        "station": station,
        "absence": absence,
        "deputy_is_published": bool(absence and absence.deputy and absence.deputy.is_published),
        "searched_buurt": searched_buurt,
    }


def buurt_page_context(*, code: str) -> dict[str, Any] | None:
    buurt = Buurt.objects.active().select_related("wijk__municipality").filter(code=code).first()
    if buurt is None:
        return None
    officers = officers_for_buurt(buurt)
    station = nearest_station(lat=buurt.label_lat, lon=buurt.label_lon)
    return {"buurt": buurt, "officers": officers, "station": station}


def officer_list_context() -> dict[str, Any]:
    officers = list(published_officers_with_areas())
    letters: dict[str, list[Officer]] = {}
    for officer in officers:
        letters.setdefault(officer.name[:1].upper(), []).append(officer)
    return {"officers": officers, "letters": sorted(letters.items())}


def outside_area_context() -> dict[str, Any]:
    return {}
