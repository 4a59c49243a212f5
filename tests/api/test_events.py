"""The API's events come from officers.calendar: one-off and weekly, repeat_until and DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from officers.calendar import next_occurrence
from officers.calendar import upcoming as upcoming_occurrences
from officers.models import Event

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=AMSTERDAM)


def event(
    starts_at: dt.datetime,
    *,
    hours: float = 1,
    weekly: bool = False,
    repeat_until: dt.date | None = None,
    pk: int = 1,
) -> Event:
    # Unsaved: the function is pure and needs no database.
    return Event(
        pk=pk,
        title="Spreekuur",
        place="Buurthuis",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        recurrence=Event.Recurrence.WEEKLY if weekly else Event.Recurrence.ONCE,
        repeat_until=repeat_until,
    )


@pytest.fixture(autouse=True)
def amsterdam(settings):
    settings.TIME_ZONE = "Europe/Amsterdam"


def test_a_one_off_event_until_it_ends():
    once = event(local(2026, 11, 24, 19, 0))
    assert next_occurrence(once, now=local(2026, 11, 24, 19, 30)).starts_at == once.starts_at
    assert next_occurrence(once, now=local(2026, 11, 24, 20, 0)) is None


def test_a_weekly_event_gives_the_next_sitting():
    weekly = event(local(2026, 1, 6, 19, 0), weekly=True)  # a Tuesday
    found = next_occurrence(weekly, now=local(2026, 11, 21, 12, 0))  # a Saturday
    assert found.starts_at == local(2026, 11, 24, 19, 0)
    assert found.ends_at == local(2026, 11, 24, 20, 0)


def test_a_weekly_event_under_way_is_still_upcoming():
    weekly = event(local(2026, 1, 6, 19, 0), weekly=True)
    found = next_occurrence(weekly, now=local(2026, 11, 24, 19, 30))
    assert found.starts_at == local(2026, 11, 24, 19, 0)


def test_weekly_keeps_the_wall_clock_time_across_daylight_saving():
    winter = event(local(2026, 1, 6, 19, 0), weekly=True)
    summer = next_occurrence(winter, now=local(2026, 6, 1, 0, 0))
    assert summer.starts_at == local(2026, 6, 2, 19, 0)
    assert summer.starts_at.utcoffset() == dt.timedelta(hours=2)
    assert summer.starts_at.astimezone(dt.UTC).hour == 17


def test_repeat_until_is_the_last_date():
    weekly = event(local(2026, 11, 3, 19, 0), weekly=True, repeat_until=dt.date(2026, 11, 24))
    assert next_occurrence(weekly, now=local(2026, 11, 21, 0, 0)).starts_at == local(
        2026, 11, 24, 19, 0
    )
    assert next_occurrence(weekly, now=local(2026, 11, 24, 21, 0)) is None


def test_a_weekly_event_in_the_future_starts_at_its_first_sitting():
    weekly = event(local(2027, 3, 2, 10, 0), weekly=True)
    assert next_occurrence(weekly, now=local(2026, 11, 21, 0, 0)).starts_at == weekly.starts_at


def test_upcoming_sorts_soonest_first_and_drops_the_past():
    now = local(2026, 11, 21, 12, 0)
    later = event(local(2026, 12, 1, 10, 0), pk=1)
    past = event(local(2026, 11, 1, 10, 0), pk=2)
    weekly = event(local(2026, 1, 5, 10, 0), weekly=True, pk=3)  # Mondays
    found = upcoming_occurrences([later, past, weekly], now=now)
    assert [occurrence.event.pk for occurrence in found] == [3, 1]
    assert found[0].starts_at == local(2026, 11, 23, 10, 0)
