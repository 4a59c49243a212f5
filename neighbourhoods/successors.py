"""Where a buurt went: when a newly activated dataset no longer has a buurt's code, the active
buurten that cover part of the area it had (for the e-mail alerts of residents who followed it)."""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from django.db.models import F

from .models import Buurt

# An overlap counts when it is at least this share of the smaller of the two buurten, so that
# redrawn edges between neighbours (thin slivers) do not count as a successor.
MIN_OVERLAP_SHARE = 0.01


@dataclass(frozen=True)
class Succession:
    """A code that the active dataset lacks: its buurt as last published, and the active
    buurten overlapping it, by code. `former` is None when no dataset has the code any more."""

    code: str
    former: Buurt | None
    successors: list[Buurt] = field(default_factory=list)


def former_buurt(code: str) -> Buurt | None:
    """The buurt with `code` in the most recently activated dataset that is no longer active."""
    return (
        Buurt.objects.filter(code=code, dataset__is_active=False)
        .order_by(F("dataset__activated_at").desc(nulls_last=True), "-dataset_id")
        .first()
    )


def succession(code: str) -> Succession:
    """The active buurten that overlap the former buurt `code`, by code; none when the active
    dataset still has the code (nothing to succeed) or no boundary of it is left."""
    if Buurt.objects.active().filter(code=code).exists():
        return Succession(code=code, former=None)
    former = former_buurt(code)
    geometry = former.geometry if former is not None else None
    if former is None or geometry is None or geometry.is_empty:
        return Succession(code=code, former=former)
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    # The bounding boxes narrow the candidates in the database; shapely measures the overlap.
    candidates = Buurt.objects.active().filter(
        min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat
    )
    successors = []
    for buurt in candidates.order_by("code"):
        other = buurt.geometry
        if other is None or other.is_empty:
            continue
        smaller = min(geometry.area, other.area)
        overlap = shapely.intersection(geometry, other).area
        if smaller > 0 and overlap >= MIN_OVERLAP_SHARE * smaller:
            successors.append(buurt)
    return Succession(code=code, former=former, successors=successors)
