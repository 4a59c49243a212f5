"""What the search says when the typed address is almost right (issue 20, items 12 and 14): the
letters that exist at a number, and a whole address typed into one field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories


@pytest.fixture
def register(buurten):
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(anna, buurten["west"])
    # Number 4 exists only with letters; 13 without and with E, as at the Heerlen station.
    factories.make_address(buurten["west"], postcode="6432ZA", huisnummer=4, huisletter="A")
    factories.make_address(buurten["west"], postcode="6432ZA", huisnummer=4, huisletter="B")
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13)
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13, huisletter="E")
    return anna


def search(client, **data):
    return client.post(reverse("officers:search"), data)


# --- Item 12: a number that exists only with a letter ---


def test_a_number_that_exists_only_with_letters_names_them(client, register):
    html = search(client, postcode="6432 ZA", huisnummer="4").content.decode()
    assert "Huisnummer 4 bestaat hier alleen met een letter of toevoeging: 4A, 4B." in html
    assert "maar niet met deze letter" not in html  # no letter was typed


def test_a_wrong_letter_is_named_with_the_ones_that_exist(client, register):
    html = search(client, postcode="6411 NH", huisnummer="13 Q").content.decode()
    assert (
        "We kennen huisnummer 13, maar niet met deze letter of toevoeging (13Q). "
        "Het bestaat hier als: 13, 13E." in html
    )


def test_the_api_names_the_letters_too(client, register):
    client.cookies["django_language"] = "en"
    response = client.get("/api/v1/lookup", {"postcode": "6432ZA", "huisnummer": "4"})
    detail = response.json()["detail"]
    assert "exists here only with a letter or addition: 4A, 4B" in detail


# --- Item 14: a whole address typed into one field ---


@pytest.mark.parametrize(
    "fields",
    [
        {"postcode": "6411 NH 13E"},
        {"postcode": "6411nh13e"},
        {"postcode": "6411 NH, 13 E", "huisnummer": "13e"},
        {"postcode": "６４１１ＮＨ　１３Ｅ"},  # noqa: RUF001 (full-width)
    ],
)
def test_a_whole_address_in_the_postcode_field_is_understood(client, register, fields):
    response = search(client, **fields)
    assert response.status_code == 303
    assert response["Location"] == "/wijkagent/anna-voorbeeld/?buurt=BU00010001"


def test_a_postcode_field_with_another_number_says_which_part_goes_where(client, register):
    response = search(client, postcode="6411 NH 13E", huisnummer="15")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Typ hier alleen de postcode (6411 NH). Het huisnummer (13E) hoort in het veld "
        "Huisnummer." in html
    )
    assert 'value="6411 NH 13E"' in html  # what was typed stays to be corrected


@pytest.mark.parametrize(
    "fields",
    [
        {"straat": "Teststraat 13E", "woonplaats": "Heerlen"},
        {"straat": "Teststraat 13 e, Heerlen"},
        {"straat": "Teststraat 13E", "huisnummer": "13E", "woonplaats": "Heerlen"},
    ],
)
def test_a_whole_address_in_the_street_field_is_understood(client, register, fields):
    response = client.post(reverse("officers:street-search"), fields)
    assert response.status_code == 303
    assert response["Location"] == "/wijkagent/anna-voorbeeld/?buurt=BU00010001"


def test_a_street_field_with_the_place_after_the_number_says_which_part_goes_where(
    client, register
):
    # Without a comma the place cannot be told from an addition ("13 bis"), so it is not
    # guessed; but "enter your house number" sent the resident looking for what they typed.
    response = client.post(reverse("officers:street-search"), {"straat": "Teststraat 13E Heerlen"})
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Typ hier alleen de straat (Teststraat). Het huisnummer (13E) hoort in het veld "
        "Huisnummer, de plaats in het veld Woonplaats." in html
    )
    assert "Vul je huisnummer in" not in html
    assert 'value="Teststraat 13E Heerlen"' in html


@pytest.mark.parametrize("typed", ["6411 NH 13E", "6411nh"])
def test_a_postcode_in_the_street_field_points_to_the_postcode_form(client, register, typed):
    response = client.post(
        reverse("officers:street-search"),
        {"straat": typed, "huisnummer": "", "woonplaats": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "6411 NH is een postcode: zoek ermee in het postcodeformulier hierboven." in html
    assert "Vul je woonplaats in" not in html
