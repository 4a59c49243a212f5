"""Gaps in the officer data staff should close, shared by the admin's coverage page and coverage_report."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from neighbourhoods.models import Address, Buurt, Municipality, without_boundaries
from neighbourhoods.regions import NATIONAL, Region

from .models import Absence, Assignment, Officer, Priority
from .scoping import officer_q

# A profile nobody looked at for this long is probably out of date (issue: "the last 6 months").
STALE_AFTER_MONTHS = 6
# An open priority without an update for this long is reviewed too rarely (the UK's neighbourhood
# policing guarantee asks for a review at least every 3 months).
PRIORITY_STALE_AFTER_MONTHS = 3
# Nationally thousands of buurten could lack an officer; a page lists this many and counts the rest.
LIST_LIMIT = 200


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, clamped to the month's end (31 Aug -> 28 Feb)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def buurten_without_officer(*, day: dt.date, region: Region = NATIONAL) -> QuerySet[Buurt]:
    """Buurten of the active dataset with no published officer assigned on `day` (either role).

    An unpublished officer does not count: residents of that buurt see the no-officer page.
    """
    covered = Assignment.objects.valid_on(day).filter(officer__is_published=True).values("buurt_id")
    return (
        Buurt.objects.active()
        .filter(region.q("wijk__municipality_id"))
        .exclude(pk__in=covered)
        .select_related("wijk__municipality")
        .defer(*without_boundaries())
        .order_by("code")
    )


def officers_without_buurt(*, day: dt.date, region: Region = NATIONAL) -> QuerySet[Officer]:
    """Published officers with no assignment in the active dataset on `day`."""
    assigned = (
        Assignment.objects.valid_on(day).filter(buurt__dataset__is_active=True).values("officer_id")
    )
    return (
        Officer.objects.published()
        .filter(officer_q(region, day=day))
        .exclude(pk__in=assigned)
        .order_by("name")
    )


def stale_profiles(*, day: dt.date, region: Region = NATIONAL) -> QuerySet[Officer]:
    """Published officers whose profile was never reviewed (first), or not in the last 6 months."""
    cutoff = months_before(day, STALE_AFTER_MONTHS)
    return (
        Officer.objects.published()
        .filter(officer_q(region, day=day))
        .filter(Q(reviewed_on__isnull=True) | Q(reviewed_on__lt=cutoff))
        .order_by(F("reviewed_on").asc(nulls_first=True), "name")
    )


def _officers_of(region: Region, *, day: dt.date) -> Q:
    """A filter on absences for those of officers in the region."""
    if region.is_national:
        return Q()
    return Q(officer__in=Officer.objects.filter(officer_q(region, day=day)).values("pk"))


def absences_without_deputy(*, day: dt.date, region: Region = NATIONAL) -> QuerySet[Absence]:
    """Current and coming absences of published officers whose residents have nobody to turn to:
    no deputy, or a deputy residents cannot see."""
    return (
        Absence.objects.filter(ends_on__gte=day, officer__is_published=True)
        .filter(_officers_of(region, day=day))
        .filter(Q(deputy__isnull=True) | Q(deputy__is_published=False))
        .select_related("officer", "deputy")
        .order_by("starts_on", "officer__name")
    )


def absences_with_absent_deputy(*, day: dt.date, region: Region = NATIONAL) -> QuerySet[Absence]:
    """Current and coming absences whose deputy is away himself during them: residents sent to
    the deputy find nobody. Annotated with the dates of the deputy's first clashing absence not
    over on `day` (one that is over sends nobody astray any more)."""
    deputy_away = (
        Absence.objects.filter(
            officer_id=OuterRef("deputy_id"),
            starts_on__lte=OuterRef("ends_on"),
            ends_on__gte=OuterRef("starts_on"),
        )
        .filter(ends_on__gte=day)
        .order_by("starts_on")
    )
    return (
        Absence.objects.filter(ends_on__gte=day, deputy__isnull=False)
        .filter(_officers_of(region, day=day))
        .filter(Exists(deputy_away))
        .annotate(
            deputy_away_from=deputy_away.values("starts_on")[:1],
            deputy_away_until=deputy_away.values("ends_on")[:1],
        )
        .select_related("officer", "deputy")
        .order_by("starts_on", "officer__name")
    )


def stale_priorities(*, day: dt.date, region: Region = NATIONAL) -> QuerySet[Priority]:
    """Open priorities (of `region`) whose last update (or opening) is more than 3 months before
    `day`, the longest-forgotten first."""
    cutoff = months_before(day, PRIORITY_STALE_AFTER_MONTHS)
    return (
        Priority.objects.open()
        .filter(region.q("buurt__wijk__municipality_id") | region.q("wijk__municipality_id"))
        .with_last_update()
        .filter(last_update_on__lt=cutoff)  # type: ignore[misc]  # an annotation
        .select_related("buurt", "wijk")
        .defer("buurt__boundary", "wijk__boundary")
        .order_by("last_update_on", "title")
    )


@dataclass(frozen=True)
class GapList:
    """The first LIST_LIMIT items of one kind of gap, and how many there are in all."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _gap_list(queryset: QuerySet) -> GapList:
    items = list(queryset[:LIST_LIMIT])
    total = len(items) if len(items) < LIST_LIMIT else queryset.count()
    return GapList(items=items, total=total)


@dataclass(frozen=True)
class CoverageGaps:
    day: dt.date
    buurten_without_officer: GapList
    officers_without_buurt: GapList
    stale_profiles: GapList
    absences_without_deputy: GapList
    absences_with_absent_deputy: GapList
    stale_before: dt.date
    stale_priorities: GapList
    priorities_stale_before: dt.date

    @property
    def total(self) -> int:
        return (
            self.buurten_without_officer.total
            + self.officers_without_buurt.total
            + self.stale_profiles.total
            + self.absences_without_deputy.total
            + self.absences_with_absent_deputy.total
            + self.stale_priorities.total
        )


def coverage_gaps(*, day: dt.date, region: Region = NATIONAL) -> CoverageGaps:
    """Everything the admin's coverage page lists, in a fixed number of queries: the gaps of
    `region` (an editor's), by default of the whole country."""
    return CoverageGaps(
        day=day,
        buurten_without_officer=_gap_list(buurten_without_officer(day=day, region=region)),
        officers_without_buurt=_gap_list(officers_without_buurt(day=day, region=region)),
        stale_profiles=_gap_list(stale_profiles(day=day, region=region)),
        absences_without_deputy=_gap_list(absences_without_deputy(day=day, region=region)),
        absences_with_absent_deputy=_gap_list(absences_with_absent_deputy(day=day, region=region)),
        stale_before=months_before(day, STALE_AFTER_MONTHS),
        stale_priorities=_gap_list(stale_priorities(day=day, region=region)),
        priorities_stale_before=months_before(day, PRIORITY_STALE_AFTER_MONTHS),
    )


@dataclass
class MunicipalityCoverage:
    """One municipality's buurten in the active dataset and those without an officer."""

    municipality: Municipality
    buurten: int = 0
    uncovered: list[Buurt] = field(default_factory=list)


def coverage_by_municipality(*, day: dt.date) -> list[MunicipalityCoverage]:
    """Per municipality (A-Z): how many active buurten it has and which lack an officer on `day`."""
    counts = (
        Buurt.objects.active().values("wijk__municipality").annotate(buurten=Count("pk")).order_by()
    )
    municipalities = Municipality.objects.in_bulk([row["wijk__municipality"] for row in counts])
    by_municipality = {
        row["wijk__municipality"]: MunicipalityCoverage(
            municipality=municipalities[row["wijk__municipality"]], buurten=row["buurten"]
        )
        for row in counts
    }
    for buurt in buurten_without_officer(day=day):
        by_municipality[buurt.wijk.municipality_id].uncovered.append(buurt)
    return sorted(by_municipality.values(), key=lambda entry: entry.municipality.name)


def addresses_outside_buurten() -> dict[str, int]:
    """Addresses in no buurt, counted per woonplaats (A-Z).

    The register stores the woonplaats, not the municipality, and an address outside every buurt
    has no municipality known to the portal. Activating a dataset re-assigns every address, so
    an address never points at a buurt of an inactive dataset.
    """
    rows = (
        Address.objects.filter(buurt__isnull=True)
        .values("woonplaats")
        .annotate(addresses=Count("pk"))
        .order_by("woonplaats")
    )
    return {row["woonplaats"]: row["addresses"] for row in rows}
