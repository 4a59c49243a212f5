"""The Atom feeds of a buurt and an officer: valid Atom (RFC 4287), stable ids, fresh after a save."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from officers import changes
from officers.feeds import entry_tag
from officers.models import ChangeLogBuurt, ChangeLogEntry, Priority
from tests import factories
from tests.officers.test_english_words import bare_spreekuur
from tests.officers.test_priorities import priority_form

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time, as RFC 4287 section 3.3 requires for atom:updated.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
Kind = ChangeLogEntry.Kind
TODAY = timezone.localdate()


def valid_atom(body: bytes) -> ET.Element:
    """The feed element, after checking what RFC 4287 requires of a feed and its entries, and
    that a feed reader's own parser takes it as Atom 1.0 without complaint."""
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    feed = ET.fromstring(body)  # noqa: S314 (the portal's own answer, not untrusted input)
    assert len(parsed.entries) == len(feed.findall(f"{ATOM}entry"))
    assert feed.tag == f"{ATOM}feed"

    def one(element: ET.Element, name: str) -> ET.Element:
        found = element.findall(f"{ATOM}{name}")
        assert len(found) == 1, f"{element.tag} needs exactly one atom:{name}"
        return found[0]

    for name in ("id", "title", "updated"):
        assert one(feed, name).text
    assert RFC3339.match(one(feed, "updated").text)
    feed_has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    assert any(link.get("rel") == "self" for link in feed.findall(f"{ATOM}link"))
    ids = []
    for entry in feed.findall(f"{ATOM}entry"):
        ids.append(one(entry, "id").text)
        assert one(entry, "title").text
        assert RFC3339.match(one(entry, "updated").text)
        assert feed_has_author or entry.find(f"{ATOM}author") is not None
        # Without atom:content an entry needs an alternate link (section 4.1.2).
        links = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert entry.find(f"{ATOM}content") is not None or links
        assert all(link.get("href", "").startswith("http") for link in links)
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    return feed


def entries(feed: ET.Element) -> list[dict[str, str]]:
    return [
        {
            "id": entry.find(f"{ATOM}id").text,
            "title": entry.find(f"{ATOM}title").text,
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary", ""),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def anna(buurten):
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    factories.assign(officer, buurten["west"])
    return officer


@pytest.fixture
def priority(anna, buurten):
    priority = Priority.objects.create(
        buurt=buurten["west"], title="Fietsendiefstal", issue="Fietsen weg.", action="Controles."
    )
    changes.record_priority(priority=priority, kind=Kind.PRIORITY_NEW, day=TODAY)
    return priority


def test_the_buurt_feed_is_valid_atom_with_its_priorities(client, priority, english_messages):
    response = client.get("/buurt/BU00010001/berichten.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = valid_atom(response.content)
    assert feed.find(f"{ATOM}title").text == "News of the buurt West"
    [entry] = entries(feed)
    assert entry["title"] == "New priority: Fietsendiefstal"
    assert entry["link"] == f"http://testserver/buurt/BU00010001/#aandachtspunt-{priority.pk}"
    change_id = ChangeLogEntry.objects.get().pk
    # The first host the site serves names it (the test client's "testserver").
    assert entry["id"] == f"tag:testserver,2026:wijkportaal/change/{change_id}"


@pytest.mark.parametrize(
    "url", ["/buurt/BU00010001/berichten.atom", "/wijkagent/anna-voorbeeld/berichten.atom"]
)
def test_english_feeds_say_office_hours(client, anna, english_messages, url):
    start = timezone.now() + dt.timedelta(days=3)
    # A title staff typed is shown as typed; this one has no Dutch word to explain.
    event = anna.events.create(
        title="Buurtoverleg",
        place="Buurthuis",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    changes.record_event(event=event, kind=Kind.EVENT_NEW, day=TODAY)
    text = client.get(url).content.decode()
    assert "office hours (spreekuren) and meetings" in text
    assert bare_spreekuur(text) == []


def test_entry_ids_are_stable_and_new_entries_come_first(
    client, anna, priority, buurten, english_messages
):
    before = entries(valid_atom(client.get("/wijkagent/anna-voorbeeld/berichten.atom").content))
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    changes.record_absence(
        absence=anna.absences.create(
            starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=3), deputy=bram
        ),
        kind=Kind.ABSENCE_NEW,
        day=TODAY,
    )
    after = entries(valid_atom(client.get("/wijkagent/anna-voorbeeld/berichten.atom").content))
    assert [entry["id"] for entry in after[1:]] == [entry["id"] for entry in before]
    assert after[0]["title"].startswith("Anna Voorbeeld is away from")


def test_feeds_of_unknown_buurten_and_unpublished_officers_are_not_found(client, buurten):
    factories.make_officer("Geheim", slug="geheim", is_published=False)
    assert client.get("/buurt/BU99999999/berichten.atom").status_code == 404
    assert client.get("/wijkagent/geheim/berichten.atom").status_code == 404


def test_news_about_an_unpublished_officer_stays_out_of_the_feed(client, buurten):
    hidden = factories.make_officer("Geheim", slug="geheim", is_published=False)
    changes.record_assignment(
        assignment=factories.assign(hidden, buurten["west"]), kind=Kind.ASSIGNMENT_NEW
    )
    feed = valid_atom(client.get("/buurt/BU00010001/berichten.atom").content)
    assert entries(feed) == []


def test_the_pages_link_their_feeds(client, anna):
    buurt_page = client.get("/buurt/BU00010001/").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/buurt/BU00010001/berichten.atom"'
        in buurt_page
    )
    profile = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert 'type="application/atom+xml" href="/wijkagent/anna-voorbeeld/berichten.atom"' in profile


def test_a_cached_feed_shows_a_staff_save_at_once(
    editor_client, settings, anna, buurten, english_messages
):
    settings.PAGE_CACHE_SECONDS = 300
    client = Client()  # a resident: no session, so the page cache serves them
    url = "/buurt/BU00010001/berichten.atom"
    assert entries(valid_atom(client.get(url).content)) == []
    # Written without a model signal, so no page is invalidated: the feed comes from the cache.
    [quiet] = ChangeLogEntry.objects.bulk_create([ChangeLogEntry(kind=Kind.OFFICER_PUBLISHED)])
    ChangeLogBuurt.objects.bulk_create([ChangeLogBuurt(entry_id=quiet.pk, code="BU00010001")])
    assert entries(valid_atom(client.get(url).content)) == []
    response = editor_client.post(
        reverse("admin:officers_priority_add"),
        priority_form(buurt=buurten["west"].pk, title="Hardrijders", issue="x", action="y"),
    )
    assert response.status_code == 302
    ids = [entry["id"] for entry in entries(valid_atom(client.get(url).content))]
    saved = ChangeLogEntry.objects.get(kind=Kind.PRIORITY_NEW)
    assert ids == [entry_tag(host="testserver", entry_id=pk) for pk in (saved.pk, quiet.pk)]
    feed = valid_atom(client.get("/wijkagent/anna-voorbeeld/berichten.atom").content)
    assert [entry["title"] for entry in entries(feed)] == ["New priority: Hardrijders"]


def test_the_feed_speaks_the_readers_language(client, priority):
    dutch = valid_atom(client.get("/buurt/BU00010001/berichten.atom").content)
    assert dutch.get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"
    client.cookies["django_language"] = "en"
    english = valid_atom(client.get("/buurt/BU00010001/berichten.atom").content)
    assert english.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert entries(english)[0]["title"] == "New priority: Fietsendiefstal"


def test_an_update_added_in_the_admin_is_the_news_of_its_entry(
    editor_client, priority, buurten, english_messages
):
    change = reverse("admin:officers_priority_change", args=[priority.pk])
    update = {"date": TODAY.isoformat(), "text": "Twee fietsendieven aangehouden."}
    response = editor_client.post(change, priority_form(priority, updates=[update]))
    assert response.status_code == 302
    feed = valid_atom(Client().get("/buurt/BU00010001/berichten.atom").content)
    [newest, _opened] = entries(feed)
    assert newest["title"] == "Priority updated: Fietsendiefstal"
    assert newest["summary"] == "Twee fietsendieven aangehouden."
    # An edit without a new update tells what is being done.
    response = editor_client.post(change, priority_form(priority, action="Cameratoezicht."))
    assert response.status_code == 302
    newest = entries(valid_atom(Client().get("/buurt/BU00010001/berichten.atom").content))[0]
    assert newest["summary"] == "Cameratoezicht."


def test_the_feed_reads_an_update_as_it_is_now(editor_client, priority, english_messages):
    change = reverse("admin:officers_priority_change", args=[priority.pk])
    update = {"date": TODAY.isoformat(), "text": "Twee fietsendieven aangehouden."}
    editor_client.post(change, priority_form(priority, updates=[update]))
    news = entry_tag(host="testserver", entry_id=ChangeLogEntry.objects.latest("pk").pk)
    update |= {"id": priority.updates.get().pk, "priority": priority.pk}

    def feed() -> tuple[str, str]:
        """The whole feed, and the summary of the entry the update was news of."""
        body = Client().get("/buurt/BU00010001/berichten.atom").content
        [summary] = [entry["summary"] for entry in entries(valid_atom(body)) if entry["id"] == news]
        return body.decode(), summary

    corrected = update | {"text": "Twee fietsendieven betrapt."}
    response = editor_client.post(change, priority_form(priority, updates=[corrected]))
    assert response.status_code == 302
    body, summary = feed()
    assert summary == "Twee fietsendieven betrapt."
    assert "aangehouden" not in body
    deleted = corrected | {"DELETE": "on"}
    response = editor_client.post(change, priority_form(priority, updates=[deleted]))
    assert response.status_code == 302
    assert not priority.updates.exists()
    body, summary = feed()
    assert summary == "Controles."
    assert "fietsendieven" not in body


def test_closing_with_an_update_tells_the_outcome(editor_client, priority, english_messages):
    change = reverse("admin:officers_priority_change", args=[priority.pk])
    update = {"date": TODAY.isoformat(), "text": "Laatste controle gedaan."}
    closing = priority_form(
        priority, updates=[update], status="closed", outcome="Geen diefstallen meer."
    )
    assert editor_client.post(change, closing).status_code == 302
    newest = entries(valid_atom(Client().get("/buurt/BU00010001/berichten.atom").content))[0]
    assert newest["title"] == "Priority closed: Fietsendiefstal"
    assert newest["summary"] == "Geen diefstallen meer."


def test_the_feed_reads_all_its_updates_at_once(
    client, priority, english_messages, django_assert_num_queries
):
    url = "/buurt/BU00010001/berichten.atom"

    def add_update(text: str) -> None:
        update = priority.updates.create(text=text)
        changes.record_priority(
            priority=priority, kind=Kind.PRIORITY_UPDATED, day=TODAY, update=update
        )

    add_update("Eerste.")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    add_update("Tweede.")
    add_update("Derde.")
    with django_assert_num_queries(len(one)):
        feed = valid_atom(client.get(url).content)
    assert [entry["summary"] for entry in entries(feed)][:3] == ["Derde.", "Tweede.", "Eerste."]


def test_entry_ids_name_the_site_url_whichever_host_was_asked(
    client, settings, priority, english_messages
):
    settings.SITE_URL = "https://wijkagent.example.nl"
    settings.ALLOWED_HOSTS = ["testserver", "wijkagent.example.nl"]
    [entry] = entries(valid_atom(client.get("/buurt/BU00010001/berichten.atom").content))
    change_id = ChangeLogEntry.objects.get().pk
    assert entry["id"] == entry_tag(host="wijkagent.example.nl", entry_id=change_id)


def test_a_site_url_without_a_host_leaves_entry_ids_to_the_served_hosts(client, settings, priority):
    settings.SITE_URL = "wijkagent.example.nl"  # no scheme: no host either
    settings.ALLOWED_HOSTS = ["testserver", "wijkagent.example.nl"]
    [entry] = entries(valid_atom(client.get("/buurt/BU00010001/berichten.atom").content))
    change_id = ChangeLogEntry.objects.get().pk
    assert entry["id"] == entry_tag(host="testserver", entry_id=change_id)
