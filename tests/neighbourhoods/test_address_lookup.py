"""The address register probe: exact matches, unknown suffixes and postcode-only answers."""

from neighbourhoods.lookup import AddressOutcome, HouseNumber, find_address
from tests import factories


def test_exact_letter_match(buurten):
    factories.make_address(buurten["west"], huisnummer=13)
    wanted = factories.make_address(buurten["east"], huisnummer=13, huisletter="E")
    match = find_address(postcode="6411NH", house_number=HouseNumber(13, "E"))
    assert match.outcome == AddressOutcome.FOUND
    assert match.address == wanted
    assert match.buurt == buurten["east"]


def test_letter_typed_as_addition_still_matches(buurten):
    wanted = factories.make_address(buurten["east"], huisnummer=13, toevoeging="E")
    match = find_address(postcode="6411NH", house_number=HouseNumber(13, "E"))
    assert match.address == wanted


def test_unknown_suffix_offers_the_addresses_at_that_number(buurten):
    bare = factories.make_address(buurten["west"], huisnummer=13)
    lettered = factories.make_address(buurten["west"], huisnummer=13, huisletter="E")
    match = find_address(postcode="6411NH", house_number=HouseNumber(13, "Q"))
    assert match.outcome == AddressOutcome.SUFFIX_NOT_FOUND
    assert match.alternatives == [bare, lettered]
    assert match.address is None


def test_unknown_number_is_not_found(buurten):
    factories.make_address(buurten["west"], huisnummer=13)
    match = find_address(postcode="6411NH", house_number=HouseNumber(14))
    assert match.outcome == AddressOutcome.NOT_FOUND


def test_postcode_in_one_buurt_answers_without_a_number(buurten):
    factories.make_address(buurten["west"], huisnummer=1)
    factories.make_address(buurten["west"], huisnummer=3)
    match = find_address(postcode="6411NH", house_number=None)
    assert match.outcome == AddressOutcome.POSTCODE_ONE_BUURT
    assert match.buurt == buurten["west"]


def test_postcode_across_buurten_needs_the_number(buurten):
    factories.make_address(buurten["west"], huisnummer=1)
    factories.make_address(buurten["east"], huisnummer=3)
    match = find_address(postcode="6411NH", house_number=None)
    assert match.outcome == AddressOutcome.HOUSE_NUMBER_REQUIRED


def test_unknown_postcode(buurten):
    match = find_address(postcode="9999ZZ", house_number=None)
    assert match.outcome == AddressOutcome.NOT_FOUND


def test_address_outside_every_buurt_is_found_without_a_buurt(buurten):
    factories.make_address(None, huisnummer=5)
    match = find_address(postcode="6411NH", house_number=HouseNumber(5))
    assert match.outcome == AddressOutcome.FOUND
    assert match.buurt is None


def test_lookup_leaves_the_boundaries_in_the_database(buurten, django_assert_max_num_queries):
    """Full-resolution boundaries are large; the address probe never needs them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.make_address(buurten["west"], huisnummer=13)
    with CaptureQueriesContext(connection) as queries:
        match = find_address(postcode="6411NH", house_number=HouseNumber(13))
        find_address(postcode="6411NH", house_number=None)
    assert match.buurt == buurten["west"]
    assert match.buurt.wijk.municipality.name == "Testgemeente"
    assert all("boundary" not in query["sql"] for query in queries.captured_queries)
