"""Events: which sessions are still to come, and the iCalendar file of one."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest

from officers.calendar import event_ical, next_occurrence, upcoming
from officers.models import Absence, Event
from tests import factories

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=AMS)


def event(**fields) -> Event:
    fields.setdefault("title", "Spreekuur")
    fields.setdefault("place", "Buurthuis")
    return Event(pk=fields.pop("pk", 1), **fields)


def test_a_past_one_off_event_is_hidden_and_a_future_one_listed():
    past = event(starts_at=NOW - dt.timedelta(hours=3), ends_at=NOW - dt.timedelta(hours=2))
    future = event(
        pk=2, starts_at=NOW + dt.timedelta(days=2), ends_at=NOW + dt.timedelta(days=2, hours=1)
    )
    going_on = event(
        pk=3, starts_at=NOW - dt.timedelta(minutes=30), ends_at=NOW + dt.timedelta(minutes=30)
    )
    assert [o.event.pk for o in upcoming([future, past, going_on], now=NOW)] == [3, 2]


def test_a_weekly_event_keeps_its_wall_clock_time_across_the_clock_change():
    # First session on a summer Tuesday at 19:00; the next after NOW is a winter Tuesday, 19:00.
    first = dt.datetime(2026, 9, 1, 19, 0, tzinfo=AMS)
    weekly = event(
        starts_at=first, ends_at=first + dt.timedelta(hours=1), recurrence=Event.Recurrence.WEEKLY
    )
    occurrence = next_occurrence(weekly, now=NOW)
    assert occurrence.starts_at.astimezone(AMS) == dt.datetime(2026, 11, 24, 19, 0, tzinfo=AMS)
    assert occurrence.ends_at - occurrence.starts_at == dt.timedelta(hours=1)


def test_a_weekly_event_ends_with_its_repeat_until_date():
    first = dt.datetime(2026, 9, 1, 19, 0, tzinfo=AMS)
    weekly = event(
        starts_at=first,
        ends_at=first + dt.timedelta(hours=1),
        recurrence=Event.Recurrence.WEEKLY,
        repeat_until=dt.date(2026, 11, 20),
    )
    assert next_occurrence(weekly, now=NOW) is None
    weekly.repeat_until = dt.date(2026, 11, 24)
    assert next_occurrence(weekly, now=NOW).starts_at.date() == dt.date(2026, 11, 24)


def test_ical_file_for_a_weekly_event():
    first = dt.datetime(2026, 9, 1, 19, 0, tzinfo=AMS)
    weekly = event(
        pk=7,
        title="Spreekuur; met koffie, thee",
        place="Buurthuis De Kling, Heerlen",
        starts_at=first,
        ends_at=first + dt.timedelta(hours=1),
        recurrence=Event.Recurrence.WEEKLY,
        repeat_until=dt.date(2026, 12, 22),
    )
    body = event_ical(
        weekly,
        description="Met Anna",
        url="https://example.org/wijkagent/anna/",
        host="example.org",
        now=NOW,
    )
    lines = body.split("\r\n")
    assert body.endswith("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert "UID:event-7@example.org" in lines
    assert "DTSTART;TZID=Europe/Amsterdam:20260901T190000" in lines
    assert "DTEND;TZID=Europe/Amsterdam:20260901T200000" in lines
    # 23:59:59 on 22 December in Amsterdam is 22:59:59 UTC.
    assert "RRULE:FREQ=WEEKLY;UNTIL=20261222T225959Z" in lines
    assert "SUMMARY:Spreekuur\\; met koffie\\, thee" in lines
    assert "LOCATION:Buurthuis De Kling\\, Heerlen" in lines
    assert "TZID:Europe/Amsterdam" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    parsed = icalendar.Calendar.from_ical(body)
    (vevent,) = parsed.walk("VEVENT")
    assert vevent.decoded("dtstart") == first
    assert str(vevent["summary"]) == "Spreekuur; met koffie, thee"


def test_the_time_zone_carries_the_clock_changes_the_event_spans():
    first = dt.datetime(2026, 9, 1, 19, 0, tzinfo=AMS)
    weekly = event(
        starts_at=first,
        ends_at=first + dt.timedelta(hours=1),
        recurrence=Event.Recurrence.WEEKLY,
        repeat_until=dt.date(2027, 6, 1),
    )
    body = event_ical(weekly, description="", url="https://example.org/", host="example.org")
    (zone,) = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")
    offsets = {str(part["TZNAME"]): part["TZOFFSETTO"].td for part in zone.subcomponents}
    assert offsets == {"CEST": dt.timedelta(hours=2), "CET": dt.timedelta(hours=1)}
    transitions = sorted(
        part.decoded("dtstart").date() for part in zone.subcomponents if part.get("RDATE") is None
    )
    assert dt.date(2026, 10, 25) in transitions


def excluded(body: str) -> list[dt.datetime]:
    """The EXDATE values of the one VEVENT, as the calendar program reads them."""
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    values = vevent.get("exdate", [])
    return [
        value.dt
        for value_list in (values if isinstance(values, list) else [values])
        for value in value_list.dts
    ]


def test_sessions_in_an_absence_are_left_out_of_the_weekly_rule():
    first = dt.datetime(2026, 9, 1, 19, 0, tzinfo=AMS)
    weekly = event(
        starts_at=first,
        ends_at=first + dt.timedelta(hours=1),
        recurrence=Event.Recurrence.WEEKLY,
        repeat_until=dt.date(2026, 12, 22),
    )
    # Away from a Wednesday to a Tuesday across the clock change, and on one later Tuesday.
    absences = [
        Absence(starts_on=dt.date(2026, 10, 21), ends_on=dt.date(2026, 11, 3)),
        Absence(starts_on=dt.date(2026, 12, 15), ends_on=dt.date(2026, 12, 15)),
    ]
    body = event_ical(
        weekly, description="", url="https://example.org/", host="example.org", absences=absences
    )
    tuesdays = [dt.date(2026, 10, 27), dt.date(2026, 11, 3), dt.date(2026, 12, 15)]
    expected = [dt.datetime.combine(day, dt.time(19, 0), AMS) for day in tuesdays]
    assert excluded(body) == expected
    assert all(str(moment.tzinfo) == "Europe/Amsterdam" for moment in excluded(body))
    assert "EXDATE;TZID=Europe/Amsterdam:20261027T190000,20261103T190000,20261215T190000" in (
        body.replace("\r\n ", "")
    )


def test_an_absence_between_two_sessions_or_of_a_one_off_event_adds_no_exdate():
    first = dt.datetime(2026, 9, 1, 19, 0, tzinfo=AMS)
    weekly = event(
        starts_at=first, ends_at=first + dt.timedelta(hours=1), recurrence=Event.Recurrence.WEEKLY
    )
    once = event(starts_at=first, ends_at=first + dt.timedelta(hours=1))
    between = [Absence(starts_on=dt.date(2026, 9, 2), ends_on=dt.date(2026, 9, 7))]
    during = [Absence(starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 9, 1))]
    for shown, absences in ((weekly, between), (once, during)):
        body = event_ical(
            shown, description="", url="https://example.org/", host="example.org", absences=absences
        )
        assert "EXDATE" not in body and excluded(body) == [], shown.recurrence


@pytest.mark.django_db
def test_the_downloaded_file_leaves_out_the_sessions_the_officer_is_away(client):
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    today = dt.datetime.now(AMS).date()
    first = dt.datetime.combine(today + dt.timedelta(days=2), dt.time(19, 0), AMS)
    spreekuur = Event.objects.create(
        officer=officer,
        title="Spreekuur",
        place="Buurthuis",
        starts_at=first,
        ends_at=first + dt.timedelta(hours=1),
        recurrence=Event.Recurrence.WEEKLY,
    )
    Absence.objects.create(
        officer=officer,
        starts_on=today + dt.timedelta(days=8),
        ends_on=today + dt.timedelta(days=9),
    )
    Absence.objects.create(officer=factories.make_officer(), starts_on=today, ends_on=today)
    body = client.get(f"/agenda/{spreekuur.pk}.ics").content.decode()
    assert excluded(body) == [first + dt.timedelta(days=7)]


@pytest.mark.django_db
def test_ical_download(client):
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    start = dt.datetime.now(AMS) + dt.timedelta(days=3)
    spreekuur = Event.objects.create(
        officer=officer,
        title="Spreekuur",
        place="Buurthuis",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    response = client.get(f"/agenda/{spreekuur.pk}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "SUMMARY:Spreekuur" in body
    assert "http://testserver/wijkagent/anna-voorbeeld/" in body.replace("\r\n ", "")


@pytest.mark.django_db
def test_ical_of_a_past_event_or_an_unpublished_officer_is_not_found(client):
    officer = factories.make_officer()
    past = dt.datetime.now(AMS) - dt.timedelta(days=3)
    gone = Event.objects.create(
        officer=officer,
        title="Oud",
        place="X",
        starts_at=past,
        ends_at=past + dt.timedelta(hours=1),
    )
    assert client.get(f"/agenda/{gone.pk}.ics").status_code == 404
    hidden = factories.make_officer(is_published=False)
    future = dt.datetime.now(AMS) + dt.timedelta(days=3)
    secret = Event.objects.create(
        officer=hidden,
        title="Nee",
        place="X",
        starts_at=future,
        ends_at=future + dt.timedelta(hours=1),
    )
    assert client.get(f"/agenda/{secret.pk}.ics").status_code == 404
    assert client.get("/agenda/999999.ics").status_code == 404
