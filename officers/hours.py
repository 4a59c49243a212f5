"""A station's opening hours for today: "open now until 17:00", "closed today, open again on
Monday at 09:00", in Amsterdam time, and the moment that status next changes."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone

from .models import OpeningHours, Station

# Stations are Dutch: their hours are wall-clock times in Amsterdam, whatever the server's zone.
STATION_TIME_ZONE = ZoneInfo("Europe/Amsterdam")
# How far ahead the next opening is looked for: a week of hours plus a run of closing days
# (Christmas and New Year); the pages prefetch the closing days of this many days.
NEXT_OPENING_HORIZON_DAYS = 14


class OpeningState(enum.Enum):
    OPEN = "open"
    OPENS_LATER_TODAY = "opens-later-today"
    CLOSED_FOR_THE_DAY = "closed-for-the-day"
    CLOSED_TODAY = "closed-today"
    BY_APPOINTMENT = "by-appointment"


@dataclass(frozen=True)
class Interval:
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class DayHours:
    weekday: int
    name: str
    intervals: tuple[Interval, ...]
    is_today: bool


@dataclass(frozen=True)
class NextOpening:
    """When a station that is closed for the rest of today opens again (Amsterdam time)."""

    at: dt.datetime
    is_tomorrow: bool


@dataclass(frozen=True)
class OpeningStatus:
    """Where a station stands right now; `until`, `opens_at` or `next_opening` completes the
    sentence. `changes_at` is the next moment the sentence (or the day marked today) changes."""

    state: OpeningState
    today: tuple[Interval, ...] = ()
    until: dt.time | None = None
    opens_at: dt.time | None = None
    closing_reason: str = ""
    week: tuple[DayHours, ...] = field(default_factory=tuple)
    next_opening: NextOpening | None = None
    changes_at: dt.datetime | None = None


def station_now(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(STATION_TIME_ZONE)


def next_midnight(local: dt.datetime) -> dt.datetime:
    """The start of the next day at the stations, when a page's "today" ends."""
    return dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), STATION_TIME_ZONE)


def _next_opening(
    week: tuple[DayHours, ...], *, local: dt.datetime, closed_on: Collection[dt.date]
) -> NextOpening | None:
    """The first opening after today that no closing day cancels, within the horizon."""
    for offset in range(1, NEXT_OPENING_HORIZON_DAYS + 1):
        day = local.date() + dt.timedelta(days=offset)
        intervals = week[day.weekday()].intervals
        if intervals and day not in closed_on:
            at = dt.datetime.combine(day, intervals[0].opens, STATION_TIME_ZONE)
            return NextOpening(at, is_tomorrow=offset == 1)
    return None


def opening_status(
    *,
    by_appointment_only: bool,
    hours: Iterable[OpeningHours],
    closed_today_reason: str | None,
    closed_on: Collection[dt.date] = (),
    now: dt.datetime | None = None,
) -> OpeningStatus:
    """The status at `now` (default: this moment) from the station's weekly hours.

    `closed_today_reason` is None on an ordinary day and the closing day's reason (possibly empty)
    when a ClosingDay falls on today's date in Amsterdam; `closed_on` holds the dates of the
    coming closing days, which the next opening skips.
    """
    local = station_now(now)
    midnight = next_midnight(local)
    by_day: dict[int, list[Interval]] = {day: [] for day in range(7)}
    for row in hours:
        by_day[row.weekday].append(Interval(row.opens, row.closes))
    week = tuple(
        DayHours(
            weekday=day,
            name=str(OpeningHours.Weekday(day).label),
            intervals=tuple(sorted(by_day[day], key=lambda i: i.opens)),
            is_today=day == local.weekday(),
        )
        for day in range(7)
    )
    if by_appointment_only:
        return OpeningStatus(OpeningState.BY_APPOINTMENT, week=week, changes_at=midnight)

    def closed(
        state: OpeningState, today: tuple[Interval, ...] = (), reason: str = ""
    ) -> OpeningStatus:
        return OpeningStatus(
            state,
            today,
            closing_reason=reason,
            week=week,
            next_opening=_next_opening(week, local=local, closed_on=closed_on),
            changes_at=midnight,
        )

    if closed_today_reason is not None:
        return closed(OpeningState.CLOSED_TODAY, reason=closed_today_reason)
    today = week[local.weekday()].intervals
    if not today:
        return closed(OpeningState.CLOSED_TODAY)
    clock = local.time().replace(tzinfo=None)
    for interval in today:
        if interval.opens <= clock < interval.closes:
            return OpeningStatus(
                OpeningState.OPEN,
                today,
                until=interval.closes,
                week=week,
                changes_at=dt.datetime.combine(local.date(), interval.closes, STATION_TIME_ZONE),
            )
        if clock < interval.opens:
            return OpeningStatus(
                OpeningState.OPENS_LATER_TODAY,
                today,
                opens_at=interval.opens,
                week=week,
                changes_at=dt.datetime.combine(local.date(), interval.opens, STATION_TIME_ZONE),
            )
    return closed(OpeningState.CLOSED_FOR_THE_DAY, today)


def station_opening_status(station: Station, *, now: dt.datetime | None = None) -> OpeningStatus:
    """The status of a station whose `opening_hours`, `closed_today` and `coming_closing_days`
    the page query prepared.

    `closed_today` is the annotation from `stations_with_today` (None: an ordinary day);
    `coming_closing_days` the prefetch of the closing days within the horizon.
    """
    return opening_status(
        by_appointment_only=station.by_appointment_only,
        hours=station.opening_hours.all(),
        closed_today_reason=getattr(station, "closed_today", None),
        closed_on={day.date for day in getattr(station, "coming_closing_days", ())},
        now=now,
    )


def seconds_until(moment: dt.datetime | None, *, now: dt.datetime | None = None) -> int | None:
    """Whole seconds from `now` to `moment` (never negative); None when there is no moment."""
    if moment is None:
        return None
    return max(0, int((moment - (now or timezone.now())).total_seconds()))
