"""The admin in Dutch: the right article, the public site's words, readable dates and channel
kinds in the history; a warning for an event that lies in the past."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import translation

from officers.models import Priority, Station
from tests import factories
from tests.officers.admin_support import log_in_verified, make_editor
from tests.officers.test_admin_officers import change_url, officer_form
from tests.officers.test_admin_places import event_form, station_form
from tests.officers.test_priorities import priority_form


@pytest.fixture(autouse=True)
def dutch(settings):
    settings.LANGUAGE_CODE = "nl"
    with translation.override("nl"):
        yield


@pytest.fixture
def editor_client(client, db):
    log_in_verified(client, make_editor())
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_changed_station_is_het_politiebureau(editor_client, db):
    station = factories.make_station("Bureau Heerlen")
    response = editor_client.post(
        reverse("admin:officers_station_change", args=[station.pk]),
        station_form(name="Bureau Heerlen", postcode="6411NH", lat="50.88", lon="5.98"),
        follow=True,
    )
    (message,) = messages_of(response)
    assert message.startswith("Het politiebureau"), message
    assert "is met succes gewijzigd" in message
    response = editor_client.post(
        reverse("admin:officers_station_change", args=[station.pk]),
        station_form(name="Bureau Heerlen", postcode="6411NH", lat="50.88", lon="5.98")
        | {"_continue": "1"},
        follow=True,
    )
    (message,) = messages_of(response)
    assert message.startswith("Het politiebureau"), message
    assert "U kunt het hieronder nogmaals bewerken." in message


def test_a_changed_priority_is_het_aandachtspunt(editor_client, buurten):
    priority = Priority.objects.create(
        buurt=buurten["west"], title="Fietsendiefstal", issue="Fietsen weg.", action="Surveillance."
    )
    response = editor_client.post(
        reverse("admin:officers_priority_change", args=[priority.pk]),
        priority_form(priority) | {"_continue": "1"},
        follow=True,
    )
    (message,) = messages_of(response)
    assert message.startswith("Het aandachtspunt"), message
    assert "is met succes gewijzigd. U kunt het hieronder" in message


def test_events_are_called_as_on_the_public_site(editor_client, db):
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "Spreekuren en bijeenkomsten" in page
    assert "Afspraken" not in page


def test_history_shows_channel_kinds_and_dates_in_dutch(editor_client, buurten):
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    factories.assign(anna, buurten["west"])
    response = editor_client.post(
        change_url(anna),
        officer_form(
            anna,
            channels=[{"kind": "phone", "value": "0900-8844", "order": 0, "is_public": True}],
            absences=[{"starts_on": "2026-12-05", "ends_on": "2026-12-09"}],
        ),
    )
    assert response.status_code == 302
    history = editor_client.get(
        reverse("admin:officers_officer_history", args=[anna.pk])
    ).content.decode()
    assert "Telefoon: 0900-8844" in history
    assert "5 december 2026 - 9 december 2026" in history
    assert "2026-12-05" not in history and "Phone:" not in history
    assert LogEntry.objects.count() == 1


def test_history_written_by_an_editor_reading_english_is_dutch_for_every_reader(
    client, editor_client, buurten, settings
):
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    factories.assign(anna, buurten["west"])
    english = Client()
    log_in_verified(english, make_editor("editor-en"))
    # The cookie is what makes the admin English for this editor.
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = english.post(
        change_url(anna),
        officer_form(
            anna,
            channels=[{"kind": "phone", "value": "0900-8844", "order": 0, "is_public": True}],
            absences=[{"starts_on": "2026-12-05", "ends_on": "2026-12-09"}],
        ),
        follow=True,
    )
    assert response.redirect_chain[0][1] == 302
    (message,) = messages_of(response)
    assert "was changed successfully" in message, message
    history = editor_client.get(
        reverse("admin:officers_officer_history", args=[anna.pk])
    ).content.decode()
    assert "Telefoon: 0900-8844" in history
    assert "5 december 2026 - 9 december 2026" in history
    assert "Phone:" not in history and "December" not in history


def test_assignment_clash_messages_use_written_dates(editor_client, buurten):
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    factories.assign(anna, buurten["west"], valid_from=dt.date(2026, 12, 5))
    rows = [
        {"buurt": buurten["west"].pk, "role": "primary", "valid_from": "2026-12-20"},
    ]
    stored = [
        {
            "id": a.pk,
            "buurt": a.buurt_id,
            "role": a.role,
            "valid_from": a.valid_from.isoformat(),
        }
        for a in anna.assignments.all()
    ]
    response = editor_client.post(change_url(anna), officer_form(anna, assignments=stored + rows))
    assert response.status_code == 200
    assert "5 december 2026" in response.content.decode()


def test_an_event_in_the_past_gets_a_warning(editor_client, db):
    officer = factories.make_officer()
    response = editor_client.post(
        reverse("admin:officers_event_add"),
        event_form(
            officer,
            recurrence="once",
            starts_at_0="2020-03-02",
            ends_at_0="2020-03-02",
        ),
        follow=True,
    )
    messages = messages_of(response)
    assert any("ligt in het verleden (2 maart 2020)" in m for m in messages), messages
    assert any(m.startswith("Het spreekuur of de bijeenkomst") for m in messages), messages


def test_a_coming_event_gets_no_warning(editor_client, db):
    officer = factories.make_officer()
    coming = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    response = editor_client.post(
        reverse("admin:officers_event_add"),
        event_form(officer, recurrence="once", starts_at_0=coming, ends_at_0=coming),
        follow=True,
    )
    assert not any("verleden" in m for m in messages_of(response))
    assert Station.objects.count() == 0


def test_a_new_profile_without_a_name_does_not_show_a_question_mark_as_initials(editor_client):
    page = editor_client.get(reverse("admin:officers_officer_add")).content.decode()
    assert "Geen foto: bewoners zien de initialen van de wijkagent." in page
    assert "initialen ?" not in page


def test_a_profile_without_a_photo_names_the_initials_residents_see(editor_client, db):
    officer = factories.make_officer("Anna Voorbeeld")
    page = editor_client.get(change_url(officer)).content.decode()
    assert "Geen foto: bewoners zien de initialen AV." in page
