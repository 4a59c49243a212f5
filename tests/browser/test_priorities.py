"""Priorities in the browser: residents read them on the buurt page and the profile (phone and
desktop, Dutch and English, no serious accessibility violation); an editor adds an update in the
admin and the page and the Atom feeds show it, on hand-made data and on the demo with the page
cache on."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.utils import formats, timezone

from officers import changes
from officers.models import ChangeLogBuurt, ChangeLogEntry, Priority, PriorityUpdate
from tests import factories
from tests.browser.conftest import log_in_to_admin, serious_accessibility_violations
from tests.officers.admin_support import PASSWORD, make_editor

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(transactional_db):
    today = timezone.localdate()
    dataset = factories.make_dataset()
    buurt = factories.make_buurt(dataset, "BU00010001", factories.square(0, 0), name="West")
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    factories.assign(anna, buurt)
    bikes = Priority.objects.create(
        buurt=buurt,
        title="Fietsendiefstal bij het station",
        issue="Er worden veel fietsen gestolen.",
        action="Extra surveillance met de gemeente.",
        opened_on=today - dt.timedelta(days=40),
    )
    PriorityUpdate.objects.create(
        priority=bikes, date=today - dt.timedelta(days=3), text="Twee verdachten aangehouden."
    )
    changes.record_priority(priority=bikes, kind=ChangeLogEntry.Kind.PRIORITY_NEW, day=today)
    Priority.objects.create(
        wijk=buurt.wijk,
        title="Scooteroverlast",
        issue="Scooters op het plein.",
        action="Controles.",
        opened_on=today - dt.timedelta(days=200),
        status=Priority.Status.CLOSED,
        closed_on=today - dt.timedelta(days=30),
        outcome="Paaltjes geplaatst.",
    )
    return {"buurt": buurt, "anna": anna, "bikes": bikes, "editor": make_editor()}


@pytest.mark.parametrize(("width", "language"), [(375, "nl"), (1280, "en")])
def test_residents_read_priorities_on_the_buurt_page_and_the_profile(
    site, page, live_server, axe_source, screenshot_dir, width, language
):
    page.set_viewport_size({"width": width, "height": 900})
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + "/buurt/BU00010001/")
    section = page.locator("section.priorities")
    heading = section.locator("h2")
    assert heading.inner_text() == ("Aandachtspunten" if language == "nl" else "Priorities")
    items = section.locator("li.priority")
    assert items.count() == 2
    first = items.nth(0)
    assert "Fietsendiefstal bij het station" in first.locator("h3").inner_text()
    assert "Twee verdachten aangehouden." in first.inner_text()
    assert ("Laatste update" if language == "nl" else "Last update") in first.inner_text()
    closed = items.nth(1)
    assert ("afgerond" if language == "nl" else "completed") in closed.inner_text()
    assert "Paaltjes geplaatst." in closed.inner_text()
    alternate = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert alternate.get_attribute("href") == "/buurt/BU00010001/berichten.atom"
    assert serious_accessibility_violations(page, axe_source) == []
    section.screenshot(path=str(screenshot_dir / f"buurt-priorities-{width}-{language}.png"))

    page.goto(live_server.url + "/wijkagent/anna-voorbeeld/")
    assert page.locator("section.priorities li.priority").count() == 2
    alternate = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert alternate.get_attribute("href") == "/wijkagent/anna-voorbeeld/berichten.atom"
    assert serious_accessibility_violations(page, axe_source) == []
    page.screenshot(
        path=str(screenshot_dir / f"profile-priorities-{width}-{language}.png"), full_page=True
    )


def _feed_titles(page, url: str) -> list[str]:
    response = page.request.get(url)
    assert response.ok
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.body())  # noqa: S314 (the portal's own answer)
    return [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]


def test_an_editor_adds_an_update_and_the_page_and_feed_show_it(
    site, page, live_server, screenshot_dir
):
    resident = page.context.browser.new_context()
    feed_url = live_server.url + "/buurt/BU00010001/berichten.atom"
    before = _feed_titles(resident, feed_url)
    assert before == ["Nieuw aandachtspunt: Fietsendiefstal bij het station"]

    log_in_to_admin(page, live_server, site["editor"], password=PASSWORD)
    page.goto(f"{live_server.url}/beheer/officers/priority/{site['bikes'].pk}/change/")
    page.fill("#id_updates-1-text", "Camera's bij de stalling geplaatst.")
    page.screenshot(path=str(screenshot_dir / "admin-priority-update.png"), full_page=True)
    page.click("input[name=_save]")
    page.wait_for_url("**/beheer/officers/priority/")
    assert page.locator(".messagelist .success").count() == 1

    resident_page = resident.new_page()
    resident_page.goto(live_server.url + "/buurt/BU00010001/")
    first = resident_page.locator("section.priorities li.priority").nth(0)
    assert "Camera's bij de stalling geplaatst." in first.inner_text()
    titles = _feed_titles(resident, feed_url)
    assert titles == [
        "Aandachtspunt bijgewerkt: Fietsendiefstal bij het station",
        "Nieuw aandachtspunt: Fietsendiefstal bij het station",
    ]
    resident.close()


def _valid_feed(context, url: str) -> list[str]:
    """The entry titles of an Atom feed that a feed reader's parser takes without complaint."""
    response = context.request.get(url)
    assert response.ok
    parsed = feedparser.parse(response.body())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert all(entry.id.startswith("tag:") and entry.updated for entry in parsed.entries)
    return [entry.title for entry in parsed.entries]


def test_the_demo_shows_priorities_with_dates_and_both_feeds_follow_a_staff_save(
    transactional_db, settings, page, live_server, screenshot_dir
):
    """The issue's Done means on the demo, with the page cache on: Heerlen-Centrum's page shows
    its priorities with dates, and its feed and its wijkagent's feed, both already cached, show
    an update an editor saves at once."""
    cache.clear()
    call_command("load_demo", verbosity=0)
    settings.PAGE_CACHE_SECONDS = 300
    resident = page.context.browser.new_context(locale="nl-NL")
    resident_page = resident.new_page()
    resident_page.goto(live_server.url + "/buurt/BU09173300/")
    items = resident_page.locator("section.priorities li.priority")
    assert items.count() >= 3
    last_updates = []
    for index in range(items.count()):
        item = items.nth(index)
        stamp = item.locator("p.small time")
        day = dt.date.fromisoformat(stamp.get_attribute("datetime"))
        assert day <= timezone.localdate()
        assert stamp.inner_text() == formats.date_format(day, "j F Y")
        if "priority--closed" in item.get_attribute("class"):
            assert "Afgesloten op" in item.inner_text()
        else:
            assert "Laatste update" in item.inner_text()
            last_updates.append(day)
    assert last_updates and last_updates == sorted(last_updates, reverse=True)
    assert "Fietsendiefstal rond het station" in items.nth(0).inner_text()
    resident_page.locator("section.priorities").screenshot(
        path=str(screenshot_dir / "demo-priorities.png")
    )

    feeds = [
        live_server.url + "/buurt/BU09173300/berichten.atom",
        live_server.url + "/wijkagent/anna-voorbeeld/berichten.atom",
    ]
    before = {}
    for url in feeds:
        before[url] = _valid_feed(resident, url)
        assert "Nieuw aandachtspunt: Fietsendiefstal rond het station" in before[url]
    bikes = Priority.objects.get(title="Fietsendiefstal rond het station")
    # Written past the model signals, so nothing is invalidated: the feeds come from the cache.
    [quiet] = ChangeLogEntry.objects.bulk_create(
        [ChangeLogEntry(kind=ChangeLogEntry.Kind.PRIORITY_UPDATED, priority=bikes)]
    )
    ChangeLogBuurt.objects.bulk_create([ChangeLogBuurt(entry_id=quiet.pk, code="BU09173300")])
    for url in feeds:
        assert _valid_feed(resident, url) == before[url]

    editor = User.objects.create_superuser("redactie", "redactie@example.org", "demo-pass-123")
    log_in_to_admin(
        page,
        live_server,
        editor,
        password="demo-pass-123",
        start=f"/beheer/officers/priority/{bikes.pk}/change/",
    )
    page.fill(f"#id_updates-{bikes.updates.count()}-text", "Camera's bij de stalling geplaatst.")
    page.click("input[name=_save]")
    page.wait_for_url("**/beheer/officers/priority/")

    buurt_feed, officer_feed = (_valid_feed(resident, url) for url in feeds)
    saved = "Aandachtspunt bijgewerkt: Fietsendiefstal rond het station"
    assert buurt_feed == [saved, saved, *before[feeds[0]]]  # the save's entry and the quiet one
    assert officer_feed == [saved, *before[feeds[1]]]
    resident_page.goto(live_server.url + "/buurt/BU09173300/")
    first = resident_page.locator("section.priorities li.priority").nth(0)
    today = timezone.localdate()
    assert first.locator("p.small time").get_attribute("datetime") == today.isoformat()
    assert "Camera's bij de stalling geplaatst." in first.inner_text()
    resident.close()
    cache.clear()
