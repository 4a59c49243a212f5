"""A station is placed on the map from its visiting address when the register knows it."""

import pytest
from django.urls import reverse
from django.utils import translation

from neighbourhoods.models import Postcode
from officers.models import Station, location_from_register
from tests import factories
from tests.officers.admin_support import log_in_verified, make_editor
from tests.officers.test_admin_places import station_form


@pytest.fixture(autouse=True)
def english_messages(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def editor_client(client, db):
    log_in_verified(client, make_editor())
    return client


@pytest.fixture
def register(db):
    factories.make_address(None, postcode="6461EC", huisnummer=1, lat=50.8661, lon=6.0623)
    factories.make_address(
        None, postcode="6411NH", huisnummer=13, huisletter="E", lat=50.8869, lon=5.9797
    )


def test_empty_coordinates_are_taken_from_the_register(editor_client, register):
    response = editor_client.post(
        reverse("admin:officers_station_add"), station_form(lat="", lon="")
    )
    assert response.status_code == 302
    station = Station.objects.get()
    assert (station.lat, station.lon) == (50.8661, 6.0623)


def test_placing_from_the_address_replaces_typed_coordinates(editor_client, register):
    response = editor_client.post(
        reverse("admin:officers_station_add"),
        station_form(
            street_address="Stationstraat 13 E",
            postcode="6411 nh",
            place_from_address="on",
            lat="51.5",
            lon="5.5",
        ),
    )
    assert response.status_code == 302
    assert (Station.objects.get().lat, Station.objects.get().lon) == (50.8869, 5.9797)


def test_typed_coordinates_stay_when_not_asked_to_place(editor_client, register):
    response = editor_client.post(
        reverse("admin:officers_station_add"), station_form(lat="50.9", lon="6.0")
    )
    assert response.status_code == 302
    assert (Station.objects.get().lat, Station.objects.get().lon) == (50.9, 6.0)


def test_an_unknown_address_asks_for_coordinates(editor_client, register):
    response = editor_client.post(
        reverse("admin:officers_station_add"),
        station_form(street_address="Markt 99", postcode="6412AB", lat="", lon=""),
    )
    assert response.status_code == 200
    assert (
        "Neither the address register nor the postcode register knows Markt 99, 6412AB"
        in response.content.decode()
    )
    assert not Station.objects.exists()


@pytest.mark.parametrize(
    ("street_address", "postcode", "found"),
    [
        ("Stationstraat 13E", "6411NH", (50.8869, 5.9797, True)),
        ("Stationstraat 13 e", "6411 NH", (50.8869, 5.9797, True)),
        ("Stationstraat 13", "6411NH", (50.8869, 5.9797, True)),
        ("Stationstraat 15", "6411NH", (50.8865, 5.9795, False)),
        ("Stationstraat", "6411NH", (50.8865, 5.9795, False)),
        ("Stationstraat 13", "6412AB", None),
        ("Akerstraat 10", "6411HA", (50.8865, 5.9797, False)),
        ("Stationstraat 13", "nonsense", None),
    ],
)
def test_location_from_register(register, street_address, postcode, found):
    # A second address on the postcode, so its middle differs from number 13 E.
    factories.make_address(None, postcode="6411NH", huisnummer=17, lat=50.8861, lon=5.9793)
    Postcode.objects.create(postcode="6411HA", lat=50.8865, lon=5.9797)
    location = location_from_register(street_address=street_address, postcode=postcode)
    if found is None:
        assert location is None
    else:
        assert (round(location.lat, 4), round(location.lon, 4), location.exact) == found


def test_an_unknown_number_is_placed_on_its_postcode_with_a_warning(editor_client, register):
    response = editor_client.post(
        reverse("admin:officers_station_add"),
        station_form(street_address="Markt 99", lat="", lon=""),
        follow=True,
    )
    assert (Station.objects.get().lat, Station.objects.get().lon) == (50.8661, 6.0623)
    assert "placed in the middle of postcode 6461 EC" in response.content.decode()


def test_a_postcode_only_the_postcode_register_knows_is_placed_on_its_centre(editor_client, db):
    # The address register holds nothing on 6411HA; the postcode register has its centre.
    Postcode.objects.create(postcode="6411HA", woonplaats="Heerlen", lat=50.8865, lon=5.9797)
    response = editor_client.post(
        reverse("admin:officers_station_add"),
        station_form(street_address="Akerstraat 10", postcode="6411 HA", lat="", lon=""),
        follow=True,
    )
    assert response.status_code == 200
    assert (Station.objects.get().lat, Station.objects.get().lon) == (50.8865, 5.9797)
    assert "placed in the middle of postcode 6411 HA" in response.content.decode()
