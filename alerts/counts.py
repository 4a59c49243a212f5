"""How many addresses follow each buurt: the numbers staff see, never the addresses."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from neighbourhoods.models import Buurt
from neighbourhoods.regions import Region, buurten_in

from .models import Subscription


@dataclass(frozen=True)
class FollowerCount:
    code: str
    # None for a code the active dataset no longer has.
    name: str | None
    municipality: str
    confirmed: int
    waiting: int


def followers_per_buurt(*, region: Region) -> list[FollowerCount]:
    """Confirmed and unconfirmed subscriptions per buurt of `region`, by code; codes no active
    buurt has any more only for national staff."""
    rows = (
        Subscription.objects.values("buurt_code")
        .annotate(
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
            waiting=Count("pk", filter=Q(confirmed_at__isnull=True)),
        )
        .order_by("buurt_code")
    )
    counted = {row["buurt_code"]: row for row in rows}
    buurten = {
        code: (name, municipality)
        for code, name, municipality in buurten_in(region, Buurt.objects.active())
        .filter(code__in=list(counted))
        .values_list("code", "name", "wijk__municipality__name")
    }
    found = []
    for code, row in counted.items():
        name, municipality = buurten.get(code, (None, ""))
        if name is None and not region.is_national:
            continue
        found.append(
            FollowerCount(
                code=code,
                name=name,
                municipality=municipality,
                confirmed=row["confirmed"],
                waiting=row["waiting"],
            )
        )
    return found
