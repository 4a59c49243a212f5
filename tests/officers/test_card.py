"""The printable buurt card: what it shows, the QR code's address, the A5 variant, its links."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.checks import run_checks
from django.utils import timezone, translation
from django.utils.formats import date_format

from officers.card import CARD_OFFICERS, opening_ranges
from officers.hours import DayHours, Interval
from officers.models import Event
from tests import factories


@pytest.fixture
def card_buurt(buurten):
    officer = factories.make_officer("Anna Voorbeeld")
    factories.assign(officer, buurten["west"])
    factories.add_channel(officer, "phone", "045-1234567")
    factories.add_channel(officer, "email", "hidden@example.org", public=False)
    factories.make_station("Bureau Test")
    start = timezone.now() + dt.timedelta(days=2)
    Event.objects.create(
        officer=officer,
        title="Spreekuur in het buurthuis",
        place="Buurthuis West",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    return buurten["west"]


def test_the_card_shows_officer_spreekuur_station_emergency_numbers_and_qr(client, card_buurt):
    response = client.get("/buurt/BU00010001/kaart/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anna Voorbeeld" in html
    assert "045-1234567" in html
    assert "hidden@example.org" not in html
    assert "Spreekuur in het buurthuis" in html
    assert "Bureau Test" in html
    for number in ("112", "0900-8844", "0800-7000"):
        assert number in html
    assert '<svg viewBox="0 0 ' in html and 'class="qr-code"' in html
    assert "card-page--a4" in html


def test_the_qr_address_comes_from_site_url(client, card_buurt, settings):
    settings.SITE_URL = "https://wijkagent.example.nl"
    html = client.get("/buurt/BU00010001/kaart/").content.decode()
    assert 'href="https://wijkagent.example.nl/buurt/BU00010001/"' in html


def test_without_site_url_the_card_uses_the_host_asked(client, card_buurt, settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["kaart.example.nl"]
    html = client.get("/buurt/BU00010001/kaart/", HTTP_HOST="kaart.example.nl").content.decode()
    assert 'href="http://kaart.example.nl/buurt/BU00010001/"' in html


def test_the_a5_card_has_its_own_path(client, card_buurt):
    html = client.get("/buurt/BU00010001/kaart/a5/").content.decode()
    assert "card-page--a5" in html
    assert 'href="/buurt/BU00010001/kaart/">A4</a>' in html
    assert client.get("/buurt/BU00010001/kaart/a3/").status_code == 404


def test_a_buurt_without_officers_still_gets_a_card(client, buurten):
    html = client.get("/buurt/BU00010002/kaart/").content.decode()
    assert "0900-8844" in html
    assert 'class="qr-code"' in html


def test_an_unknown_buurt_has_no_card(client, buurten):
    assert client.get("/buurt/BU99999999/kaart/").status_code == 404


def test_the_card_sets_no_cookie(client, card_buurt):
    assert not client.get("/buurt/BU00010001/kaart/").cookies


def test_the_buurt_page_links_to_its_card_and_to_the_help_page(client, card_buurt):
    html = client.get("/buurt/BU00010001/").content.decode()
    assert 'href="/buurt/BU00010001/kaart/"' in html
    assert 'href="/hulp/"' in html


def test_deploy_check_warns_when_site_url_is_missing(settings):
    settings.SITE_URL = ""
    assert "guidance.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.SITE_URL = "https://wijkagent.example.nl"
    assert "guidance.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}


def test_days_with_the_same_hours_are_merged():
    nine_to_five = (Interval(dt.time(9), dt.time(17)),)
    week = tuple(
        DayHours(weekday=n, name=name, intervals=nine_to_five if n < 5 else (), is_today=False)
        for n, name in enumerate(["ma", "di", "wo", "do", "vr", "za", "zo"])
    )
    assert [(r.first, r.last, r.intervals) for r in opening_ranges(week)] == [
        ("ma", "vr", nine_to_five),
        ("za", "zo", ()),
    ]


def test_the_card_lists_four_officers_and_counts_the_rest(client, buurten):
    for number in range(6):
        factories.assign(factories.make_officer(f"Agent {number}"), buurten["east"])
    html = client.get("/buurt/BU00010002/kaart/").content.decode()
    assert html.count('class="card-officer"') == CARD_OFFICERS
    assert "Hier werken nog 2 agenten" in html


def test_the_card_takes_a_fixed_number_of_queries(client, card_buurt, django_assert_num_queries):
    for number in range(3):
        officer = factories.make_officer(f"Extra {number}")
        factories.assign(officer, card_buurt)
        factories.add_channel(officer, "phone", "045-7654321")
    with django_assert_num_queries(8):
        client.get("/buurt/BU00010001/kaart/")


def test_the_card_says_when_an_absent_officer_is_back(client, card_buurt):
    # A course inside a holiday: the card gives the holiday's end, as the buurt page does.
    anna = card_buurt.assignments.get().officer
    today = timezone.localdate()
    holiday = anna.absences.create(starts_on=today, ends_on=today + dt.timedelta(days=9))
    anna.absences.create(starts_on=today, ends_on=today + dt.timedelta(days=2))
    html = client.get("/buurt/BU00010001/kaart/").content.decode()
    [absence] = re.findall(r'<p class="card-absence">(.*?)</p>', html, re.S)
    with translation.override("nl"):
        assert f"Afwezig tot en met {date_format(holiday.ends_on, 'j F Y')}" in absence


def test_an_english_card_translates_the_rank_and_the_spreekuren_heading(client, buurten):
    factories.assign(factories.make_officer("Anna Voorbeeld", rank="Hoofdagent"), buurten["west"])
    client.cookies["django_language"] = "en"
    html = client.get("/buurt/BU00010001/kaart/").content.decode()
    assert "Senior police officer · Wijkagent" in html
    assert "Hoofdagent" not in html
    assert "Spreekuren and meetings" not in html
    assert "Office hours (spreekuren) and meetings" in html
    assert "No office hours or meetings are planned at the moment." in html


def test_the_card_writes_the_station_postcode_with_a_space(client, card_buurt):
    html = client.get("/buurt/BU00010001/kaart/").content.decode()
    assert "6411 NH Heerlen" in html
    assert "6411NH" not in html


def test_a_weekly_spreekuur_whose_next_session_is_cancelled_shows_the_one_after(client, buurten):
    """The card hangs on a notice board for weeks: a session the officer's absence cancels is
    left out, and the spreekuur is shown with the next session that does take place."""
    anna = factories.make_officer("Anna Voorbeeld")
    factories.assign(anna, buurten["west"])
    start = timezone.localtime() + dt.timedelta(days=2)
    Event.objects.create(
        officer=anna,
        title="Wekelijks spreekuur",
        place="Buurthuis West",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        recurrence=Event.Recurrence.WEEKLY,
    )
    anna.absences.create(starts_on=start.date(), ends_on=start.date())
    html = client.get("/buurt/BU00010001/kaart/").content.decode()
    assert "Wekelijks spreekuur" in html
    next_week = (start + dt.timedelta(days=7)).date().isoformat()
    assert f'datetime="{next_week}T' in html
    assert f'datetime="{start.date().isoformat()}T' not in html
