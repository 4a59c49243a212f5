"""Which cached public pages a staff save changes: for each model, the subjects (officers/subjects.py)
whose pages show a row. wijkportaal/cache.py retires them, as the row was before the save and as it
is after, and retires everything for a model not registered here.

Geography (buurten, wijken, municipalities, boundary datasets, the registers) is not registered:
those rows change by imports, not by editors, and are shown all over the site.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from neighbourhoods.covered import list_slugs
from neighbourhoods.models import Buurt, EditorScope
from wijkportaal.cache import register_pages_of

from .models import (
    Absence,
    Assignment,
    ChangeLogBuurt,
    ChangeLogEntry,
    ClosingDay,
    ContactChange,
    ContactChannel,
    DepartedOfficer,
    Event,
    Officer,
    OpeningHours,
    Priority,
    PriorityUpdate,
    Station,
)
from .pages import station_search_box
from .subjects import buurt_subject, municipality_subject, officer_subject

# Beyond the box `nearest_station` searches, so rounding never leaves out a buurt at its edge.
SEARCH_BOX_MARGIN = 1e-6


# What a saved row is shown on.


def _slugs(officers: QuerySet[Officer]) -> set[str]:
    return {officer_subject(slug) for slug in officers.values_list("slug", flat=True)}


def _buurten(buurten: QuerySet[Buurt], *, with_lists: bool = True) -> set[str]:
    """The pages of these buurten and, with `with_lists`, the lists of their municipalities."""
    rows = buurten.values_list("code", "wijk__municipality__code", "wijk__municipality__name")
    subjects: set[str] = set()
    for code, municipality_code, municipality_name in rows.distinct():
        subjects.add(buurt_subject(code))
        if with_lists:
            slugs = list_slugs(code=municipality_code, name=municipality_name)
            subjects.update(municipality_subject(slug) for slug in slugs)
    return subjects


def _officers(officers: QuerySet[Officer]) -> set[str]:
    """The profiles and feeds of these officers, and the pages and lists of every buurt they are
    assigned to on any date (a page may be from before an assignment ended or after it began)."""
    return _slugs(officers) | _buurten(Buurt.objects.filter(assignments__officer__in=officers))


def _feeds_of(entries: QuerySet[ChangeLogEntry]) -> set[str]:
    """The buurt and officer feeds that list these change log entries."""
    codes = ChangeLogBuurt.objects.filter(entry__in=entries).values_list("code", flat=True)
    officers = Officer.objects.filter(changes__in=entries).distinct()
    return {buurt_subject(code) for code in codes.distinct()} | _slugs(officers)


def officer_pages(officer: Officer) -> set[str]:
    itself = Officer.objects.filter(pk=officer.pk)
    subjects = {officer_subject(officer.slug)} | _officers(itself)
    # A colleague's absence names them as the deputy, on the colleague's profile and cards.
    subjects |= _officers(Officer.objects.filter(absences__deputy=officer.pk).distinct())
    # Feed entries about them, or naming them as a deputy, carry their name and link.
    subjects |= _feeds_of(ChangeLogEntry.objects.filter(officers=officer.pk, officer__isnull=False))
    return subjects


def assignment_pages(assignment: Assignment) -> set[str]:
    """The officer's profile, and the buurt's pages and its municipality's lists: moving an
    assignment retires the old buurt too, as the row was before the save."""
    return _slugs(Officer.objects.filter(pk=assignment.officer_id)) | _buurten(
        Buurt.objects.filter(pk=assignment.buurt_id)
    )


def _officer_rows(officer_id: int | None) -> set[str]:
    """For what belongs to one officer (an absence, an event, a channel): everything showing them."""
    return _officers(Officer.objects.filter(pk=officer_id)) if officer_id else set()


def absence_pages(absence: Absence) -> set[str]:
    """The officer's pages, and those of the colleagues they stand in for: on the days a deputy is
    away, those pages send residents to 0900-8844 instead."""
    covered = Officer.objects.filter(
        absences__deputy=absence.officer_id, absences__ends_on__gte=timezone.localdate()
    ).distinct()
    return _officer_rows(absence.officer_id) | (_officers(covered) if absence.officer_id else set())


def event_pages(event: Event) -> set[str]:
    return _officer_rows(event.officer_id)


def station_pages(station: Station) -> set[str]:
    """Where it is the officers' own station, and every buurt it may be the nearest station of,
    with the officers of those buurten (a profile without a station shows the nearest)."""
    lat_range, lon_range = station_search_box(
        lat=station.lat, lon=station.lon, margin=SEARCH_BOX_MARGIN
    )
    near = Buurt.objects.active().filter(label_lat__range=lat_range, label_lon__range=lon_range)
    officers = Officer.objects.filter(
        Q(station=station.pk) | Q(assignments__buurt__in=near)
    ).distinct()
    return _officers(officers) | _buurten(near, with_lists=False)


def _station_rows(station_id: int | None) -> set[str]:
    station = Station.objects.filter(pk=station_id).first() if station_id else None
    return station_pages(station) if station is not None else set()


def channel_pages(channel: ContactChannel) -> set[str]:
    return _officer_rows(channel.officer_id) | _station_rows(channel.station_id)


def opening_hours_pages(hours: OpeningHours) -> set[str]:
    return _station_rows(hours.station_id)


def closing_day_pages(day: ClosingDay) -> set[str]:
    return _station_rows(day.station_id)


def priority_pages(priority: Priority) -> set[str]:
    """Its buurt, or every buurt of its wijk, with the profiles of their officers (a profile shows
    the priorities of the officer's buurten and wijken), and the feeds listing it."""
    if priority.buurt_id:
        buurten = Buurt.objects.filter(pk=priority.buurt_id)
    elif priority.wijk_id:
        buurten = Buurt.objects.filter(wijk=priority.wijk_id)
    else:
        return set()
    officers = Officer.objects.filter(assignments__buurt__in=buurten).distinct()
    return (
        _buurten(buurten, with_lists=False)
        | _slugs(officers)
        | _feeds_of(ChangeLogEntry.objects.filter(priority=priority.pk))
    )


def priority_update_pages(update: PriorityUpdate) -> set[str]:
    priority = Priority.objects.filter(pk=update.priority_id).first()
    return priority_pages(priority) if priority is not None else set()


def change_pages(entry: ChangeLogEntry) -> set[str]:
    about = _slugs(Officer.objects.filter(pk=entry.officer_id)) if entry.officer_id else set()
    return _feeds_of(ChangeLogEntry.objects.filter(pk=entry.pk)) | about


def change_buurt_pages(row: ChangeLogBuurt) -> set[str]:
    return {buurt_subject(row.code)}


def departed_pages(departed: DepartedOfficer) -> set[str]:
    return {officer_subject(departed.slug)}


def not_public(row: Any) -> Iterable[str]:
    """Kept for staff only (who may edit where, what changed in contact details)."""
    return ()


def register() -> None:
    """Called from the app config: every model of this app and of the geography app that a page
    shows by subject; the rest retire everything."""
    for model, pages_of in (
        (Officer, officer_pages),
        (Assignment, assignment_pages),
        (Absence, absence_pages),
        (Event, event_pages),
        (ContactChannel, channel_pages),
        (Station, station_pages),
        (OpeningHours, opening_hours_pages),
        (ClosingDay, closing_day_pages),
        (Priority, priority_pages),
        (PriorityUpdate, priority_update_pages),
        (ChangeLogEntry, change_pages),
        (ChangeLogBuurt, change_buurt_pages),
        (DepartedOfficer, departed_pages),
        (ContactChange, not_public),
        (EditorScope, not_public),
    ):
        register_pages_of(model, pages_of)
