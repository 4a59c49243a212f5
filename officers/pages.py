"""What each resident page shows, gathered in a fixed, small number of queries, and the lists of
officers and wijken per municipality that need nothing more."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from django.db.models import (
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from neighbourhoods.covered import served_municipalities, served_municipality
from neighbourhoods.maps import MapMarker, MapShape, render_map
from neighbourhoods.models import Buurt, Municipality, without_boundaries

from . import calendar
from .finding import current_assignments, officers_for_buurt
from .hours import (
    NEXT_OPENING_HORIZON_DAYS,
    OpeningStatus,
    station_now,
    station_opening_status,
)
from .models import Absence, Assignment, ClosingDay, ContactChannel, Event, Officer, Station
from .priorities import priorities_for_buurt, priorities_for_buurten

# Stations further than this (in degrees, about 30 km) are not searched first; see nearest_station.
STATION_SEARCH_BOX = 0.3
# The station is drawn on a buurt map when that keeps the map at most this much larger than the wijk.
STATION_MAP_STRETCH = 2.0
EARTH_RADIUS_KM = 6371.0


def buurt_path(code: str) -> str:
    """The path of the page of the buurt with this code: the page is the officers app's, so
    neighbourhoods leaves its URL to this app and templates use `{% url "officers:buurt" %}`."""
    return reverse("officers:buurt", kwargs={"code": code})


def public_channels() -> Prefetch:
    return Prefetch(
        "channels",
        queryset=ContactChannel.objects.filter(is_public=True),
        to_attr="public_channels",
    )


def coming_absences(today: dt.date) -> Prefetch:
    """An officer's absences that are not over on `today`, as `coming_absences`, soonest first:
    the profile and the API show the current one and mark the spreekuren that fall in any of them."""
    return Prefetch(
        "absences",
        queryset=Absence.objects.not_over(day=today)
        .with_deputy_away(day=today)
        .select_related("deputy")
        .order_by("starts_on"),
        to_attr="coming_absences",
    )


def shown_absence(absences: Iterable[Absence], *, today: dt.date) -> Absence | None:
    """The absence residents see today, of an officer's `absences`: of those going on, the one
    that ends last, so when absences overlap (a holiday and a course in it) the resident sees
    the latest return date, and the deputy named for that absence. None when none is."""
    going_on = [a for a in absences if a.starts_on <= today <= a.ends_on]
    return min(going_on, key=lambda a: (-a.ends_on.toordinal(), a.starts_on, a.pk), default=None)


@dataclass(frozen=True)
class ListedOfficer:
    """An officer as a buurt page lists them, with the absence going on today (if any)."""

    officer: Officer
    absence: Absence | None

    @property
    def is_deputy(self) -> bool:
        """Whether the officer only stands in here (`officers_for_buurt` sets `role_here`)."""
        return getattr(self.officer, "role_here", "") == Assignment.Role.DEPUTY


@dataclass(frozen=True)
class ShownOccurrence:
    """A session as residents see it: cancelled when the officer is away that day, and then
    with the next session of a weekly event that does take place (if one is left)."""

    occurrence: calendar.Occurrence
    cancelled_by: Absence | None
    next_held: calendar.Occurrence | None = None

    @property
    def event(self) -> Event:
        return self.occurrence.event

    @property
    def starts_at(self) -> dt.datetime:
        return self.occurrence.starts_at

    @property
    def ends_at(self) -> dt.datetime:
        return self.occurrence.ends_at

    @property
    def is_weekly(self) -> bool:
        return self.occurrence.is_weekly


def with_absences(
    occurrences: list[calendar.Occurrence], *, absences: dict[int, list[Absence]]
) -> list[ShownOccurrence]:
    """Each session marked cancelled when its officer is away on its day (Amsterdam time)."""
    shown = []
    for occurrence in occurrences:
        away_days = absences.get(occurrence.event.officer_id, [])
        cancelled_by = calendar.cancelled_by(occurrence, away_days)
        next_held = calendar.next_held(occurrence, away_days) if cancelled_by else None
        shown.append(ShownOccurrence(occurrence, cancelled_by, next_held))
    return shown


def open_events(now: dt.datetime) -> Prefetch:
    """An officer's events that are not over, as `open_events`. Candidates only: a weekly event
    may have no sitting left; `calendar.upcoming` decides."""
    return Prefetch(
        "events", queryset=calendar.not_over(Event.objects.all(), now=now), to_attr="open_events"
    )


def _closing_reason_today(station_ref: str) -> Subquery:
    """The reason of today's ClosingDay of the station (None on an ordinary day), as a subquery
    annotation: one query less per page than prefetching closing days."""
    today = station_now().date()
    return Subquery(
        ClosingDay.objects.filter(station=OuterRef(station_ref), date=today).values("reason")[:1]
    )


def coming_closing_days(through: str = "closing_days") -> Prefetch:
    """The closing days after today within the horizon, as `coming_closing_days`: "closed
    today" then says when the station opens again, skipping a holiday."""
    today = station_now().date()
    return Prefetch(
        through,
        queryset=ClosingDay.objects.filter(
            date__gt=today, date__lte=today + dt.timedelta(days=NEXT_OPENING_HORIZON_DAYS)
        ),
        to_attr="coming_closing_days",
    )


def stations_with_today(*, next_opening: bool = False) -> QuerySet[Station]:
    """Stations with their hours and today's closing day; `next_opening` adds the coming closing
    days, which a page needs to say when a closed station opens again (the API does not)."""
    stations = Station.objects.annotate(closed_today=_closing_reason_today("pk")).prefetch_related(
        "opening_hours"
    )
    return stations.prefetch_related(coming_closing_days()) if next_opening else stations


def station_search_box(
    *, lat: float, lon: float, margin: float = 0.0
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The latitude and longitude ranges `nearest_station` searches around a point. The box is
    the same size everywhere, so the points whose search holds a station at (lat, lon) are the
    points within this box around the station."""
    lat_side, lon_side = STATION_SEARCH_BOX + margin, STATION_SEARCH_BOX * 1.6 + margin
    return (lat - lat_side, lat + lat_side), (lon - lon_side, lon + lon_side)


def nearest_station(
    *, lat: float | None, lon: float | None, next_opening: bool = False
) -> Station | None:
    """The station nearest to a point (the buurt's label point), by great-circle distance."""
    if lat is None or lon is None:
        return None
    lat_range, lon_range = station_search_box(lat=lat, lon=lon)
    nearby = stations_with_today(next_opening=next_opening).filter(
        lat__range=lat_range, lon__range=lon_range
    )
    candidates = list(nearby)
    if not candidates:
        return None
    cos_lat = math.cos(math.radians(lat))
    return min(
        candidates,
        key=lambda station: (station.lat - lat) ** 2 + ((station.lon - lon) * cos_lat) ** 2,
    )


@dataclass(frozen=True)
class Introduction:
    text: str
    language: str
    is_fallback: bool


def introduction(officer: Officer, *, language: str) -> Introduction | None:
    """The introduction in the reader's language, else the other one (the page says so)."""
    texts = {"nl": officer.intro_nl.strip(), "en": officer.intro_en.strip()}
    wanted = "en" if language.startswith("en") else "nl"
    if texts[wanted]:
        return Introduction(texts[wanted], wanted, is_fallback=False)
    other = "nl" if wanted == "en" else "en"
    if texts[other]:
        return Introduction(texts[other], other, is_fallback=True)
    return None


@dataclass(frozen=True)
class WijkArea:
    """The buurten an officer covers within one wijk, for "the area in words"."""

    name: str
    municipality: str
    assignments: list[Assignment]


@dataclass(frozen=True)
class OfficerRole:
    """In how many buurten an officer is the wijkagent, and in how many more only the deputy:
    a deputy-only officer is not "the wijkagent for 8 buurten"."""

    primary_count: int
    deputy_count: int


def officer_role(assignments: list[Assignment]) -> OfficerRole:
    primary = {a.buurt_id for a in assignments if a.role == Assignment.Role.PRIMARY}
    deputy = {a.buurt_id for a in assignments if a.role == Assignment.Role.DEPUTY} - primary
    return OfficerRole(primary_count=len(primary), deputy_count=len(deputy))


def _areas(assignments: list[Assignment]) -> list[WijkArea]:
    grouped: dict[int, WijkArea] = {}
    for assignment in assignments:
        wijk = assignment.buurt.wijk
        if wijk.pk not in grouped:
            grouped[wijk.pk] = WijkArea(wijk.name, wijk.municipality.name, [])
        grouped[wijk.pk].assignments.append(assignment)
    return sorted(grouped.values(), key=lambda area: area.name)


def _station_context(station: Station | None, now: dt.datetime | None) -> dict[str, Any]:
    status: OpeningStatus | None = (
        station_opening_status(station, now=now) if station is not None else None
    )
    return {"station": station, "opening": status}


def officer_profile_context(
    *,
    slug: str,
    searched_buurt_code: str = "",
    language: str = "nl",
    now: dt.datetime | None = None,
) -> dict[str, Any] | None:
    """Everything on an officer's profile in a fixed number of queries, however many buurten,
    channels or events they have."""
    now = now or timezone.now()
    today = timezone.localdate()
    officer = (
        Officer.objects.published()
        .filter(slug=slug)
        .select_related("station")
        .annotate(station_closed_today=_closing_reason_today("station"))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.valid_on(today)
                .filter(buurt__dataset__is_active=True)
                .select_related("buurt__wijk__municipality")
                .defer(*without_boundaries("buurt__"))
                .order_by("buurt__name"),
                to_attr="current_assignments",
            ),
            public_channels(),
            coming_absences(today),
            open_events(now),
            "station__opening_hours",
            coming_closing_days("station__closing_days"),
        )
        .first()
    )
    if officer is None:
        return None
    # The prefetch's `to_attr`, set by `coming_absences`.
    coming: list[Absence] = officer.coming_absences  # type: ignore[attr-defined]
    assignments = officer.current_assignments
    buurten = [assignment.buurt for assignment in assignments]
    station = officer.station
    if station is not None:
        # The attribute `stations_with_today` annotates, so templates read one name.
        station.closed_today = officer.station_closed_today  # type: ignore[attr-defined]
    elif buurten:
        station = nearest_station(
            lat=buurten[0].label_lat, lon=buurten[0].label_lon, next_opening=True
        )
    searched_buurt = next((b for b in buurten if b.code == searched_buurt_code), None)
    absence = shown_absence(coming, today=today)
    return {
        "officer": officer,
        "buurten": buurten,
        "role": officer_role(assignments),
        "areas": _areas(assignments),
        "introduction": introduction(officer, language=language),
        **_station_context(station, now),
        "absence": absence,
        "searched_buurt": searched_buurt,
        "occurrences": with_absences(
            calendar.upcoming(officer.open_events, now=now),
            absences={officer.pk: coming},
        ),
        "priorities": priorities_for_buurten(buurten, day=today),
        "feed_url": reverse("officers:officer-feed", kwargs={"slug": officer.slug}),
    }


def _compass(*, from_lat: float, from_lon: float, to_lat: float, to_lon: float) -> str:
    """One of eight compass directions, translated, from one point to another."""
    names = [
        _("north"),
        _("north-east"),
        _("east"),
        _("south-east"),
        _("south"),
        _("south-west"),
        _("west"),
        _("north-west"),
    ]
    dx = (to_lon - from_lon) * math.cos(math.radians(from_lat))
    dy = to_lat - from_lat
    bearing = math.degrees(math.atan2(dx, dy)) % 360
    return names[round(bearing / 45) % 8]


def _distance_km(*, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class BuurtMap:
    """The SVG and the same information in words (its text alternative)."""

    svg: SafeString
    neighbours: list[Buurt]
    station_shown: bool
    station_inside: bool
    station_direction: str
    station_distance_km: float | None
    also_shown: bool = False


def _map_title(*, buurt: Buurt, also: Buurt | None, neighbours: list[Buurt]) -> str:
    names = {"buurt": buurt.name, "wijk": buurt.wijk.name, "also": also.name if also else ""}
    if also is not None and neighbours:
        title = _(
            "Map of the buurt %(buurt)s, the nearby buurt %(also)s and the other buurten of %(wijk)s"
        )
    elif also is not None:
        title = _("Map of the buurt %(buurt)s and the nearby buurt %(also)s")
    elif neighbours:
        title = _("Map of the buurt %(buurt)s and the other buurten of %(wijk)s")
    else:
        title = _("Map of the buurt %(buurt)s, the only buurt of %(wijk)s")
    return title % names


def buurt_map(
    *,
    buurt: Buurt,
    wijk_buurten: list[Buurt],
    station: Station | None,
    also: Buurt | None = None,
) -> BuurtMap:
    """The buurt among the other buurten of its wijk, with the station when it fits; `also` is
    the nearby buurt a postcode answer shows beside it, drawn as well (it may lie in another wijk)."""
    focus = buurt.geometry
    shapes = [MapShape(focus, buurt.name, role="focus")] if focus is not None else []
    also_geometry = also.geometry if also is not None else None
    if also is not None and also_geometry is not None:
        shapes.append(MapShape(also_geometry, also.name, role="also"))
    # The nearby buurt has its own shape and words, even when it lies in this wijk.
    shown_apart = {buurt.pk} | ({also.pk} if also is not None else set())
    neighbours = [other for other in wijk_buurten if other.pk not in shown_apart]
    shapes += [
        MapShape(other.geometry, other.name, role="context")
        for other in neighbours
        if other.boundary
    ]
    wijk_shape = shapely.union_all([shape.geometry for shape in shapes]) if shapes else None
    markers, shown, inside, direction, distance = [], False, False, "", None
    if station is not None and focus is not None and wijk_shape is not None:
        point = shapely.Point(station.lon, station.lat)
        min_x, min_y, max_x, max_y = wijk_shape.bounds
        both = shapely.union_all([wijk_shape.envelope, point]).envelope
        grown = max(
            (both.bounds[2] - both.bounds[0]) / max(max_x - min_x, 1e-9),
            (both.bounds[3] - both.bounds[1]) / max(max_y - min_y, 1e-9),
        )
        inside = bool(focus.covers(point))
        centre = shapely.point_on_surface(focus)
        direction = _compass(
            from_lat=centre.y, from_lon=centre.x, to_lat=station.lat, to_lon=station.lon
        )
        distance = round(
            _distance_km(lat1=centre.y, lon1=centre.x, lat2=station.lat, lon2=station.lon), 1
        )
        if grown <= STATION_MAP_STRETCH:
            markers.append(MapMarker(station.lon, station.lat, station.name))
            shown = True
            wijk_shape = both
    svg = render_map(
        shapes=shapes,
        markers=markers,
        title=_map_title(buurt=buurt, also=also, neighbours=neighbours),
        fit_to=wijk_shape,
    )
    return BuurtMap(
        svg, neighbours, shown, inside, direction, distance, also_shown=also_geometry is not None
    )


def coming_absences_by_officer(
    officers: list[Officer], *, today: dt.date
) -> dict[int, list[Absence]]:
    """The officers' absences not over on `today`, soonest first, per officer id (one query)."""
    absences: dict[int, list[Absence]] = {}
    rows = (
        Absence.objects.not_over(day=today)
        .filter(officer__in=officers)
        .with_deputy_away(day=today)
        .select_related("deputy")
        .order_by("starts_on")
    )
    for absence in rows:
        absences.setdefault(absence.officer_id, []).append(absence)
    return absences


@dataclass(frozen=True)
class AlsoShownBuurt:
    """The second buurt a postcode search offers when the postcode's centroid lies near it."""

    buurt: Buurt
    listed_officers: list[ListedOfficer]


def buurt_page_context(
    *, code: str, also_code: str = "", now: dt.datetime | None = None
) -> dict[str, Any] | None:
    """A buurt with its map, officers (and their absences), station, events and priorities in a
    fixed number of queries, however many officers it has, and as `also` the other active buurt
    named by `also_code` with its officers (None when it names none)."""
    now = now or timezone.now()
    buurt = Buurt.objects.active().select_related("wijk__municipality").filter(code=code).first()
    if buurt is None:
        return None
    also_buurt = None
    if also_code and also_code != code:
        also_buurt = (
            Buurt.objects.active()
            .select_related("wijk__municipality")
            # Its boundary is drawn on the map beside the buurt's; its wijk's is not needed.
            .defer("wijk__boundary")
            .filter(code=also_code)
            .first()
        )
    officers = officers_for_buurt(buurt)
    also_officers = officers_for_buurt(also_buurt) if also_buurt is not None else []
    wijk_buurten = list(
        Buurt.objects.filter(wijk_id=buurt.wijk_id)
        .only("id", "code", "name", "boundary")
        .order_by("name")
    )
    station = nearest_station(lat=buurt.label_lat, lon=buurt.label_lon, next_opening=True)
    today = timezone.localdate()
    everyone = officers + [o for o in also_officers if o not in officers]
    # The nearby buurt's officers are listed too, so are their spreekuren.
    events = calendar.not_over_of(everyone, now=now)
    absences = coming_absences_by_officer(everyone, today=today) if everyone else {}
    # Each card offers a way to reach the officer right there: their public channels.
    prefetch_related_objects(everyone, public_channels())

    def listed(people: list[Officer]) -> list[ListedOfficer]:
        return [
            ListedOfficer(officer, shown_absence(absences.get(officer.pk, []), today=today))
            for officer in people
        ]

    listed_here = listed(officers)
    return {
        "buurt": buurt,
        "officers": officers,
        "listed_officers": listed_here,
        # The buurt's own wijkagent first, then who stands in (`officers_for_buurt` sets the role).
        "wijkagenten": [o for o in listed_here if not o.is_deputy],
        "deputies": [o for o in listed_here if o.is_deputy],
        "also": AlsoShownBuurt(also_buurt, listed(also_officers)) if also_buurt else None,
        **_station_context(station, now),
        "map": buurt_map(buurt=buurt, wijk_buurten=wijk_buurten, station=station, also=also_buurt),
        "occurrences": with_absences(calendar.upcoming(events, now=now), absences=absences),
        "priorities": priorities_for_buurt(buurt, day=today),
        "feed_url": reverse("officers:buurt-feed", kwargs={"code": buurt.code}),
    }


_LEADING_PUNCTUATION = re.compile(r"^[\W_]+")


def name_sort_key(name: str) -> str:
    """A name as a Dutch reader looks it up: accents ignored ("Özlem" with the O, "Çelik" with
    the C) and case ignored ("de Vries" with the D, as the buurt pages order names), whatever
    the database's collation; punctuation before the first letter ("'t Hart") is skipped."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return _LEADING_PUNCTUATION.sub("", plain)


def index_letter(name: str) -> str:
    """The A-Z heading a name is listed under; "#" for a name that starts with no letter A-Z."""
    first = name_sort_key(name)[:1].upper()
    return first if "A" <= first <= "Z" else "#"


def officer_list_context(*, municipality: Municipality) -> dict[str, Any]:
    """The published officers assigned today to a buurt of the municipality, A-Z, each with
    those buurten: three queries whatever the size of the country."""
    assignments = current_assignments().filter(buurt__wijk__municipality=municipality)
    officers = sorted(
        Officer.objects.published()
        .filter(pk__in=assignments.values("officer_id"))
        .prefetch_related(
            Prefetch("assignments", queryset=assignments, to_attr="current_assignments")
        ),
        key=lambda o: (name_sort_key(o.name), o.name, o.pk),
    )
    letters: dict[str, list[Officer]] = {}
    for officer in officers:
        letters.setdefault(index_letter(officer.name), []).append(officer)
    return {"officers": officers, "letters": sorted(letters.items())}


def wijk_list_context(*, municipality: Municipality) -> dict[str, Any]:
    """Every wijk of the municipality in the active dataset with its buurten (one query)."""
    buurten = (
        Buurt.objects.active()
        .filter(wijk__municipality=municipality)
        .select_related("wijk")
        .only("code", "name", "wijk__code", "wijk__name")
        .order_by("wijk__name", "wijk_id", "name")
    )
    wijken: dict[int, tuple[str, list[Buurt]]] = {}
    for buurt in buurten:
        wijken.setdefault(buurt.wijk_id, (buurt.wijk.name, []))[1].append(buurt)
    return {"wijken": list(wijken.values())}


def _municipality_page(
    request: HttpRequest,
    gemeente: str | None,
    *,
    list_name: str,
    title: str,
    template: str,
    context: Callable[..., dict[str, Any]],
) -> HttpResponse:
    """A list per municipality. At the bare path the choice of municipalities (or straight to the
    only one); named by CBS code, a redirect to the slug; named by slug, the list itself."""
    if gemeente is None:
        served = served_municipalities()
        if len(served) == 1:
            return redirect(list_name, gemeente=served[0].slug)
        choice = {"municipalities": served, "list_name": list_name, "title": title}
        return render(request, "officers/municipality_choice.html", choice)
    entry, canonical = served_municipality(gemeente)
    if entry is None:
        raise Http404(_("The portal does not cover this municipality."))
    if not canonical:
        return redirect(list_name, gemeente=entry.slug, permanent=True)
    return render(request, template, {**context(municipality=entry.municipality), "served": entry})


@require_safe
def officer_list(request: HttpRequest, gemeente: str | None = None) -> HttpResponse:
    """All wijkagenten: first choose the municipality, then its wijkagenten A-Z."""
    return _municipality_page(
        request,
        gemeente,
        list_name="officers:municipality-list",
        title=_("All wijkagenten"),
        template="officers/officer_list.html",
        context=officer_list_context,
    )


@require_safe
def wijk_list(request: HttpRequest, gemeente: str | None = None) -> HttpResponse:
    """Browse without an address: first choose the municipality, then its wijken and buurten."""
    return _municipality_page(
        request,
        gemeente,
        list_name="officers:municipality-wijken",
        title=_("Wijken and buurten"),
        template="officers/wijk_list.html",
        context=wijk_list_context,
    )
