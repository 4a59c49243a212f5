"""Postcode-only answers from the address register (a postcode with a number: officers.finding)."""

from neighbourhoods.lookup import AddressOutcome, find_postcode
from tests import factories


def test_postcode_in_one_buurt_answers_without_a_number(buurten):
    factories.make_address(buurten["west"], huisnummer=1)
    factories.make_address(buurten["west"], huisnummer=3)
    match = find_postcode("6411NH")
    assert match.outcome == AddressOutcome.POSTCODE_ONE_BUURT
    assert match.buurt == buurten["west"]


def test_postcode_across_buurten_needs_the_number(buurten):
    factories.make_address(buurten["west"], huisnummer=1)
    factories.make_address(buurten["east"], huisnummer=3)
    match = find_postcode("6411NH")
    assert match.outcome == AddressOutcome.HOUSE_NUMBER_REQUIRED


def test_unknown_postcode(buurten):
    match = find_postcode("9999ZZ")
    assert match.outcome == AddressOutcome.NOT_FOUND
