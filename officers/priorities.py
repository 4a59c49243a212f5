"""Aandachtspunten as residents read them: a buurt's and its wijk's priorities, newest first."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch

from neighbourhoods.models import Buurt

from .models import Priority, PriorityQuerySet, PriorityUpdate


def _shown(queryset: PriorityQuerySet, *, day: dt.date) -> list[Priority]:
    """Open ones first, then the closed ones; each group by its last update, newest first."""
    rows = (
        queryset.shown_on(day)
        .with_last_update()
        .select_related("buurt", "wijk")
        .defer("buurt__boundary", "wijk__boundary")
        .prefetch_related(
            Prefetch("updates", queryset=PriorityUpdate.objects.order_by("-date", "-pk"))
        )
    )
    return sorted(
        rows,
        key=lambda p: (not p.is_open, -p.last_update_on.toordinal(), -p.pk),
    )


def priorities_for_buurt(buurt: Buurt, *, day: dt.date) -> list[Priority]:
    """The priorities of a buurt and of its wijk that residents see on `day` (two queries)."""
    return _shown(Priority.objects.for_buurt(buurt), day=day)


def priorities_for_buurten(buurten: list[Buurt], *, day: dt.date) -> list[Priority]:
    """The priorities of an officer's buurten and of their wijken (two queries, none without)."""
    if not buurten:
        return []
    return _shown(Priority.objects.for_buurten(buurten), day=day)
