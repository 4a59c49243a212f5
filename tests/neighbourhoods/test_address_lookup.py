"""Postcode-only answers from the address register: one buurt answers, several need the number."""

from officers.finding import MatchedBy, Outcome, find_officers
from tests import factories


def test_postcode_in_one_buurt_answers_without_a_number(buurten):
    factories.make_address(buurten["west"], huisnummer=1)
    factories.make_address(buurten["west"], huisnummer=3)
    finding = find_officers(postcode="6411NH")
    assert finding.outcome == Outcome.NO_OFFICER
    assert finding.matched_by == MatchedBy.ADDRESS
    assert [buurt.code for buurt in finding.buurten] == [buurten["west"].code]


def test_postcode_across_buurten_needs_the_number(buurten):
    factories.make_address(buurten["west"], huisnummer=1)
    factories.make_address(buurten["east"], huisnummer=3)
    finding = find_officers(postcode="6411NH")
    assert finding.outcome == Outcome.HOUSE_NUMBER_REQUIRED
    assert finding.field == "huisnummer"


def test_an_unknown_postcode_in_a_covered_area_is_a_typo(buurten):
    factories.make_address(buurten["west"], postcode="6411NH")
    assert find_officers(postcode="6411ZZ").outcome == Outcome.ADDRESS_NOT_FOUND


def test_an_unknown_postcode_elsewhere_is_outside_coverage(buurten):
    factories.make_address(buurten["west"], postcode="6411NH")
    assert find_officers(postcode="9999ZZ").outcome == Outcome.OUTSIDE_COVERAGE
