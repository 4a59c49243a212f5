"""Which officers, stations and events lie in an editor's region (see neighbourhoods.regions).

An officer lies in every municipality of a buurt they are assigned to (now or later), and in the
municipality named on the profile, so a new officer with no buurt yet, or one between two
assignments, stays with the editors who keep it. An officer whose buurten span two municipalities
lies in both. A station lies in the municipality named on it; an event with its officer.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from neighbourhoods.regions import Region

from .models import Assignment, Event, Officer, Station


def officer_q(region: Region, *, day: dt.date | None = None) -> Q:
    """A filter on officers for those in `region`; ended assignments no longer count."""
    if region.is_national:
        return Q()
    day = day or timezone.localdate()
    # One uncorrelated subquery, evaluated once, rather than a probe per officer row.
    assigned_here = Assignment.objects.filter(
        region.q("buurt__wijk__municipality_id"),
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
    ).values("officer_id")
    return region.q("municipality_id") | Q(pk__in=assigned_here)


def officers_in(
    region: Region, queryset: QuerySet[Officer] | None = None, *, day: dt.date | None = None
) -> QuerySet[Officer]:
    queryset = Officer.objects.all() if queryset is None else queryset
    return queryset.filter(officer_q(region, day=day))


def stations_in(region: Region, queryset: QuerySet[Station] | None = None) -> QuerySet[Station]:
    queryset = Station.objects.all() if queryset is None else queryset
    return queryset.filter(region.q("municipality_id"))


def events_in(region: Region, queryset: QuerySet[Event] | None = None) -> QuerySet[Event]:
    queryset = Event.objects.all() if queryset is None else queryset
    if region.is_national:
        return queryset
    return queryset.filter(officer__in=officers_in(region).values("pk"))
