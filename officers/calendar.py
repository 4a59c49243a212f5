"""Spreekuren and meetings: which are still to come, and each one as an iCalendar (RFC 5545) file."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from .hours import STATION_TIME_ZONE
from .models import Event

WEEK = dt.timedelta(days=7)
# A published VTIMEZONE for Amsterdam (CET/CEST since 1996), so weekly events keep their wall-clock
# time across daylight-saving changes in every calendar program.
AMSTERDAM_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Amsterdam",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


@dataclass(frozen=True)
class Occurrence:
    """The next time an event takes place (for a weekly event: the next session not yet over)."""

    event: Event
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def is_weekly(self) -> bool:
        return self.event.recurrence == Event.Recurrence.WEEKLY


def not_over(queryset: QuerySet[Event], *, now: dt.datetime) -> QuerySet[Event]:
    """Events with a session still to come or going on: a narrow filter the database can apply."""
    today = now.astimezone(STATION_TIME_ZONE).date()
    return queryset.filter(
        Q(recurrence=Event.Recurrence.ONCE, ends_at__gt=now)
        | Q(recurrence=Event.Recurrence.WEEKLY)
        & (Q(repeat_until__isnull=True) | Q(repeat_until__gte=today))
    )


def next_occurrence(event: Event, *, now: dt.datetime) -> Occurrence | None:
    """The first session of `event` that has not ended at `now`, or None when all are past.

    Weekly sessions keep the first session's wall-clock time in Amsterdam, so a 19:00 spreekuur
    stays at 19:00 after the clocks change.
    """
    duration = event.ends_at - event.starts_at
    if event.recurrence != Event.Recurrence.WEEKLY or event.ends_at > now:
        if event.ends_at <= now:
            return None
        return Occurrence(event, event.starts_at, event.ends_at)
    first = event.starts_at.astimezone(STATION_TIME_ZONE)
    weeks = max(0, math.floor((now - event.ends_at) / WEEK))
    for step in range(weeks, weeks + 3):
        day = first.date() + step * WEEK
        if event.repeat_until is not None and day > event.repeat_until:
            return None
        starts = dt.datetime.combine(day, first.time().replace(tzinfo=None), STATION_TIME_ZONE)
        if starts + duration > now:
            return Occurrence(event, starts, starts + duration)
    return None


def upcoming(events: list[Event], *, now: dt.datetime | None = None) -> list[Occurrence]:
    """Sessions still to come, soonest first; past events are left out."""
    now = now or timezone.now()
    found = [next_occurrence(event, now=now) for event in events]
    return sorted((o for o in found if o is not None), key=lambda o: (o.starts_at, o.event.pk))


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1) without splitting a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(STATION_TIME_ZONE).strftime("%Y%m%dT%H%M%S")


def event_ical(
    event: Event,
    *,
    description: str,
    url: str,
    host: str,
    now: dt.datetime | None = None,
) -> str:
    """One VEVENT in a VCALENDAR; weekly events carry an RRULE (until `repeat_until`, inclusive)."""
    now = now or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Wijkportaal//Spreekuren//NL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *AMSTERDAM_VTIMEZONE,
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}@{host}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART;TZID=Europe/Amsterdam:{_local(event.starts_at)}",
        f"DTEND;TZID=Europe/Amsterdam:{_local(event.ends_at)}",
    ]
    if event.recurrence == Event.Recurrence.WEEKLY:
        rule = "RRULE:FREQ=WEEKLY"
        if event.repeat_until is not None:
            # With a zoned DTSTART, UNTIL must be UTC: the end of that day in Amsterdam.
            last = dt.datetime.combine(event.repeat_until, dt.time(23, 59, 59), STATION_TIME_ZONE)
            rule += f";UNTIL={_utc(last)}"
        lines.append(rule)
    lines += [
        f"SUMMARY:{_escape(event.title)}",
        f"LOCATION:{_escape(event.place)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
