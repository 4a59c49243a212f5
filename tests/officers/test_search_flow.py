"""The resident's journey: the form at / and where it ends."""

import datetime as dt
import logging

import pytest
from django.urls import reverse

from officers.models import Assignment
from tests import factories


@pytest.fixture
def register(buurten):
    """West has one officer, east two, north none; one address outside every buurt."""
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(anna, buurten["west"])
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    carla = factories.make_officer("Carla Fictief", slug="carla-fictief")
    factories.assign(bram, buurten["east"])
    factories.assign(carla, buurten["east"], role=Assignment.Role.DEPUTY)
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13, huisletter="E")
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=15)
    factories.make_address(buurten["east"], postcode="6412AA", huisnummer=2, toevoeging="2")
    factories.make_address(buurten["north"], postcode="6413BB", huisnummer=7)
    factories.make_address(buurten["west"], postcode="6414CC", huisnummer=1)
    factories.make_address(buurten["east"], postcode="6414CC", huisnummer=3)
    factories.make_address(None, postcode="6415DD", huisnummer=9)
    return {"anna": anna, "bram": bram, "carla": carla}


def search(client, **data):
    return client.post(reverse("officers:search"), data)


def test_home_shows_an_accessible_form(client, db):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'autocomplete="postal-code"' in html
    assert 'inputmode="text"' in html
    assert '<label for="id_postcode">' in html
    assert '<label for="id_huisnummer">' in html


@pytest.mark.parametrize(
    "typed",
    [
        ("6411 NH", "13 E"),
        ("6411nh", "13-e"),
        (" 6411-nh ", "13e"),
        ("６４１１ＮＨ", "１３Ｅ"),  # noqa: RUF001 (full-width, as East Asian keyboards type them)
    ],
)
def test_one_officer_lands_on_the_profile(client, register, typed):
    postcode, number = typed
    response = search(client, postcode=postcode, huisnummer=number)
    assert response.status_code == 303
    assert response["Location"] == "/wijkagent/anna-voorbeeld/?buurt=BU00010001"
    profile = client.get(response["Location"])
    assert profile.status_code == 200
    assert "Anna Voorbeeld" in profile.content.decode()


def test_letter_in_its_own_field(client, register):
    response = search(client, postcode="6411NH", huisnummer="13", toevoeging="e")
    assert response["Location"].startswith("/wijkagent/anna-voorbeeld/")


def test_two_officers_land_on_the_buurt_page_listing_both(client, register):
    response = search(client, postcode="6412AA", huisnummer="2-2")
    assert response.status_code == 303
    assert response["Location"] == "/buurt/BU00010002/?gezocht=1"
    html = client.get(response["Location"]).content.decode()
    assert "Bram Verzonnen" in html
    assert "Carla Fictief" in html


def test_no_officer_lands_on_the_buurt_page_that_says_what_to_do(client, register):
    response = search(client, postcode="6413BB", huisnummer="7")
    assert response["Location"] == "/buurt/BU00010003/?gezocht=1"
    html = client.get(response["Location"]).content.decode()
    assert "0900-8844" in html
    assert 'class="officer-card"' not in html


def test_unknown_address_returns_to_the_form_with_a_message(client, register):
    response = search(client, postcode="6411NH", huisnummer="99")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "0900-8844" in html
    assert response.context["form"].non_field_errors()


def test_bad_postcode_is_named_in_the_error_summary(client, register):
    response = search(client, postcode="64111", huisnummer="13")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_postcode"' in html
    assert "vier cijfers en twee letters" in html
    assert response.context["form"].errors["postcode"]


def test_missing_postcode_is_asked_for(client, db):
    response = search(client, postcode="", huisnummer="13")
    assert response.context["form"].errors["postcode"]


def test_bad_house_number_is_named(client, register):
    response = search(client, postcode="6411NH", huisnummer="dertien")
    assert response.context["form"].errors["huisnummer"]
    assert 'href="#id_huisnummer"' in response.content.decode()


def test_postcode_only_in_one_buurt_answers_directly(client, register):
    response = search(client, postcode="6411NH")
    assert response["Location"] == "/wijkagent/anna-voorbeeld/?buurt=BU00010001"


def test_postcode_only_across_buurten_asks_for_the_house_number(client, register):
    response = search(client, postcode="6414CC")
    assert response.status_code == 200
    assert response.context["form"].errors["huisnummer"]
    assert "huisnummer" in response.content.decode()


def test_unknown_addition_offers_the_addresses_that_exist(client, register):
    response = search(client, postcode="6411NH", huisnummer="13", toevoeging="Q")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["form"].errors["toevoeging"]
    assert [str(a) for a in response.context["alternatives"]] == ["Teststraat 13E, 6411NH Heerlen"]
    assert "Teststraat 13E" in html


def test_an_unknown_letter_typed_in_the_house_number_is_named_there(client, register):
    response = search(client, postcode="6411NH", huisnummer="13 Q")
    form = response.context["form"]
    assert form.errors["huisnummer"] and "toevoeging" not in form.errors
    html = response.content.decode()
    assert 'href="#id_huisnummer"' in html and 'href="#id_toevoeging"' not in html
    assert [str(a) for a in response.context["alternatives"]] == ["Teststraat 13E, 6411NH Heerlen"]


@pytest.mark.parametrize("toevoeging", ["xxxxxxxx", "!"])
def test_a_bad_addition_is_named_on_its_own_field(client, register, toevoeging):
    response = search(client, postcode="6411NH", huisnummer="13", toevoeging=toevoeging)
    form = response.context["form"]
    assert "huisnummer" not in form.errors
    assert form.errors["toevoeging"] == [
        "Een toevoeging heeft hoogstens vier letters of cijfers, bijvoorbeeld A, 2 of bis."
    ]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            "postcode",
            "Vul een Nederlandse postcode in: vier cijfers en twee letters, bijvoorbeeld 6411 NH.",
        ),
        ("huisnummer", "Vul een huisnummer in, bijvoorbeeld 13, 13E of 13-2."),
        (
            "toevoeging",
            "Een toevoeging heeft hoogstens vier letters of cijfers, bijvoorbeeld A, 2 of bis.",
        ),
    ],
)
def test_far_too_long_input_gets_the_fields_own_advice(client, register, field, message):
    typed = {"postcode": "6411NH", "huisnummer": "13", "toevoeging": "", field: "1" * 5000}
    response = search(client, **typed)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "tekens" not in response.content.decode()  # not Django's count of characters


def test_a_bad_house_number_with_an_addition_is_named_on_the_house_number(client, register):
    response = search(client, postcode="6411NH", huisnummer="dertien", toevoeging="A")
    form = response.context["form"]
    assert form.errors["huisnummer"] and "toevoeging" not in form.errors


def test_the_addresses_to_choose_from_follow_the_form_that_was_used(client, register):
    response = search(client, postcode="6411NH", huisnummer="13", toevoeging="Q")
    html = response.content.decode()
    street_section = html.index('id="street-heading"')
    assert html.index('id="alternatives-heading"') < street_section


def test_address_outside_every_buurt_gets_its_own_page(client, register):
    response = search(client, postcode="6415DD", huisnummer="9")
    assert response["Location"] == "/buiten-werkgebied/"
    page = client.get(response["Location"])
    assert "0900-8844" in page.content.decode()


def test_unpublished_officer_is_skipped(client, register):
    register["bram"].is_published = False
    register["bram"].save()
    response = search(client, postcode="6412AA", huisnummer="2-2")
    assert response["Location"] == "/wijkagent/carla-fictief/?buurt=BU00010002"


def test_expired_and_future_assignments_do_not_count(client, register, buurten):
    Assignment.objects.filter(officer=register["anna"]).update(
        valid_until=dt.date.today() - dt.timedelta(days=1)
    )
    future = factories.make_officer("Dirk Later", slug="dirk-later")
    factories.assign(future, buurten["west"], valid_from=dt.date.today() + dt.timedelta(days=5))
    response = search(client, postcode="6411NH", huisnummer="13E")
    assert response["Location"] == "/buurt/BU00010001/?gezocht=1"


def test_the_address_never_reaches_a_url_the_log_or_a_cookie(client, register, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post("/", {"postcode": "6411 NH", "huisnummer": "13 E"}, follow=True)
    assert response.status_code == 200
    for url, _status in response.redirect_chain:
        assert "6411" not in url
        assert "13" not in url.replace("BU00010001", "")
    assert "6411" not in caplog.text
    assert all("6411" not in morsel.value for morsel in client.cookies.values())
    assert all("6411" not in str(value) for value in client.session.values())


def test_get_with_query_string_does_not_search(client, register):
    response = client.get("/", {"postcode": "6411NH", "huisnummer": "13E"})
    assert response.status_code == 200
    assert not response.context["form"].is_bound


def test_officers_of_a_buurt_list_the_wijkagent_before_the_deputy(register, buurten):
    from officers.finding import officers_for_buurt

    # "Aaron" sorts first by name, but as a deputy he comes after the primary officer.
    aaron = factories.make_officer("Aaron Eerst", slug="aaron-eerst")
    factories.assign(aaron, buurten["east"], role=Assignment.Role.DEPUTY)
    names = [officer.name for officer in officers_for_buurt(buurten["east"])]
    assert names == ["Bram Verzonnen", "Aaron Eerst", "Carla Fictief"]


def test_an_unknown_address_is_searched_once(client, register):
    """The form that explains the answer does not search a second time."""
    from unittest import mock

    from officers import views

    with mock.patch.object(views, "find_officers", wraps=views.find_officers) as searched:
        response = search(client, postcode="6411 NH", huisnummer="999")
    assert response.status_code == 200
    assert searched.call_count == 1
