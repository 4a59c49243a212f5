"""Spreekuren and meetings: which are still to come, and each one as an iCalendar (RFC 5545) file."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import icalendar
from django.db.models import Q, QuerySet
from django.utils import timezone
from icalendar.prop import vText

from .hours import STATION_TIME_ZONE
from .models import Absence, Event, Officer

WEEK = dt.timedelta(days=7)
# How far ahead an open-ended weekly event's VTIMEZONE spells out the clock changes; calendar
# programs know Europe/Amsterdam by its TZID beyond that.
OPEN_ENDED_ZONE_SPAN = dt.timedelta(days=5 * 365)


@dataclass(frozen=True)
class Occurrence:
    """The next time an event takes place (for a weekly event: the next session not yet over)."""

    event: Event
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def is_weekly(self) -> bool:
        return self.event.recurrence == Event.Recurrence.WEEKLY

    @property
    def day(self) -> dt.date:
        """The day it starts on in Amsterdam."""
        return self.starts_at.astimezone(STATION_TIME_ZONE).date()


def not_over(queryset: QuerySet[Event], *, now: dt.datetime) -> QuerySet[Event]:
    """Events with a session still to come or going on: a narrow filter the database can apply."""
    today = now.astimezone(STATION_TIME_ZONE).date()
    return queryset.filter(
        Q(recurrence=Event.Recurrence.ONCE, ends_at__gt=now)
        | Q(recurrence=Event.Recurrence.WEEKLY)
        & (Q(repeat_until__isnull=True) | Q(repeat_until__gte=today))
    )


def not_over_of(officers: Sequence[Officer], *, now: dt.datetime) -> list[Event]:
    """The events of these officers that are not over, each with its officer (no query for none)."""
    if not officers:
        return []
    events = Event.objects.filter(officer__in=officers).select_related("officer")
    return list(not_over(events, now=now))


def _weekly_session(event: Event, week: int) -> Occurrence:
    """Session number `week` (the first is 0) of a weekly event, at the first session's
    wall-clock time in Amsterdam, so a 19:00 spreekuur stays at 19:00 after the clocks change."""
    first = event.starts_at.astimezone(STATION_TIME_ZONE)
    day = first.date() + week * WEEK
    starts = dt.datetime.combine(day, first.time().replace(tzinfo=None), STATION_TIME_ZONE)
    return Occurrence(event, starts, starts + (event.ends_at - event.starts_at))


def weekly_sessions(event: Event, *, from_day: dt.date) -> Iterator[Occurrence]:
    """The sessions of a weekly event on or after `from_day`, in order, up to its `repeat_until`;
    without one they never end, so the caller stops."""
    first_day = event.starts_at.astimezone(STATION_TIME_ZONE).date()
    for week in itertools.count(max(0, math.ceil((from_day - first_day) / WEEK))):
        session = _weekly_session(event, week)
        if event.repeat_until is not None and session.day > event.repeat_until:
            return
        yield session


def next_occurrence(event: Event, *, now: dt.datetime) -> Occurrence | None:
    """The first session of `event` that has not ended at `now`, or None when all are past."""
    if event.recurrence != Event.Recurrence.WEEKLY or event.ends_at > now:
        if event.ends_at <= now:
            return None
        return Occurrence(event, event.starts_at, event.ends_at)
    weeks = max(0, math.floor((now - event.ends_at) / WEEK))
    for step in range(weeks, weeks + 3):
        session = _weekly_session(event, step)
        if event.repeat_until is not None and session.day > event.repeat_until:
            return None
        if session.ends_at > now:
            return session
    return None


def cancelled_by(occurrence: Occurrence, absences: Sequence[Absence]) -> Absence | None:
    """The absence (of the event's officer) that cancels the session: the officer is away on its
    day in Amsterdam. None when it takes place."""
    return next((a for a in absences if a.starts_on <= occurrence.day <= a.ends_on), None)


def next_held(occurrence: Occurrence, absences: Sequence[Absence]) -> Occurrence | None:
    """The first session of a weekly event after `occurrence` that no absence cancels; None
    for a one-off event, or when every session left is cancelled."""
    if not occurrence.is_weekly:
        return None
    later = weekly_sessions(occurrence.event, from_day=occurrence.day + dt.timedelta(days=1))
    # Absences end, so an endless series has a held session after the last of them.
    return next((session for session in later if cancelled_by(session, absences) is None), None)


def cancelled_sessions(event: Event, absences: Sequence[Absence]) -> list[Occurrence]:
    """The sessions of a weekly event that these absences (of its officer) cancel, in order."""
    if event.recurrence != Event.Recurrence.WEEKLY or not absences:
        return []
    last_day = max(absence.ends_on for absence in absences)
    sessions = itertools.takewhile(
        lambda session: session.day <= last_day,
        weekly_sessions(event, from_day=min(absence.starts_on for absence in absences)),
    )
    return [session for session in sessions if cancelled_by(session, absences) is not None]


def upcoming(events: list[Event], *, now: dt.datetime | None = None) -> list[Occurrence]:
    """Sessions still to come, soonest first; past events are left out."""
    now = now or timezone.now()
    found = [next_occurrence(event, now=now) for event in events]
    return sorted((o for o in found if o is not None), key=lambda o: (o.starts_at, o.event.pk))


def one_line_break(text: str) -> str:
    """`text` with every line break (CRLF, LF or a lone CR) as LF, the one break TEXT escaping
    turns into `\\n`: a CR left alone would end the content line in some readers."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def escape_text(text: str) -> str:
    """`text` as an escaped TEXT value (RFC 5545 3.3.11; vCard 3.0 escapes the same way)."""
    return vText(one_line_break(text)).to_ical().decode("utf-8")


def single_line(value: str) -> str:
    """A URI or other non-TEXT value with any line break removed, as it has no escape for one."""
    return "".join(value.splitlines())


def event_ical(
    event: Event,
    *,
    description: str,
    url: str,
    host: str,
    now: dt.datetime | None = None,
    absences: Sequence[Absence] = (),
) -> str:
    """One VEVENT in a VCALENDAR; weekly events carry an RRULE (until `repeat_until`, inclusive)
    and an EXDATE for each session the officer's `absences` cancel.

    Times are wall-clock times in Amsterdam with the VTIMEZONE icalendar derives from zoneinfo, so
    weekly events keep their time across daylight-saving changes in every calendar program.
    """
    now = now or timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Wijkportaal//Spreekuren//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    vevent = icalendar.Event()
    vevent.add("uid", f"event-{event.pk}@{single_line(host)}")
    vevent.add("dtstamp", now.astimezone(dt.UTC))
    vevent.add("dtstart", event.starts_at.astimezone(STATION_TIME_ZONE))
    vevent.add("dtend", event.ends_at.astimezone(STATION_TIME_ZONE))
    last_day = event.ends_at.astimezone(STATION_TIME_ZONE).date()
    if event.recurrence == Event.Recurrence.WEEKLY:
        last_day = event.repeat_until or max(last_day, now.date()) + OPEN_ENDED_ZONE_SPAN
        rule: dict[str, object] = {"freq": "weekly"}
        if event.repeat_until is not None:
            # With a zoned DTSTART, UNTIL must be UTC: the end of that day in Amsterdam.
            last = dt.datetime.combine(event.repeat_until, dt.time(23, 59, 59), STATION_TIME_ZONE)
            rule["until"] = last.astimezone(dt.UTC)
        vevent.add("rrule", rule)
        cancelled = cancelled_sessions(event, absences)
        if cancelled:
            # In Amsterdam time like DTSTART, so each value names a session the rule yields.
            vevent.add("exdate", [session.starts_at for session in cancelled])
    vevent.add("summary", one_line_break(event.title))
    vevent.add("location", one_line_break(event.place))
    vevent.add("description", one_line_break(description))
    vevent.add("url", single_line(url))
    calendar.add_component(vevent)
    calendar.add_missing_timezones(
        first_date=event.starts_at.astimezone(STATION_TIME_ZONE).date(),
        last_date=last_day + dt.timedelta(days=1),
    )
    return calendar.to_ical().decode("utf-8")
