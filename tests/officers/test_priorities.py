"""Priorities (aandachtspunten): the rules staff meet in the admin, what residents see, and the
coverage page's list of priorities nobody updated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from officers.models import MAX_OPEN_PRIORITIES, ChangeLogEntry, Priority, PriorityUpdate
from tests import factories

TODAY = timezone.localdate()


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def make_priority(*, buurt=None, wijk=None, title="Fietsendiefstal", **fields) -> Priority:
    fields.setdefault("issue", "Fietsen verdwijnen bij het station.")
    fields.setdefault("action", "Extra surveillance met de gemeente.")
    return Priority.objects.create(buurt=buurt, wijk=wijk, title=title, **fields)


@pytest.fixture
def anna(buurten):
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    factories.assign(officer, buurten["west"])
    return officer


def priority_form(priority=None, *, updates=(), **fields):
    """The POST body of the priority admin form, with update rows: stored ones (with an "id")
    first, then new ones."""
    data = {
        "buurt": priority.buurt_id if priority and priority.buurt_id else "",
        "wijk": priority.wijk_id if priority and priority.wijk_id else "",
        "title": priority.title if priority else "",
        "issue": priority.issue if priority else "",
        "action": priority.action if priority else "",
        "opened_on": (priority.opened_on if priority else TODAY).isoformat(),
        # The admin renders a field with a callable default with its initial value hidden.
        "initial-opened_on": (priority.opened_on if priority else TODAY).isoformat(),
        "status": priority.status if priority else "open",
        "closed_on": priority.closed_on.isoformat() if priority and priority.closed_on else "",
        "outcome": priority.outcome if priority else "",
        "updates-TOTAL_FORMS": len(updates),
        "updates-INITIAL_FORMS": sum(1 for update in updates if "id" in update),
        "updates-MIN_NUM_FORMS": 0,
        "updates-MAX_NUM_FORMS": 1000,
    }
    for index, update in enumerate(updates):
        for name, value in update.items():
            data[f"updates-{index}-{name}"] = value
    data.update(fields)
    return data


# -- the rules -----------------------------------------------------------------------------------


def test_a_buurt_takes_a_handful_of_open_priorities_and_no_more(buurten, english_messages):
    for number in range(MAX_OPEN_PRIORITIES):
        make_priority(buurt=buurten["west"], title=f"Punt {number}")
    extra = Priority(buurt=buurten["west"], title="Nog een", issue="x", action="y")
    with pytest.raises(ValidationError) as refused:
        extra.full_clean()
    assert "already has 5 open priorities" in str(refused.value)
    # Another buurt, and the wijk as a whole, have their own handful.
    Priority(buurt=buurten["east"], title="Elders", issue="x", action="y").full_clean()
    Priority(wijk=buurten["west"].wijk, title="De wijk", issue="x", action="y").full_clean()
    # A closed one makes room.
    first = Priority.objects.get(title="Punt 0")
    first.status, first.outcome = Priority.Status.CLOSED, "Opgelost."
    first.full_clean()
    first.save()
    extra.full_clean()


def test_closing_needs_an_outcome_and_dates_itself(buurten, english_messages):
    priority = make_priority(buurt=buurten["west"], opened_on=days_ago(10))
    priority.status = Priority.Status.CLOSED
    with pytest.raises(ValidationError) as refused:
        priority.full_clean()
    assert "outcome" in refused.value.message_dict
    priority.outcome = "Camera's bij de stalling; diefstal gehalveerd."
    priority.full_clean()
    assert priority.closed_on == TODAY


def test_a_priority_belongs_to_a_buurt_or_a_wijk_not_both(buurten, english_messages):
    both = Priority(
        buurt=buurten["west"], wijk=buurten["west"].wijk, title="t", issue="x", action="y"
    )
    with pytest.raises(ValidationError, match="either a buurt or a wijk"):
        both.full_clean()
    with pytest.raises(ValidationError, match="either a buurt or a wijk"):
        Priority(title="t", issue="x", action="y").full_clean()


# -- what residents see --------------------------------------------------------------------------


def test_the_buurt_page_shows_buurt_and_wijk_priorities_newest_first_with_dates(
    client, anna, buurten, english_messages
):
    older = make_priority(buurt=buurten["west"], title="Hardrijders", opened_on=days_ago(60))
    PriorityUpdate.objects.create(priority=older, date=days_ago(2), text="Flitspaal geplaatst.")
    make_priority(wijk=buurten["west"].wijk, title="Woninginbraken", opened_on=days_ago(30))
    make_priority(buurt=buurten["east"], title="Elders", opened_on=days_ago(1))
    closed = make_priority(
        buurt=buurten["west"],
        title="Overlast hangplek",
        opened_on=days_ago(300),
        status="closed",
        closed_on=days_ago(100),
        outcome="Hangplek verplaatst met jongerenwerk.",
    )
    make_priority(
        buurt=buurten["west"],
        title="Lang geleden",
        opened_on=days_ago(800),
        status="closed",
        closed_on=days_ago(400),
        outcome="Opgelost.",
    )
    html = client.get("/buurt/BU00010001/").content.decode()
    assert html.index("Hardrijders") < html.index("Woninginbraken") < html.index("Overlast")
    assert "Elders" not in html and "Lang geleden" not in html
    assert f'Last update: <time datetime="{days_ago(2).isoformat()}">' in html
    assert "Flitspaal geplaatst." in html
    assert "For the whole district Testwijk." in html
    assert "Hangplek verplaatst met jongerenwerk." in html
    assert f'id="aandachtspunt-{closed.pk}"' in html


def test_a_wijk_priority_names_the_wijk_once_in_dutch(client, anna, buurten):
    # CBS names wijken "Wijk 33 Heerlen-Centrum": "de hele wijk Wijk 33 ..." said it twice.
    buurten["west"].wijk.name = "Wijk 33 Heerlen-Centrum"
    buurten["west"].wijk.save()
    make_priority(wijk=buurten["west"].wijk, title="Woninginbraken", opened_on=days_ago(3))
    html = client.get("/buurt/BU00010001/").content.decode()
    assert "Voor heel Wijk 33 Heerlen-Centrum." in html
    assert "wijk Wijk" not in html


def test_the_profile_shows_the_priorities_of_the_officers_buurten(client, anna, buurten):
    make_priority(buurt=buurten["west"], title="Hardrijders")
    make_priority(buurt=buurten["north"], title="Niet van Anna")
    html = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert "Hardrijders" in html
    assert "Niet van Anna" not in html


def test_priorities_cost_two_queries_however_many_there_are(
    client, anna, buurten, django_assert_max_num_queries
):
    for number in range(4):
        priority = make_priority(buurt=buurten["west"], title=f"Punt {number}")
        PriorityUpdate.objects.create(priority=priority, text="Bijgewerkt.")
    # The profile's seven without priorities, plus their updates.
    with django_assert_max_num_queries(8):
        response = client.get("/wijkagent/anna-voorbeeld/")
    assert response.content.decode().count("Bijgewerkt.") == 4


# -- the coverage page ---------------------------------------------------------------------------


def test_priorities_without_an_update_for_three_months_are_on_the_coverage_page(
    editor_client, buurten, english_messages
):
    forgotten = make_priority(buurt=buurten["west"], title="Vergeten", opened_on=days_ago(200))
    PriorityUpdate.objects.create(priority=forgotten, date=days_ago(120), text="Oud.")
    kept = make_priority(buurt=buurten["west"], title="Bijgehouden", opened_on=days_ago(200))
    PriorityUpdate.objects.create(priority=kept, date=days_ago(10), text="Recent.")
    make_priority(buurt=buurten["west"], title="Nieuw", opened_on=days_ago(5))
    make_priority(
        buurt=buurten["west"],
        title="Gesloten",
        opened_on=days_ago(300),
        status="closed",
        closed_on=days_ago(200),
        outcome="Klaar.",
    )
    html = editor_client.get(reverse("admin:officers_coverage")).content.decode()
    section = html[html.index('id="stale-priorities"') :]
    assert "Priorities without an update in the last 3 months (1)" in section
    assert reverse("admin:officers_priority_change", args=[forgotten.pk]) in section
    for title in ("Bijgehouden", "Nieuw", "Gesloten"):
        assert title not in section


# -- the admin -----------------------------------------------------------------------------------


def test_an_editor_adds_a_priority_with_an_update_and_closes_it(
    editor_client, anna, buurten, english_messages
):
    response = editor_client.post(
        reverse("admin:officers_priority_add"),
        priority_form(
            buurt=buurten["west"].pk,
            title="Fietsendiefstal",
            issue="Fietsen verdwijnen.",
            action="Surveillance.",
            updates=[{"date": TODAY.isoformat(), "text": "Eerste controle gedaan."}],
        ),
    )
    assert response.status_code == 302
    priority = Priority.objects.get()
    assert priority.updates.get().text == "Eerste controle gedaan."
    entry = ChangeLogEntry.objects.get()
    assert entry.kind == ChangeLogEntry.Kind.PRIORITY_NEW
    assert list(entry.buurten.values_list("code", flat=True)) == ["BU00010001"]
    assert list(entry.officers.all()) == [anna]

    change = reverse("admin:officers_priority_change", args=[priority.pk])
    response = editor_client.post(
        change, priority_form(priority, status="closed", outcome="Camera's geplaatst.")
    )
    assert response.status_code == 302
    priority.refresh_from_db()
    assert (priority.status, priority.closed_on) == ("closed", TODAY)
    assert ChangeLogEntry.objects.order_by("pk").last().kind == ChangeLogEntry.Kind.PRIORITY_CLOSED
    # Saving without a change writes nothing.
    editor_client.post(change, priority_form(priority))
    assert ChangeLogEntry.objects.count() == 2


def test_the_admin_refuses_a_sixth_open_priority_with_a_clear_message(
    editor_client, buurten, english_messages
):
    for number in range(MAX_OPEN_PRIORITIES):
        make_priority(buurt=buurten["west"], title=f"Punt {number}")
    response = editor_client.post(
        reverse("admin:officers_priority_add"),
        priority_form(buurt=buurten["west"].pk, title="Zesde", issue="x", action="y"),
    )
    assert response.status_code == 200
    assert "This buurt already has 5 open priorities" in response.content.decode()
    assert not Priority.objects.filter(title="Zesde").exists()
    assert not ChangeLogEntry.objects.exists()


def test_priorities_of_an_inactive_dataset_cannot_be_chosen(editor_client, buurten):
    old = factories.make_dataset("oud", active=False)
    old_buurt = factories.make_buurt(old, "BU00019999", factories.square(5, 5), name="Oud")
    response = editor_client.post(
        reverse("admin:officers_priority_add"),
        priority_form(buurt=old_buurt.pk, title="t", issue="x", action="y"),
    )
    assert response.status_code == 200
    assert not Priority.objects.exists()


def test_a_regional_editor_keeps_the_priorities_of_their_own_municipalities(client, buurten):
    from tests.officers.admin_support import log_in_verified, make_editor

    priority = make_priority(buurt=buurten["west"], title="In Testgemeente")
    change = reverse("admin:officers_priority_change", args=[priority.pk])
    log_in_verified(client, make_editor("elders", gemeenten=["GM0002"]))
    assert (
        "In Testgemeente"
        not in client.get(reverse("admin:officers_priority_changelist")).content.decode()
    )
    assert client.get(change).status_code == 403
    log_in_verified(client, make_editor("hier", gemeenten=["GM0001"]))
    assert (
        "In Testgemeente"
        in client.get(reverse("admin:officers_priority_changelist")).content.decode()
    )
    assert client.get(change).status_code == 200
