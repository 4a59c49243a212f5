"""The change log: written by the admin's save paths, read by buurt or officer since an id."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from officers import changes
from officers.models import ChangeLogEntry, Event, Priority
from tests import factories
from tests.officers.test_admin_officers import change_url, officer_form

Kind = ChangeLogEntry.Kind
TODAY = timezone.localdate()


@pytest.fixture
def anna(buurten):
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    factories.assign(officer, buurten["west"])
    return officer


@pytest.fixture
def bram(buurten):
    return factories.make_officer("Bram Verzonnen", slug="bram-verzonnen", intro_nl="Hoi!")


def as_browser_posts(data: dict) -> dict:
    """The officer form as the browser posts it: the admin renders a field with a callable
    default (an assignment's start) with its initial value hidden, which tells Django whether
    a stored row changed."""
    for key, value in list(data.items()):
        if re.fullmatch(r"assignments-\d+-valid_from", key):
            row = key.rsplit("-", 1)[0]
            if data.get(f"{row}-id"):
                data[f"initial-{key}"] = value
    return data


def kinds() -> list[str]:
    return list(ChangeLogEntry.objects.order_by("pk").values_list("kind", flat=True))


def test_assignments_saved_in_the_admin_are_logged_for_their_buurt_and_officer(
    editor_client, anna, buurten
):
    existing = anna.assignments.get()
    rows = [
        {"id": existing.pk, "buurt": buurten["west"].pk, "role": "primary",
         "valid_from": "2020-01-01", "valid_until": ""},
        {"buurt": buurten["east"].pk, "role": "primary",
         "valid_from": TODAY.isoformat(), "valid_until": ""},
    ]  # fmt: skip
    response = editor_client.post(
        change_url(anna), as_browser_posts(officer_form(anna, assignments=rows))
    )
    assert response.status_code == 302
    entry = ChangeLogEntry.objects.get()
    assert entry.kind == Kind.ASSIGNMENT_NEW
    assert list(entry.buurten.values_list("code", flat=True)) == ["BU00010002"]
    assert list(entry.officers.all()) == [anna]
    assert entry.payload["valid_from"] == TODAY.isoformat()

    rows[1].update(id=anna.assignments.get(buurt=buurten["east"]).pk, DELETE="on")
    editor_client.post(change_url(anna), as_browser_posts(officer_form(anna, assignments=rows)))
    assert kinds() == [Kind.ASSIGNMENT_NEW, Kind.ASSIGNMENT_REMOVED]


def test_an_absence_is_logged_with_its_deputy_for_both_officers(editor_client, anna, bram):
    rows = [{"starts_on": TODAY.isoformat(), "ends_on": (TODAY + dt.timedelta(days=7)).isoformat(),
             "deputy": bram.pk}]  # fmt: skip
    response = editor_client.post(
        change_url(anna), as_browser_posts(officer_form(anna, absences=rows))
    )
    assert response.status_code == 302
    entry = ChangeLogEntry.objects.get()
    assert entry.kind == Kind.ABSENCE_NEW
    assert set(entry.officers.all()) == {anna, bram}
    assert list(entry.buurten.values_list("code", flat=True)) == ["BU00010001"]
    with translation.override("en"):
        text = changes.describe(entry, deputies=changes.published_names([entry]))
    assert "Anna Voorbeeld is away from" in text.title
    assert text.text == "Meanwhile, please contact Bram Verzonnen."


def test_publishing_an_officer_is_logged_for_the_buurten_of_the_profile(editor_client, buurten):
    officer = factories.make_officer("Cas Nieuw", is_published=False, intro_nl="Hallo!")
    factories.assign(officer, buurten["north"])
    response = editor_client.post(
        change_url(officer), as_browser_posts(officer_form(officer, is_published="on"))
    )
    assert response.status_code == 302
    entry = ChangeLogEntry.objects.get()
    assert entry.kind == Kind.OFFICER_PUBLISHED
    assert list(entry.buurten.values_list("code", flat=True)) == ["BU00010003"]


def test_events_added_changed_and_deleted_in_the_admin_are_logged(editor_client, anna):
    start = timezone.now() + dt.timedelta(days=3)
    form = {
        "officer": anna.pk, "title": "Spreekuur", "place": "Buurthuis",
        "starts_at_0": start.date().isoformat(), "starts_at_1": "10:00",
        "ends_at_0": start.date().isoformat(), "ends_at_1": "11:00",
        "recurrence": "once", "repeat_until": "",
    }  # fmt: skip
    assert editor_client.post(reverse("admin:officers_event_add"), form).status_code == 302
    event = Event.objects.get()
    change = reverse("admin:officers_event_change", args=[event.pk])
    assert editor_client.post(change, {**form, "place": "Bibliotheek"}).status_code == 302
    delete = reverse("admin:officers_event_delete", args=[event.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert kinds() == [Kind.EVENT_NEW, Kind.EVENT_CHANGED, Kind.EVENT_REMOVED]
    assert ChangeLogEntry.objects.for_buurt("BU00010001").count() == 3
    removed = ChangeLogEntry.objects.order_by("pk").last()
    with translation.override("en"):
        assert changes.describe(removed).title == "Cancelled: Spreekuur"


def test_entries_for_a_buurt_since_an_id_come_oldest_first(anna, buurten, bram):
    factories.assign(bram, buurten["east"])
    first = changes.record_officer_published(officer=anna, day=TODAY)
    elsewhere = changes.record_officer_published(officer=bram, day=TODAY)
    second = changes.record_assignment(
        assignment=anna.assignments.get(), kind=Kind.ASSIGNMENT_CHANGED
    )
    assert first.pk < elsewhere.pk < second.pk
    assert list(ChangeLogEntry.objects.for_buurt("BU00010001").since(0)) == [first, second]
    assert list(ChangeLogEntry.objects.for_buurt("BU00010001").since(first.pk)) == [second]
    assert list(ChangeLogEntry.objects.for_officer(bram).since(0)) == [elsewhere]


def test_only_settled_entries_are_handed_to_a_reader_that_remembers_an_id(anna):
    entry = changes.record_officer_published(officer=anna, day=TODAY)
    assert not ChangeLogEntry.objects.settled(now=entry.created_at).exists()
    later = entry.created_at + dt.timedelta(minutes=5)
    assert list(ChangeLogEntry.objects.settled(now=later)) == [entry]


def test_entries_about_an_unpublished_officer_are_not_public(anna, buurten):
    hidden = factories.make_officer("Geheim", is_published=False)
    entry = changes.record_assignment(
        assignment=factories.assign(hidden, buurten["west"]), kind=Kind.ASSIGNMENT_NEW
    )
    shown = changes.record_officer_published(officer=anna, day=TODAY)
    assert list(ChangeLogEntry.objects.public()) == [shown]
    assert entry in ChangeLogEntry.objects.all()


def test_deleting_a_priority_deletes_its_entries_and_their_text(anna, buurten):
    priority = Priority.objects.create(
        buurt=buurten["west"], title="Tekst die weg moet", issue="x", action="y"
    )
    changes.record_priority(priority=priority, kind=Kind.PRIORITY_NEW, day=TODAY)
    priority.delete()
    assert not ChangeLogEntry.objects.exists()


def test_a_wijk_priority_is_logged_for_every_buurt_of_the_wijk(anna, buurten):
    priority = Priority.objects.create(
        wijk=buurten["west"].wijk, title="Woninginbraken", issue="x", action="y"
    )
    entry = changes.record_priority(priority=priority, kind=Kind.PRIORITY_NEW, day=TODAY)
    assert set(entry.buurten.values_list("code", flat=True)) == {
        "BU00010001", "BU00010002", "BU00010003"
    }  # fmt: skip
    assert list(entry.officers.all()) == [anna]
