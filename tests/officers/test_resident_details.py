"""The small things residents ran into (issue 20, item 17): A-Z order, phone links, postcodes,
"closed today" saying when the station opens again, and cached pages that follow the clock."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.text import slugify

from officers.hours import opening_status
from officers.models import Absence, ClosingDay, OpeningHours
from tests import factories

AMS = ZoneInfo("Europe/Amsterdam")
# Monday 23 November 2026.
MONDAY = dt.date(2026, 11, 23)
WEEKDAYS_NINE_TO_FIVE = [
    OpeningHours(weekday=day, opens=dt.time(9), closes=dt.time(17)) for day in range(5)
]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), AMS)


def status(now: dt.datetime, *, closed_on=(), closed_today=None):
    return opening_status(
        by_appointment_only=False,
        hours=WEEKDAYS_NINE_TO_FIVE,
        closed_today_reason=closed_today,
        closed_on=closed_on,
        now=now,
    )


# --- A-Z ---


def test_the_a_to_z_list_groups_names_as_dutch_readers_expect(client, buurten):
    for name in ["Tom Toneel", "Özlem Çelik-de Vries", "Anna Voorbeeld", "de Vries Jan", "Pim"]:
        factories.assign(factories.make_officer(name, slug=slugify(name)), buurten["west"])
    html = client.get("/wijkagenten/testgemeente/").content.decode()
    headings = re.findall(r'<h2 id="letter-[^"]*">([^<]*)</h2>', html)
    assert headings == ["A", "D", "O", "P", "T"]
    order = [html.index(name) for name in ["Anna", "de Vries Jan", "Özlem", "Pim", "Tom"]]
    assert order == sorted(order)
    o_section = html.split('id="letter-O"')[1].split("</section>")[0]
    assert "Özlem Çelik-de Vries" in o_section


# --- Phone links, postcodes, the decorative marks ---


@pytest.fixture
def anna(buurten):
    station = factories.make_station()
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", station=station)
    factories.assign(anna, buurten["west"])
    return anna


def test_call_0900_in_an_absence_is_a_phone_link(client, anna):
    today = timezone.localdate()
    Absence.objects.create(officer=anna, starts_on=today, ends_on=today)
    for url in ["/wijkagent/anna-voorbeeld/", "/buurt/BU00010001/"]:
        html = client.get(url).content.decode()
        notice = html.split("notice--absence")[1].split("</p>")[0]
        assert '<a href="tel:09008844">0900-8844</a>' in notice, url


def test_emergency_sentences_link_112(client, anna):
    html = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert 'altijd <a href="tel:112">112</a>' in html


def test_the_station_postcode_is_written_with_a_space(client, anna):
    html = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert "6411 NH Heerlen" in html
    assert "6411NH" not in html


def test_the_open_or_closed_mark_is_hidden_from_screen_readers(client, anna):
    html = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    marks = re.findall(r"<span[^>]*>[●○]</span>", html)
    assert len(marks) == 1
    assert 'aria-hidden="true"' in marks[0]
    assert not re.search(r"[●○]", html.replace(marks[0], ""))


# --- When a closed station opens again ---


def test_closed_on_saturday_opens_again_on_monday():
    result = status(at(MONDAY + dt.timedelta(days=5), 11))
    assert result.next_opening.at == at(MONDAY + dt.timedelta(days=7), 9)
    assert not result.next_opening.is_tomorrow


def test_after_closing_time_on_a_weekday_it_opens_again_tomorrow():
    result = status(at(MONDAY, 18))
    assert result.next_opening.at == at(MONDAY + dt.timedelta(days=1), 9)
    assert result.next_opening.is_tomorrow


def test_the_next_opening_skips_closing_days():
    friday = MONDAY + dt.timedelta(days=4)
    result = status(at(friday, 18), closed_on={MONDAY + dt.timedelta(days=7)})
    assert result.next_opening.at == at(MONDAY + dt.timedelta(days=8), 9)


def test_a_closing_day_today_says_when_the_station_opens_again():
    result = status(at(MONDAY, 10), closed_today="Tweede Kerstdag")
    assert result.next_opening.at == at(MONDAY + dt.timedelta(days=1), 9)


def test_the_status_changes_at_closing_time_opening_time_and_midnight():
    assert status(at(MONDAY, 16, 58)).changes_at == at(MONDAY, 17)
    assert status(at(MONDAY, 8)).changes_at == at(MONDAY, 9)
    assert status(at(MONDAY, 18)).changes_at == at(MONDAY + dt.timedelta(days=1), 0)


@pytest.fixture
def saturday_morning(monkeypatch):
    now = at(MONDAY + dt.timedelta(days=5), 11)
    monkeypatch.setattr(timezone, "now", lambda: now.astimezone(dt.UTC))
    return now


def test_closed_today_on_the_page_says_when_it_opens_again(client, anna, saturday_morning):
    for day in range(5):
        OpeningHours.objects.create(
            station=anna.station, weekday=day, opens=dt.time(9), closes=dt.time(17)
        )
    ClosingDay.objects.create(station=anna.station, date=MONDAY + dt.timedelta(days=7))
    html = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert "Vandaag gesloten." in html
    assert "Weer open op dinsdag 1 december om 09:00." in html


# --- The page cache follows the opening hours ---


@pytest.fixture
def page_timeouts(monkeypatch) -> list[int]:
    """The timeout of every page the page cache stores, in order."""
    timeouts: list[int] = []
    real_set = cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        if key.startswith("public-page:"):
            timeouts.append(timeout)
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", recording_set)
    return timeouts


def test_a_cached_page_expires_when_the_station_closes(
    client, anna, settings, monkeypatch, page_timeouts
):
    settings.PAGE_CACHE_SECONDS = 300
    now = at(MONDAY, 16, 58)
    monkeypatch.setattr(timezone, "now", lambda: now.astimezone(dt.UTC))
    OpeningHours.objects.create(
        station=anna.station, weekday=0, opens=dt.time(9), closes=dt.time(17)
    )
    html = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert "Nu open tot 17:00." in html
    assert page_timeouts == [120]


def test_a_cached_page_expires_at_midnight_when_an_absence_starts(
    client, buurten, settings, monkeypatch, page_timeouts
):
    settings.PAGE_CACHE_SECONDS = 300
    now = at(MONDAY, 23, 58)
    monkeypatch.setattr(timezone, "now", lambda: now.astimezone(dt.UTC))
    # No station, so no opening hours bound the page: only the day does.
    bram = factories.make_officer("Bram Zonderbureau", slug="bram-zonderbureau")
    factories.assign(bram, buurten["west"], valid_from=MONDAY - dt.timedelta(days=30))
    Absence.objects.create(
        officer=bram, starts_on=MONDAY + dt.timedelta(days=1), ends_on=MONDAY + dt.timedelta(days=3)
    )
    for url in ["/wijkagent/bram-zonderbureau/", "/buurt/BU00010001/", "/buurt/BU00010001/kaart/"]:
        assert client.get(url).status_code == 200
    assert page_timeouts == [120, 120, 120]
