"""The admin at national size: filters and search by municipality, wijk and station, and list pages
whose number of queries does not grow with the rows shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import Municipality, Wijk
from officers.models import Event, Officer
from tests import factories
from tests.officers.admin_support import log_in_verified, make_editor, make_superuser

pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.fixture
def country(dataset):
    """Two municipalities, GM0001 with two wijken and GM0002 with one, a buurt in each wijk."""
    west = factories.make_buurt(dataset, "BU00010101", factories.square(0, 0), name="Westhoek")
    east = factories.make_buurt(dataset, "BU00010201", factories.square(1, 0), name="Oosthoek")
    far = factories.make_buurt(dataset, "BU00020101", factories.square(9, 9), name="Verweg")
    Municipality.objects.filter(code="GM0002").update(name="Anderstad")
    Wijk.objects.filter(code="WK000101").update(name="Wijk West")
    Wijk.objects.filter(code="WK000102").update(name="Wijk Oost")
    return {"west": west, "east": east, "far": far}


def grow(country, count: int, *, start: int = 0) -> None:
    """`count` officers, each with a station, a municipality, an assignment and an event."""
    home = country["west"].wijk.municipality
    now = timezone.make_aware(dt.datetime(2026, 12, 1, 19, 0))
    for number in range(start, start + count):
        station = factories.make_station(f"Bureau {number}")
        station.municipality = home
        station.save()
        officer = factories.make_officer(f"Agent {number:03d}", station=station, municipality=home)
        factories.assign(officer, country["west" if number % 2 else "east"])
        Event.objects.create(
            officer=officer,
            title="Spreekuur",
            place="Buurthuis",
            starts_at=now,
            ends_at=now + dt.timedelta(hours=1),
        )


def queries_for(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


LIST_PAGES = [
    "admin:officers_officer_changelist",
    "admin:officers_station_changelist",
    "admin:officers_event_changelist",
    "admin:neighbourhoods_buurt_changelist",
    "admin:officers_coverage",
]


@pytest.mark.parametrize("page", LIST_PAGES)
@pytest.mark.parametrize("gemeenten", [None, ["GM0001"]], ids=["national", "regional"])
def test_list_pages_take_as_many_queries_for_forty_rows_as_for_two(
    client, country, page, gemeenten, django_assert_max_num_queries
):
    log_in_verified(client, make_editor(gemeenten=gemeenten))
    url = reverse(page)
    grow(country, 2)
    few = queries_for(client, url)
    grow(country, 38, start=2)
    with django_assert_max_num_queries(len(few)):
        many = queries_for(client, url)
    assert not [sql for sql in many if '"boundary"' in sql], "no list drags boundaries along"


def test_the_officer_change_page_has_a_fixed_cost_besides_its_rows(
    client, country, django_assert_max_num_queries
):
    log_in_verified(client, make_editor(gemeenten=["GM0001"]))
    grow(country, 40)
    officer = factories.make_officer("Zoë Eén")
    factories.assign(officer, country["west"])
    with django_assert_max_num_queries(40):
        client.get(reverse("admin:officers_officer_change", args=[officer.pk]))


def shown(client, url: str, query: dict[str, str]) -> list[str]:
    response = client.get(url, query)
    assert response.status_code == 200
    return sorted(str(row) for row in response.context["cl"].result_list)


def test_officers_are_filtered_by_municipality_wijk_and_station(client, country):
    log_in_verified(client, make_editor())
    west_officer = factories.make_officer("Wim West")
    factories.assign(west_officer, country["west"])
    station = factories.make_station("Bureau Oost")
    east_officer = factories.make_officer("Olga Oost", station=station)
    factories.assign(east_officer, country["east"])
    far_officer = factories.make_officer("Vera Ver", municipality=country["far"].wijk.municipality)
    url = reverse("admin:officers_officer_changelist")
    home = country["west"].wijk.municipality
    far = country["far"].wijk.municipality
    assert shown(client, url, {"gemeente": str(home.pk)}) == ["Olga Oost", "Wim West"]
    assert shown(client, url, {"gemeente": str(far.pk)}) == [str(far_officer)]
    wijk = country["west"].wijk
    assert shown(client, url, {"gemeente": str(home.pk), "wijk": str(wijk.pk)}) == ["Wim West"]
    assert shown(client, url, {"station__id__exact": str(station.pk)}) == ["Olga Oost"]


def test_the_wijk_filter_offers_the_wijken_of_the_chosen_municipality_only(client, country):
    log_in_verified(client, make_editor())
    url = reverse("admin:officers_officer_changelist")
    home = country["west"].wijk.municipality

    def wijk_choices(query: dict[str, str]) -> list[str] | None:
        """The wijk filter's choices, or None when the sidebar shows no wijk filter."""
        response = client.get(url, query)
        specs = response.context["cl"].filter_specs
        spec = next((s for s in specs if getattr(s, "parameter_name", "") == "wijk"), None)
        if spec is None or not spec.has_output():
            return None
        return [str(title) for _value, title in spec.lookup_choices]

    assert wijk_choices({}) is None
    assert wijk_choices({"gemeente": str(home.pk)}) == [
        "Wijk Oost (WK000102)",
        "Wijk West (WK000101)",
    ]


def test_a_regional_editor_is_offered_their_own_municipalities_to_filter_by(client, country):
    log_in_verified(client, make_editor(gemeenten=["GM0002"]))
    response = client.get(reverse("admin:officers_officer_changelist"))
    spec = next(
        s
        for s in response.context["cl"].filter_specs
        if getattr(s, "parameter_name", "") == "gemeente"
    )
    assert [str(title) for _value, title in spec.lookup_choices] == ["Anderstad (GM0002)"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("BU00010101", ["Wim West"]),
        ("Oosthoek", ["Olga Oost"]),
        ("Wijk Oost", ["Olga Oost"]),
        ("Bureau Oost", ["Olga Oost"]),
        ("Anderstad", ["Vera Ver"]),
    ],
)
def test_officers_are_found_by_buurt_wijk_station_and_municipality(client, country, term, expected):
    log_in_verified(client, make_editor())
    factories.assign(factories.make_officer("Wim West"), country["west"])
    olga = factories.make_officer("Olga Oost", station=factories.make_station("Bureau Oost"))
    factories.assign(olga, country["east"])
    factories.assign(olga, country["east"], role="deputy")
    factories.make_officer("Vera Ver", municipality=country["far"].wijk.municipality)
    url = reverse("admin:officers_officer_changelist")
    assert shown(client, url, {"q": term}) == expected


def test_buurten_are_filtered_and_found_by_municipality_and_wijk(client, country):
    log_in_verified(client, make_editor())
    url = reverse("admin:neighbourhoods_buurt_changelist")
    far = country["far"].wijk.municipality
    assert shown(client, url, {"gemeente": str(far.pk)}) == ["Verweg (BU00020101)"]
    wijk = country["east"].wijk
    home = wijk.municipality
    assert shown(client, url, {"gemeente": str(home.pk), "wijk": str(wijk.pk)}) == [
        "Oosthoek (BU00010201)"
    ]
    assert shown(client, url, {"q": "Anderstad"}) == ["Verweg (BU00020101)"]
    assert shown(client, url, {"q": "Wijk West"}) == ["Westhoek (BU00010101)"]


def station_choices(client, query: dict[str, str]) -> list[str] | None:
    """The station filter's choices on the officer list, or None when the sidebar shows none."""
    response = client.get(reverse("admin:officers_officer_changelist"), query)
    specs = response.context["cl"].filter_specs
    spec = next((s for s in specs if getattr(s, "field_path", "") == "station"), None)
    if spec is None or not spec.has_output():
        return None
    return [str(title) for _value, title in spec.lookup_choices]


@pytest.fixture
def stations(country):
    """A station with an officer in each municipality, and one no officer works from."""
    home, far = country["west"].wijk.municipality, country["far"].wijk.municipality
    made = {}
    for name, municipality in (("Bureau Thuis", home), ("Bureau Ver", far), ("Leeg", home)):
        made[name] = factories.make_station(name)
        made[name].municipality = municipality
        made[name].save()
    factories.make_officer("Wim West", station=made["Bureau Thuis"], municipality=home)
    factories.make_officer("Vera Ver", station=made["Bureau Ver"], municipality=far)
    return made


def test_the_station_filter_offers_the_stations_of_the_chosen_municipality(
    client, country, stations
):
    log_in_verified(client, make_editor())
    home = country["west"].wijk.municipality
    assert station_choices(client, {}) is None
    assert station_choices(client, {"gemeente": str(home.pk)}) == ["Bureau Thuis"]


def test_a_regional_editor_is_offered_the_stations_of_their_region(client, country, stations):
    log_in_verified(client, make_editor(gemeenten=["GM0002"]))
    assert station_choices(client, {}) == ["Bureau Ver"]


def test_the_officer_page_offers_its_station_by_typing_not_in_a_list_of_all(client, stations):
    log_in_verified(client, make_superuser())
    officer = Officer.objects.get(name="Wim West")
    page = client.get(reverse("admin:officers_officer_change", args=[officer.pk]))
    assert "Bureau Thuis" in page.text
    assert "Bureau Ver" not in page.text
    found = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "officers",
            "model_name": "officer",
            "field_name": "station",
            "term": "Bureau",
        },
    )
    assert [result["text"] for result in found.json()["results"]] == [
        "Bureau Thuis",
        "Bureau Ver",
    ]


def test_a_regional_editor_finds_only_the_stations_of_their_region(client, stations):
    log_in_verified(client, make_editor(gemeenten=["GM0002"]))
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "officers", "model_name": "officer", "field_name": "station", "term": ""},
    )
    assert [result["text"] for result in found.json()["results"]] == ["Bureau Ver"]
