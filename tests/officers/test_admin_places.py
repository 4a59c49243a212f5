"""Buurten (read-only, with map, officers and address count), stations and events in the admin,
and the admin's configurable path."""

import datetime as dt
import importlib
import json

import pytest
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from officers.models import Event, OpeningHours, Station
from tests import factories

BUURT_AUTOCOMPLETE = {"app_label": "officers", "model_name": "assignment", "field_name": "buurt"}


pytestmark = pytest.mark.usefixtures("english_messages")


def test_a_buurt_page_shows_its_map_officers_today_and_address_count(editor_client, buurten):
    west = buurten["west"]
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(anna, west)
    gone = factories.make_officer("Oud Gediende", slug="oud-gediende")
    factories.assign(gone, west, valid_until=dt.date(2021, 1, 1))
    for number in (1, 2, 3):
        factories.make_address(west, huisnummer=number)
    html = editor_client.get(
        reverse("admin:neighbourhoods_buurt_change", args=[west.pk])
    ).content.decode()
    assert "BU00010001" in html
    assert '<div class="boundary-map"><svg class="map"' in html and "<path" in html
    assert "css/admin.css" in html  # the admin does not load site.css; this styles the map
    assert reverse("admin:officers_officer_change", args=[anna.pk]) in html
    assert "Oud Gediende" not in html
    assert "Testgemeente" in html
    assert '<div class="readonly">3</div>' in html


def test_a_buurt_without_officer_says_so(editor_client, buurten):
    url = reverse("admin:neighbourhoods_buurt_change", args=[buurten["east"].pk])
    assert "residents of this buurt see the page without a wijkagent" in (
        editor_client.get(url).content.decode()
    )


def test_the_buurt_list_counts_addresses_in_a_fixed_number_of_queries(
    editor_client, buurten, django_assert_max_num_queries
):
    for number in range(5):
        factories.make_address(buurten["north"], huisnummer=number + 1)
    with django_assert_max_num_queries(12):
        response = editor_client.get(reverse("admin:neighbourhoods_buurt_changelist"))
    html = response.content.decode()
    assert '<td class="field-address_count">5</td>' in html
    assert '<td class="field-address_count">0</td>' in html


def test_the_assignment_buurt_autocomplete_searches_code_and_name_in_the_active_dataset(
    editor_client, buurten
):
    old = factories.make_dataset("cbs-2019", active=False)
    factories.make_buurt(old, "BU00010077", factories.square(4, 4), name="Oostelijk oud")

    def found(term):
        response = editor_client.get(
            reverse("admin:autocomplete"), {**BUURT_AUTOCOMPLETE, "term": term}
        )
        assert response.status_code == 200
        return sorted(item["text"] for item in json.loads(response.content)["results"])

    assert found("oost") == ["Oost (BU00010002)"]
    assert found("BU0001000") == ["Noord (BU00010003)", "Oost (BU00010002)", "West (BU00010001)"]
    assert found("BU00010077") == []
    # The buurt list itself still shows every dataset to staff.
    listing = editor_client.get(reverse("admin:neighbourhoods_buurt_changelist"), {"q": "oud"})
    assert "BU00010077" in listing.content.decode()


def station_form(**fields):
    data = {
        "name": "Bureau Kerkrade",
        "phone": "0900 8844",
        "street_address": "Markt 1",
        "postcode": "6461EC",
        "city": "Kerkrade",
        "lat": "50.866",
        "lon": "6.062",
        "source_uid": "",
    }
    for prefix in ("opening_hours", "closing_days", "channels"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(fields)
    return data


def test_a_station_with_hours_a_lunch_break_and_a_closing_day(editor_client, db):
    data = station_form(
        **{
            "opening_hours-TOTAL_FORMS": "2",
            "opening_hours-0-weekday": "0",
            "opening_hours-0-opens": "09:00",
            "opening_hours-0-closes": "12:30",
            "opening_hours-1-weekday": "0",
            "opening_hours-1-opens": "13:30",
            "opening_hours-1-closes": "17:00",
            "closing_days-TOTAL_FORMS": "1",
            "closing_days-0-date": "2026-12-25",
            "closing_days-0-reason": "Eerste kerstdag",
        }
    )
    response = editor_client.post(reverse("admin:officers_station_add"), data)
    assert response.status_code == 302
    station = Station.objects.get()
    assert station.phone == "0900-8844"
    assert station.opening_hours.count() == 2
    assert station.closing_days.get().reason == "Eerste kerstdag"


def test_a_station_postcode_is_stored_as_the_register_stores_postcodes(editor_client, db):
    response = editor_client.post(
        reverse("admin:officers_station_add"), station_form(postcode=" 6461 ec")
    )
    assert response.status_code == 302
    assert Station.objects.get().postcode == "6461EC"


@pytest.mark.parametrize("postcode", ["12345", "6461", "0461 EC", "6461 E"])
def test_a_station_postcode_that_is_not_dutch_is_refused(editor_client, db, postcode):
    response = editor_client.post(
        reverse("admin:officers_station_add"), station_form(postcode=postcode)
    )
    assert response.status_code == 200
    assert "Enter a Dutch postcode: four digits and two letters" in response.content.decode()
    assert not Station.objects.exists()


def test_station_mistakes_get_clear_messages(editor_client, db):
    data = station_form(
        phone="+32 2 123 45 67",
        lat="6.062",  # lat and lon swapped
        lon="50.866",
        **{
            "opening_hours-TOTAL_FORMS": "1",
            "opening_hours-0-weekday": "2",
            "opening_hours-0-opens": "17:00",
            "opening_hours-0-closes": "09:00",
        },
    )
    response = editor_client.post(reverse("admin:officers_station_add"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Only Dutch phone numbers" in html
    assert "latitude must lie in the Netherlands" in html
    assert "closing time must be after the opening time" in html
    assert not Station.objects.exists() and not OpeningHours.objects.exists()


def test_opening_hours_must_agree_with_by_appointment_only_and_not_overlap(editor_client, db):
    hours = {
        "opening_hours-TOTAL_FORMS": "2",
        "opening_hours-0-weekday": "1",
        "opening_hours-0-opens": "09:00",
        "opening_hours-0-closes": "13:00",
        "opening_hours-1-weekday": "1",
        "opening_hours-1-opens": "12:00",
        "opening_hours-1-closes": "17:00",
    }
    response = editor_client.post(reverse("admin:officers_station_add"), station_form(**hours))
    assert "Two opening times on Tuesday overlap" in response.content.decode()
    response = editor_client.post(
        reverse("admin:officers_station_add"),
        station_form(by_appointment_only="on", **{**hours, "opening_hours-TOTAL_FORMS": "1"}),
    )
    assert "open by appointment only" in response.content.decode()
    assert not Station.objects.exists()
    response = editor_client.post(
        reverse("admin:officers_station_add"), station_form(by_appointment_only="on")
    )
    assert response.status_code == 302
    assert Station.objects.get().by_appointment_only


def event_form(officer, **fields):
    data = {
        "officer": officer.pk,
        "title": "Spreekuur",
        "place": "Buurthuis De Kroon",
        "starts_at_0": "2026-12-01",
        "starts_at_1": "19:00",
        "ends_at_0": "2026-12-01",
        "ends_at_1": "20:00",
        "recurrence": "weekly",
        "repeat_until": "",
    }
    data.update(fields)
    return data


def test_a_weekly_event_may_be_open_ended(editor_client, db):
    officer = factories.make_officer()
    response = editor_client.post(reverse("admin:officers_event_add"), event_form(officer))
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.repeat_until is None
    assert timezone.localtime(event.starts_at).hour == 19


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_at_1": "18:00"}, "The end must be after the start."),
        ({"recurrence": "once", "repeat_until": "2027-01-01"}, "A one-off event does not repeat"),
        ({"repeat_until": "2026-11-01"}, "The last repetition must be on or after"),
        ({"ends_at_0": "2026-12-03"}, "A weekly event lasts at most a day."),
    ],
)
def test_event_mistakes_are_refused(editor_client, db, fields, message):
    officer = factories.make_officer()
    response = editor_client.post(
        reverse("admin:officers_event_add"), event_form(officer, **fields)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Event.objects.exists()


@pytest.fixture
def admin_path(settings):
    """Reload the root URLs with another ADMIN_PATH, and restore them afterwards."""
    import wijkportaal.urls

    def use(value):
        settings.ADMIN_PATH = value
        importlib.reload(wijkportaal.urls)
        clear_url_caches()

    yield use
    settings.ADMIN_PATH = "beheer/"
    importlib.reload(wijkportaal.urls)
    clear_url_caches()


def test_the_admin_path_comes_from_settings(client, db, admin_path):
    assert reverse("admin:index") == "/beheer/"
    admin_path("staf/intern/")
    assert reverse("admin:index") == "/staf/intern/"
    assert reverse("admin:officers_coverage") == "/staf/intern/officers/officer/coverage/"
    assert client.get("/staf/intern/").status_code == 302
    assert client.get("/beheer/").status_code == 404
