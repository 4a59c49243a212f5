"""Find without a postcode: street + house number + place, with suggestions for misspellings."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from neighbourhoods.models import Address
from neighbourhoods.parsing import parse_house_number
from neighbourhoods.streets import _distinct_places, name_key, recognise_street, served_places
from officers.finding import Outcome, find_officers
from tests import factories


def find_by_street(*, straat: str, huisnummer: str, woonplaats: str):
    return find_officers(
        straat=straat, woonplaats=woonplaats, house_number=parse_house_number(huisnummer)
    )


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def place_address(buurt, straat, woonplaats, huisnummer, postcode, **fields):
    address = factories.make_address(buurt, postcode=postcode, huisnummer=huisnummer, **fields)
    Address.objects.filter(pk=address.pk).update(straat=straat, woonplaats=woonplaats)
    return address


@pytest.fixture
def streets(buurten):
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(anna, buurten["west"])
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    carla = factories.make_officer("Carla Fictief", slug="carla-fictief")
    factories.assign(bram, buurten["east"])
    factories.assign(carla, buurten["east"])
    place_address(buurten["west"], "Stationstraat", "Heerlen", 13, "6411NH", huisletter="E")
    place_address(buurten["west"], "Stationstraat", "Heerlen", 15, "6411NH")
    place_address(buurten["east"], "Akerstraat", "Heerlen", 2, "6411HA")
    place_address(buurten["east"], "Kerkstraat", "Hoensbroek", 1, "6431AA")
    place_address(None, "Buitenweg", "Heerlen", 9, "6415DD")
    return {"anna": anna}


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Stationstraat", "stationstraat"),
        ("  STATIONSTR. ", "stationstraat"),
        ("Sint-Pieterstraat", "sintpieterstraat"),
        ("St. Pieterstraat", "sintpieterstraat"),
        ("Eikenln", "eikenlaan"),
        ("Marktpln", "marktplein"),
        ("'s-Gravenhage", "sgravenhage"),
        ("Brühl", "bruhl"),
    ],
)
def test_name_key_ignores_case_accents_punctuation_and_abbreviations(typed, key):
    assert name_key(typed) == key


def test_street_and_number_find_the_same_officer_as_the_postcode(streets):
    by_street = find_by_street(straat="stationstraat", huisnummer="13e", woonplaats="HEERLEN")
    by_postcode = find_officers(postcode="6411NH", house_number=parse_house_number("13E"))
    assert by_street.outcome == by_postcode.outcome == Outcome.ONE_OFFICER
    assert [officer.slug for officer in by_street.officers] == ["anna-voorbeeld"]
    assert by_street.officers == by_postcode.officers
    assert by_street.buurt == by_postcode.buurt
    assert by_street.address == by_postcode.address
    assert (by_street.address.straat, by_street.address.huisletter) == ("Stationstraat", "E")


def test_a_misspelt_street_gets_close_suggestions_from_that_place_only(streets):
    result = find_by_street(straat="Stasionstraat", huisnummer="13", woonplaats="Heerlen")
    assert result.outcome == Outcome.STREET_NOT_FOUND
    assert result.suggestions == ("Stationstraat",)
    assert result.field == "straat"
    elsewhere = recognise_street(street="Kerkstrat", place="Heerlen")
    assert (elsewhere.place, elsewhere.street) == ("Heerlen", None)
    assert "Kerkstraat" not in elsewhere.suggestions  # that street is in Hoensbroek


def test_an_unknown_place_suggests_places_we_serve(streets):
    result = find_by_street(straat="Stationstraat", huisnummer="13", woonplaats="Heerle")
    assert result.outcome == Outcome.PLACE_NOT_FOUND
    assert result.suggestions == ("Heerlen",)


def test_unknown_number_and_unknown_letter(streets):
    assert (
        find_by_street(straat="Stationstraat", huisnummer="99", woonplaats="Heerlen").outcome
        == Outcome.NUMBER_NOT_FOUND
    )
    letter = find_by_street(straat="Stationstraat", huisnummer="13 Q", woonplaats="Heerlen")
    assert letter.outcome == Outcome.SUFFIX_NOT_FOUND
    assert [str(a) for a in letter.alternatives] == ["Stationstraat 13E, 6411NH Heerlen"]


def test_the_street_form_redirects_like_the_postcode_form(client, streets):
    one = client.post(
        reverse("officers:street-search"),
        {"straat": "Stationstraat", "huisnummer": "13 E", "woonplaats": "Heerlen"},
    )
    assert one.status_code == 303
    assert one["Location"] == "/wijkagent/anna-voorbeeld/?buurt=BU00010001"
    several = client.post(
        "/adres/", {"straat": "Akerstraat", "huisnummer": "2", "woonplaats": "Heerlen"}
    )
    assert several["Location"] == "/buurt/BU00010002/?gezocht=1"
    outside = client.post(
        "/adres/", {"straat": "Buitenweg", "huisnummer": "9", "woonplaats": "Heerlen"}
    )
    assert outside["Location"] == "/buiten-werkgebied/"


def test_the_street_form_offers_suggestions_as_buttons(client, streets):
    response = client.post(
        "/adres/", {"straat": "Stasionstraat", "huisnummer": "13E", "woonplaats": "Heerlen"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["street_form"].errors["straat"]
    assert 'href="#street_straat"' in html  # the error summary links to the field
    assert 'aria-invalid="true"' in html
    assert '<input type="hidden" name="straat" value="Stationstraat">' in html


def test_the_addresses_to_choose_from_stand_under_the_street_form(client, streets):
    response = client.post(
        "/adres/", {"straat": "Stationstraat", "huisnummer": "13 Q", "woonplaats": "Heerlen"}
    )
    assert response.context["street_form"].errors["huisnummer"]
    html = response.content.decode()
    # Under the form whose error says "choose one of the addresses below", not the postcode form.
    assert html.index('id="street-heading"') < html.index('id="alternatives-heading"')
    assert html.count('id="alternatives-heading"') == 1
    assert "Stationstraat 13E" in html[html.index('id="alternatives-heading"') :]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"straat": "", "huisnummer": "13", "woonplaats": "Heerlen"}, "straat"),
        (
            {"straat": "Stationstraat", "huisnummer": "dertien", "woonplaats": "Heerlen"},
            "huisnummer",
        ),
        ({"straat": "Stationstraat", "huisnummer": "13", "woonplaats": ""}, "woonplaats"),
    ],
)
def test_bad_street_input_is_named_on_the_right_field(client, streets, data, field):
    response = client.post("/adres/", data)
    assert response.status_code == 200
    assert response.context["street_form"].errors[field]
    assert f'href="#street_{field}"' in response.content.decode()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            "straat",
            "Dat is te lang voor een straatnaam: typ alleen de straat, bijvoorbeeld Stationstraat.",
        ),
        ("huisnummer", "Vul een huisnummer in, bijvoorbeeld 13, 13E of 13-2."),
        (
            "woonplaats",
            "Dat is te lang voor een plaatsnaam: typ alleen de plaats, bijvoorbeeld Heerlen.",
        ),
    ],
)
def test_far_too_long_street_input_gets_the_fields_own_advice(client, streets, field, message):
    typed = {"straat": "Stationstraat", "huisnummer": "13", "woonplaats": "Heerlen"}
    response = client.post("/adres/", {**typed, field: "x" * 5000})
    assert response.status_code == 200
    assert response.context["street_form"].errors[field] == [message]
    assert "tekens" not in response.content.decode()  # not Django's count of characters


def test_a_place_nothing_like_a_served_one_gets_the_coverage_answer(client, streets):
    # Not a mistake in a field: an address elsewhere, answered with where the portal works.
    response = client.post(
        "/adres/", {"straat": "Stationstraat", "huisnummer": "13", "woonplaats": "Atlantis"}
    )
    assert response.status_code == 200
    assert not response.context["street_form"].errors
    assert response.context["outside_coverage"]
    assert 'value="Atlantis"' in response.content.decode()


def test_get_on_the_street_search_goes_home(client, db):
    response = client.get("/adres/?straat=Stationstraat&huisnummer=13")
    assert response.status_code == 303
    assert response["Location"] == "/"


def test_the_home_page_lists_the_places_served(client, streets):
    html = client.get("/").content.decode()
    assert "Heerlen, Hoensbroek" in html
    assert 'autocomplete="address-line1"' in html
    assert 'autocomplete="address-level2"' in html
    assert '<label for="street_straat">' in html


def test_the_street_search_never_puts_the_address_in_a_url_or_cookie(client, streets):
    response = client.post(
        "/adres/",
        {"straat": "Stationstraat", "huisnummer": "13E", "woonplaats": "Heerlen"},
        follow=True,
    )
    assert response.status_code == 200
    for url, _status in response.redirect_chain:
        assert "Stationstraat" not in url
        assert "13" not in url.replace("BU00010001", "")
    assert all("Stationstraat" not in morsel.value for morsel in client.cookies.values())


def test_served_places_see_a_new_import_at_once(streets):
    assert served_places() == ["Heerlen", "Hoensbroek"]
    place_address(None, "Dorpsstraat", "Amstenrade", 1, "6436AA")
    assert served_places() == ["Amstenrade", "Heerlen", "Hoensbroek"]


def test_a_street_added_by_an_import_is_found_at_once(streets, buurten):
    first = find_by_street(straat="Nieuwstraat", huisnummer="1", woonplaats="Heerlen")
    assert first.outcome == Outcome.STREET_NOT_FOUND  # and the street list is now cached
    place_address(buurten["west"], "Nieuwstraat", "Heerlen", 1, "6411AB")
    again = find_by_street(straat="Nieuwstraat", huisnummer="1", woonplaats="Heerlen")
    assert again.outcome == Outcome.ONE_OFFICER


def test_the_index_hop_finds_exactly_the_distinct_places(streets):
    distinct = set(Address.objects.order_by().values_list("woonplaats", flat=True).distinct())
    assert sorted(_distinct_places()) == sorted(distinct)
    assert len(distinct) >= 2
