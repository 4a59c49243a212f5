"""The printable buurt card for a notice board: its wijkagenten, their spreekuren, the station,
the emergency numbers and a QR code to the buurt page, on one A4 or A5 page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from neighbourhoods.models import Buurt

from . import calendar
from .finding import officers_for_buurt
from .hours import DayHours, Interval, station_opening_status
from .models import Officer
from .pages import (
    buurt_path,
    coming_absences_by_officer,
    nearest_station,
    public_channels,
    shown_absence,
    with_absences,
)
from .views import fresh_until_next_change

# A card is read on paper for weeks: a few sessions are enough, the QR code leads to the rest.
CARD_SESSIONS = 3
# Enough for any buurt in practice; more would not fit one A5 sheet, so the rest are counted.
CARD_OFFICERS = 4
PAPER_SIZES = ("a4", "a5")


def public_url(path: str, *, request: HttpRequest) -> str:
    """The absolute URL of a path on the public site: SITE_URL when set, else the host asked."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def qr_svg(url: str) -> SafeString:
    """The URL as a QR code in inline SVG, drawn here so the page makes no request elsewhere.

    Error correction M at least (segno raises it when that costs no extra modules) keeps a
    folded or smudged card readable; the quiet zone of four modules is the standard's.
    """
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr-code", lineclass="qr-dark")
    # segno's SVG holds path data for the modules and no text of the URL, so it needs no escaping.
    return mark_safe(svg)  # noqa: S308


@dataclass(frozen=True)
class DayRange:
    """Consecutive days with the same opening hours: "maandag to vrijdag", 09:00-17:00."""

    first: str
    last: str
    intervals: tuple[Interval, ...]


def opening_ranges(week: tuple[DayHours, ...]) -> list[DayRange]:
    """The week's hours with runs of equal days merged, so a sheet of paper lists a few lines."""
    ranges: list[DayRange] = []
    for day in week:
        if ranges and ranges[-1].intervals == day.intervals:
            ranges[-1] = DayRange(ranges[-1].first, day.name, day.intervals)
        else:
            ranges.append(DayRange(day.name, day.name, day.intervals))
    return ranges


def buurt_card_context(
    *, code: str, request: HttpRequest, now: dt.datetime | None = None
) -> dict[str, Any] | None:
    """What the card of the buurt with this code shows; None when there is no such buurt."""
    now = now or timezone.now()
    buurt = Buurt.objects.active().select_related("wijk__municipality").filter(code=code).first()
    if buurt is None:
        return None
    assigned = officers_for_buurt(buurt)
    listed = assigned[:CARD_OFFICERS]
    # The cached list holds bare officers; the card also needs their public channels.
    by_pk = {
        officer.pk: officer
        for officer in Officer.objects.filter(pk__in=[o.pk for o in listed]).prefetch_related(
            public_channels()
        )
    }
    officers = []
    for officer in listed:
        full = by_pk[officer.pk]
        # Set by officers_for_buurt on the cached officers.
        full.role_here = getattr(officer, "role_here", "")
        officers.append(full)
    today = timezone.localdate()
    absences = coming_absences_by_officer(officers, today=today) if officers else {}
    for officer in officers:
        officer.shown_absence = shown_absence(absences.get(officer.pk, []), today=today)
    events = calendar.not_over_of(officers, now=now)
    # A printed card stays up for weeks: a cancelled session is left out, and a weekly event
    # is shown with its next session that does take place.
    held = []
    for shown in with_absences(calendar.upcoming(events, now=now), absences=absences):
        if shown.cancelled_by is None:
            held.append(shown.occurrence)
        elif shown.next_held is not None:
            held.append(shown.next_held)
    occurrences = sorted(held, key=lambda o: (o.starts_at, o.event.pk))[:CARD_SESSIONS]
    station = nearest_station(lat=buurt.label_lat, lon=buurt.label_lon)
    opening = station_opening_status(station, now=now) if station is not None else None
    page_url = public_url(buurt_path(buurt.code), request=request)
    return {
        "buurt": buurt,
        "officers": officers,
        "occurrences": occurrences,
        "station": station,
        "opening": opening,
        "opening_ranges": opening_ranges(opening.week) if opening else [],
        "more_officers": len(assigned) - len(listed),
        "any_fictional": any(officer.is_fictional for officer in officers),
        "today": today,
        "page_url": page_url,
        "qr_svg": qr_svg(page_url),
    }


@require_safe
def buurt_card(request: HttpRequest, code: str, paper: str = "a4") -> HttpResponse:
    """The card for A4, or for A5 at its own path (a path, so the page cache keeps both)."""
    context = buurt_card_context(code=code.upper(), request=request)
    if context is None:
        raise Http404(_("No buurt has this code."))
    context["paper"] = paper if paper in PAPER_SIZES else "a4"
    return fresh_until_next_change(render(request, "officers/card.html", context), context)
