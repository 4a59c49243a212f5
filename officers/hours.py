"""A station's opening hours for today: "open now until 17:00", "closed today", in Amsterdam time."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone

from .models import OpeningHours, Station

# Stations are Dutch: their hours are wall-clock times in Amsterdam, whatever the server's zone.
STATION_TIME_ZONE = ZoneInfo("Europe/Amsterdam")


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
class OpeningStatus:
    """Where a station stands right now; `until` or `opens_at` completes the sentence."""

    state: OpeningState
    today: tuple[Interval, ...] = ()
    until: dt.time | None = None
    opens_at: dt.time | None = None
    closing_reason: str = ""
    week: tuple[DayHours, ...] = field(default_factory=tuple)


def station_now(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(STATION_TIME_ZONE)


def opening_status(
    *,
    by_appointment_only: bool,
    hours: Iterable[OpeningHours],
    closed_today_reason: str | None,
    now: dt.datetime | None = None,
) -> OpeningStatus:
    """The status at `now` (default: this moment) from the station's weekly hours.

    `closed_today_reason` is None on an ordinary day and the closing day's reason (possibly empty)
    when a ClosingDay falls on today's date in Amsterdam.
    """
    local = station_now(now)
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
        return OpeningStatus(OpeningState.BY_APPOINTMENT, week=week)
    if closed_today_reason is not None:
        return OpeningStatus(
            OpeningState.CLOSED_TODAY, closing_reason=closed_today_reason, week=week
        )
    today = week[local.weekday()].intervals
    if not today:
        return OpeningStatus(OpeningState.CLOSED_TODAY, week=week)
    clock = local.time().replace(tzinfo=None)
    for interval in today:
        if interval.opens <= clock < interval.closes:
            return OpeningStatus(OpeningState.OPEN, today, until=interval.closes, week=week)
        if clock < interval.opens:
            return OpeningStatus(
                OpeningState.OPENS_LATER_TODAY, today, opens_at=interval.opens, week=week
            )
    return OpeningStatus(OpeningState.CLOSED_FOR_THE_DAY, today, week=week)


def station_opening_status(station: Station, *, now: dt.datetime | None = None) -> OpeningStatus:
    """The status of a station whose `opening_hours` and `closed_today` the page query prepared.

    `closed_today` is the annotation from `with_today_closing` (None: an ordinary day).
    """
    return opening_status(
        by_appointment_only=station.by_appointment_only,
        hours=station.opening_hours.all(),
        closed_today_reason=getattr(station, "closed_today", None),
        now=now,
    )
