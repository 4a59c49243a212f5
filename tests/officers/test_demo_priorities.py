"""The demo's fictional priorities: shown in Heerlen-Centrum and its wijkagent's feed, created once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from officers.models import ChangeLogEntry, Priority
from tests.officers.test_feeds import ATOM, valid_atom


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=StringIO())


def test_heerlen_centrum_shows_its_priorities_and_its_wijkagents_feed_has_them(demo, client):
    page = client.get("/buurt/BU09173300/").content.decode()
    assert "Fietsendiefstal rond het station" in page
    assert "Woninginbraken in de donkere maanden" in page  # the wijk's
    assert "Paaltjes geplaatst door de gemeente" in page  # a closed one, with its outcome
    for url in ("/wijkagent/anna-voorbeeld/berichten.atom", "/buurt/BU09173300/berichten.atom"):
        feed = valid_atom(client.get(url).content)
        titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
        assert "Nieuw aandachtspunt: Fietsendiefstal rond het station" in titles
        assert "Nieuw aandachtspunt: Woninginbraken in de donkere maanden" in titles  # the wijk's


def test_loading_again_keeps_what_staff_changed(demo):
    priority = Priority.objects.get(title="Fietsendiefstal rond het station")
    priority.status, priority.outcome = Priority.Status.CLOSED, "Opgelost door de redactie."
    priority.full_clean()
    priority.save()
    entries = ChangeLogEntry.objects.count()
    out = StringIO()
    call_command("load_demo", stdout=out)
    priority.refresh_from_db()
    assert (priority.status, priority.outcome) == ("closed", "Opgelost door de redactie.")
    assert Priority.objects.filter(title=priority.title).count() == 1
    assert ChangeLogEntry.objects.count() == entries
    assert "priorities: 0 created, 0 updated, 4 unchanged" in out.getvalue()


def test_a_stale_demo_priority_shows_staff_what_the_coverage_page_lists(demo):
    from django.utils import timezone

    from officers.coverage import stale_priorities

    stale = stale_priorities(day=timezone.localdate())
    assert [p.title for p in stale] == ["Verkeersveiligheid bij de basisschool"]


def test_the_demo_priorities_are_dutch_throughout(demo, client):
    page = client.get("/buurt/BU09173300/").content.decode()
    assert "(Demo: verzonnen.)" in page
    assert "fictional" not in page
