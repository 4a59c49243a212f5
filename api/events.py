"""When an officer's events happen next: one-off and weekly events, in local wall-clock time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from officers.models import Event

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Occurrence:
    """One sitting of an event: when it starts and ends (aware datetimes)."""

    event: Event
    starts_at: dt.datetime
    ends_at: dt.datetime


def next_occurrence(event: Event, *, now: dt.datetime) -> Occurrence | None:
    """The first sitting of `event` that has not yet ended at `now`, or None when none is left.

    Weekly events keep their local wall-clock time across daylight-saving changes, so a spreekuur
    at 19:00 stays at 19:00 in winter and summer; `repeat_until` is the last local date it runs.
    """
    if event.recurrence != Event.Recurrence.WEEKLY:
        if event.ends_at > now:
            return Occurrence(event, event.starts_at, event.ends_at)
        return None
    zone = timezone.get_current_timezone()
    duration = event.ends_at - event.starts_at
    first_local = timezone.localtime(event.starts_at, zone).replace(tzinfo=None)
    # Jump close to `now` in whole weeks, then step; the one-week margin absorbs a DST hour.
    weeks = max(0, (now - event.ends_at) // WEEK - 1)
    while True:
        local_start = first_local + weeks * WEEK
        if event.repeat_until is not None and local_start.date() > event.repeat_until:
            return None
        starts_at = timezone.make_aware(local_start, zone)
        ends_at = starts_at + duration
        if ends_at > now:
            return Occurrence(event, starts_at, ends_at)
        weeks += 1


def upcoming_occurrences(events: list[Event], *, now: dt.datetime) -> list[Occurrence]:
    """The next sitting of each event that still has one, soonest first."""
    found = [next_occurrence(event, now=now) for event in events]
    return sorted(
        (occurrence for occurrence in found if occurrence is not None),
        key=lambda occurrence: (occurrence.starts_at, occurrence.event.pk or 0),
    )
