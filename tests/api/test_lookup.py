"""GET /api/v1/lookup: every outcome, every error code, and agreement with the resident's form."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

LOOKUP = "/api/v1/lookup"


def lookup(client: Any, **query: str) -> Any:
    return client.get(LOOKUP, query)


def test_an_address_with_one_officer(client, register):
    response = lookup(client, postcode="6411nh", huisnummer="13", huisletter="e")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["postcode"] == "6411NH"
    assert answer["address"] == {
        "straat": "Teststraat",
        "huisnummer": 13,
        "huisletter": "E",
        "toevoeging": "",
        "postcode": "6411NH",
        "woonplaats": "Heerlen",
    }
    assert answer["buurt"]["code"] == "BU00010001"
    assert answer["buurt"]["name"] == "West"
    assert answer["buurt"]["url"] == "http://testserver/buurt/BU00010001/"
    assert answer["buurt"]["wijk"] == {"code": "WK000100", "name": "Testwijk"}
    assert answer["buurt"]["municipality"] == {"code": "GM0001", "name": "Testgemeente"}
    assert [officer["slug"] for officer in answer["officers"]] == ["anna-voorbeeld"]
    anna = answer["officers"][0]
    assert anna["role"] == "primary"
    assert anna["profile_url"] == "http://testserver/wijkagent/anna-voorbeeld/"
    assert answer["station"]["name"] == "Bureau West"


def test_the_postcode_with_a_space_and_a_separate_addition(client, register):
    answer = lookup(client, postcode="6412 AA", huisnummer="2", toevoeging="2").json()
    assert answer["address"]["toevoeging"] == "2"
    assert [(o["slug"], o["role"]) for o in answer["officers"]] == [
        ("bram-verzonnen", "primary"),
        ("carla-fictief", "deputy"),
    ]


def test_a_buurt_without_officers_is_an_empty_list(client, register):
    response = lookup(client, postcode="6413BB", huisnummer="7")
    assert response.status_code == 200
    assert response.json()["buurt"]["code"] == "BU00010003"
    assert response.json()["officers"] == []


def test_an_address_outside_every_buurt_is_not_an_error(client, register):
    response = lookup(client, postcode="6415DD", huisnummer="9")
    assert response.status_code == 200
    answer = response.json()
    assert answer["buurt"] is None
    assert answer["officers"] == []
    assert answer["station"] is None
    assert answer["address"]["postcode"] == "6415DD"


def test_a_postcode_alone_answers_when_it_lies_in_one_buurt(client, register):
    answer = lookup(client, postcode="6411NH").json()
    assert answer["address"] is None
    assert answer["buurt"]["code"] == "BU00010001"


def test_a_postcode_across_buurten_needs_the_house_number(client, register):
    response = lookup(client, postcode="6414CC")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "house-number-required"
    assert problem["status"] == 422
    assert problem["title"]
    assert "huisnummer" in problem["detail"]  # Dutch unless the client asks for English


def test_an_unknown_address(client, register):
    response = lookup(client, postcode="6411NH", huisnummer="99")
    assert response.status_code == 404
    assert response.json()["code"] == "address-not-found"
    assert response.json()["alternatives"] == []


def test_an_unknown_letter_lists_the_addresses_at_that_number(client, register):
    response = lookup(client, postcode="6411NH", huisnummer="13", huisletter="Q")
    assert response.status_code == 404
    problem = response.json()
    assert problem["code"] == "address-not-found"
    assert [(a["huisnummer"], a["huisletter"]) for a in problem["alternatives"]] == [
        (13, ""),
        (13, "E"),
    ]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"postcode": ""},
        {"postcode": "641NH"},
        {"postcode": "0411NH"},
        {"postcode": "6411-NH"},
        {"postcode": "6411NH\u00a0"},
        {"postcode": "6411NHX"},
    ],
)
def test_invalid_postcodes(client, register, query):
    response = client.get(LOOKUP, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid-postcode"
    assert "6411 NH" in response.json()["detail"]


@pytest.mark.parametrize(
    "query",
    [
        {"huisnummer": "0"},
        {"huisnummer": "100000"},
        {"huisnummer": "13E"},
        {"huisnummer": "abc"},
        {"huisnummer": "13", "huisletter": "EE"},
        {"huisnummer": "13", "toevoeging": "ABCDE"},
        {"huisnummer": "13", "toevoeging": "A-2"},
    ],
)
def test_invalid_house_numbers(client, register, query):
    response = client.get(LOOKUP, {"postcode": "6411NH", **query})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid-house-number"


@pytest.mark.parametrize("query", [{"huisletter": "E"}, {"toevoeging": "2"}])
def test_a_letter_or_addition_without_a_house_number_asks_for_the_number(client, register, query):
    """Well-formed by the document, so not a 400: the number is needed, as for a postcode that
    spans several buurten."""
    response = client.get(LOOKUP, {"postcode": "6411NH", **query})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "house-number-required"


@pytest.mark.parametrize(
    "query", [{"huisnummer": "1" * 5000}, {"huisnummer": "13", "toevoeging": "1" * 5000}]
)
def test_thousands_of_digits_are_a_400_problem(client, register, query):
    response = client.get(LOOKUP, {"postcode": "6411NH", **query})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid-house-number"


def test_too_many_parameters_are_a_400_not_a_500(client, settings, db):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    response = client.get(f"{LOOKUP}?postcode=6411NH&huisnummer=13&a=1&b=2")
    assert response.status_code == 400


def test_a_repeated_parameter_is_ambiguous(client, register):
    response = client.get(f"{LOOKUP}?postcode=6411NH&huisnummer=13&huisnummer=15")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid-house-number"


def test_messages_follow_accept_language(client, register):
    response = client.get(LOOKUP, {"postcode": "x"}, headers={"accept-language": "en"})
    assert response.json()["detail"].startswith("Enter a Dutch postcode")


def test_unpublished_officers_and_private_channels_stay_hidden(client, register):
    body = lookup(client, postcode="6411NH", huisnummer="13", huisletter="E").content.decode()
    assert "verborgen" not in body.lower()
    assert "06-99999999" not in body
    assert "0699999999" not in body


def test_the_lookup_takes_a_bounded_number_of_queries(
    client, register, away, django_assert_max_num_queries
):
    # With the priorities of the officers' areas; one of them counts the request for the rate
    # limit (the counters table).
    with django_assert_max_num_queries(12):
        response = lookup(client, postcode="6412AA", huisnummer="2", toevoeging="2")
    assert len(response.json()["officers"]) == 2


# (postcode, huisnummer, huisletter, toevoeging): typed the same way into the form and the API.
AGREEMENT = [
    ("6411NH", "13", "E", ""),
    ("6411 nh", "13", "e", ""),
    ("6411NH", "15", "", ""),
    ("6411NH", "", "", ""),
    ("6412AA", "2", "", "2"),
    ("6413BB", "7", "", ""),
    ("6415DD", "9", "", ""),
    ("6414CC", "", "", ""),
    ("6414CC", "3", "", ""),
    ("6411NH", "13", "Q", ""),
    ("6411NH", "99", "", ""),
    ("9999ZZ", "1", "", ""),
    ("641", "1", "", ""),
]


def _html_outcome(client: Any, postcode: str, number: str, letter: str, addition: str) -> str:
    response = client.post(
        reverse("officers:search"),
        {"postcode": postcode, "huisnummer": f"{number}{letter}", "toevoeging": addition},
    )
    if response.status_code == 303:
        location = response["Location"]
        if location.startswith("/wijkagent/"):
            return "officer:" + location.split("/")[2]
        if location.startswith("/buurt/"):
            return "buurt:" + location.split("/")[2]
        return "outside"
    if response.context.get("outside_coverage"):
        return "outside-coverage"
    errors = response.context["form"].errors.as_data()
    if "postcode" in errors:
        return "invalid-postcode"
    if response.context["alternatives"]:
        return "address-not-found"
    if "huisnummer" in errors:
        code = errors["huisnummer"][0].code
        return "invalid-house-number" if code == "invalid" else "house-number-required"
    return "address-not-found"


def _api_outcome(client: Any, postcode: str, number: str, letter: str, addition: str) -> str:
    response = client.get(
        LOOKUP,
        {"postcode": postcode, "huisnummer": number, "huisletter": letter, "toevoeging": addition},
    )
    answer = response.json()
    if response.status_code != 200:
        return answer["code"]
    if answer["buurt"] is None:
        return "outside"
    if len(answer["officers"]) == 1:
        return "officer:" + answer["officers"][0]["slug"]
    return "buurt:" + answer["buurt"]["code"]


@pytest.mark.parametrize("typed", AGREEMENT, ids=["-".join(row) for row in AGREEMENT])
def test_the_api_and_the_form_agree(client, register, typed):
    assert _api_outcome(client, *typed) == _html_outcome(client, *typed)
