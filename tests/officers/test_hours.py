"""Opening hours: open now until, opens later, closed today, closing days, appointment only."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from officers.hours import OpeningState, opening_status
from officers.models import ClosingDay, OpeningHours
from officers.pages import stations_with_today
from tests import factories

AMS = ZoneInfo("Europe/Amsterdam")
# Monday 23 November 2026 (winter time, UTC+1) and Monday 6 July 2026 (summer time, UTC+2).
WINTER_MONDAY = dt.date(2026, 11, 23)
SUMMER_MONDAY = dt.date(2026, 7, 6)


def hours(*rows):
    return [OpeningHours(weekday=day, opens=opens, closes=closes) for day, opens, closes in rows]


WEEKDAYS_WITH_LUNCH = hours(
    *[(day, dt.time(9), dt.time(12, 30)) for day in range(5)],
    *[(day, dt.time(13, 30), dt.time(17)) for day in range(5)],
)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), AMS)


def status(now, *, rows=WEEKDAYS_WITH_LUNCH, closed=None, appointment=False):
    return opening_status(
        by_appointment_only=appointment, hours=rows, closed_today_reason=closed, now=now
    )


@pytest.mark.parametrize(
    ("clock", "state", "until", "opens_at"),
    [
        ((8, 59), OpeningState.OPENS_LATER_TODAY, None, dt.time(9)),
        ((9, 0), OpeningState.OPEN, dt.time(12, 30), None),
        ((12, 30), OpeningState.OPENS_LATER_TODAY, None, dt.time(13, 30)),
        ((16, 59), OpeningState.OPEN, dt.time(17), None),
        ((17, 0), OpeningState.CLOSED_FOR_THE_DAY, None, None),
    ],
)
def test_the_state_follows_the_clock(clock, state, until, opens_at):
    result = status(at(WINTER_MONDAY, *clock))
    assert result.state == state
    assert result.until == until
    assert result.opens_at == opens_at


def test_amsterdam_time_is_used_whatever_zone_now_is_given_in():
    # 15:30 UTC is 16:30 in Amsterdam in winter (open) and 17:30 in summer (closed).
    assert status(dt.datetime.combine(WINTER_MONDAY, dt.time(15, 30), dt.UTC)).state == (
        OpeningState.OPEN
    )
    assert status(dt.datetime.combine(SUMMER_MONDAY, dt.time(15, 30), dt.UTC)).state == (
        OpeningState.CLOSED_FOR_THE_DAY
    )


def test_a_day_without_hours_is_closed_today():
    saturday = WINTER_MONDAY + dt.timedelta(days=5)
    result = status(at(saturday, 11))
    assert result.state == OpeningState.CLOSED_TODAY
    assert [day.is_today for day in result.week] == [False] * 5 + [True, False]


def test_a_closing_day_wins_over_the_weekly_hours():
    result = status(at(WINTER_MONDAY, 10), closed="Tweede Kerstdag")
    assert result.state == OpeningState.CLOSED_TODAY
    assert result.closing_reason == "Tweede Kerstdag"


def test_by_appointment_only_shows_no_hours():
    assert status(at(WINTER_MONDAY, 10), appointment=True).state == OpeningState.BY_APPOINTMENT


@pytest.mark.django_db
def test_todays_closing_day_is_annotated_in_amsterdam_date():
    station = factories.make_station()
    today = dt.datetime.now(AMS).date()
    ClosingDay.objects.create(station=station, date=today, reason="Koningsdag")
    ClosingDay.objects.create(station=station, date=today + dt.timedelta(days=1))
    assert stations_with_today().get().closed_today == "Koningsdag"
    ClosingDay.objects.filter(date=today).delete()
    assert stations_with_today().get().closed_today is None
