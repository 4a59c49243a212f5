"""The search's decision (officers.finding): exact matches, unknown suffixes, addresses outside
every buurt, the day it looks up, and no boundary ever read."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from neighbourhoods.parsing import parse_house_number
from officers.finding import MatchedBy, Outcome, find_officers
from officers.models import Assignment
from tests import factories


def search(number: str, addition: str = ""):
    return find_officers(postcode="6411NH", house_number=parse_house_number(number, addition))


def test_exact_letter_match(buurten):
    factories.make_address(buurten["west"], huisnummer=13)
    wanted = factories.make_address(buurten["east"], huisnummer=13, huisletter="E")
    result = search("13", "E")
    assert result.outcome == Outcome.NO_OFFICER  # found; no officer assigned in this test
    assert result.matched_by == MatchedBy.ADDRESS
    assert str(result.address) == str(wanted)
    assert [(b.id, b.code, b.name) for b in result.buurten] == [
        (buurten["east"].pk, "BU00010002", "Oost")
    ]
    assert result.message is None


def test_the_result_is_frozen(buurten):
    factories.make_address(buurten["west"], huisnummer=13)
    with pytest.raises(dataclasses.FrozenInstanceError):
        search("13").outcome = Outcome.ADDRESS_NOT_FOUND


@pytest.mark.parametrize(
    ("utc", "found"),
    [
        (dt.datetime(2026, 1, 15, 22, 59, tzinfo=dt.UTC), Outcome.NO_OFFICER),
        (dt.datetime(2026, 1, 15, 23, 0, tzinfo=dt.UTC), Outcome.ONE_OFFICER),
        (dt.datetime(2026, 7, 15, 21, 59, tzinfo=dt.UTC), Outcome.NO_OFFICER),
        (dt.datetime(2026, 7, 15, 22, 0, tzinfo=dt.UTC), Outcome.ONE_OFFICER),
    ],
)
def test_the_search_day_is_the_date_in_the_netherlands(buurten, monkeypatch, utc, found):
    """A search just after midnight in Amsterdam (still the day before in UTC) already looks up
    the new day's assignments, in winter and in summer time alike."""
    factories.make_address(buurten["west"], huisnummer=13)
    new_day = timezone.localtime(utc + dt.timedelta(hours=3)).date()
    factories.assign(factories.make_officer("Nieuw Agent"), buurten["west"], valid_from=new_day)
    monkeypatch.setattr(timezone, "now", lambda: utc)
    assert search("13").outcome == found


def test_letter_typed_as_addition_still_matches(buurten):
    wanted = factories.make_address(buurten["east"], huisnummer=13, toevoeging="E")
    assert str(search("13-E").address) == str(wanted) == "Teststraat 13-E, 6411NH Heerlen"


def test_unknown_suffix_offers_the_addresses_at_that_number(buurten):
    bare = factories.make_address(buurten["west"], huisnummer=13)
    lettered = factories.make_address(buurten["west"], huisnummer=13, huisletter="E")
    result = search("13", "Q")
    assert result.outcome == Outcome.SUFFIX_NOT_FOUND
    assert [str(address) for address in result.alternatives] == [str(bare), str(lettered)]
    assert result.address is None
    assert result.field == "huisnummer"
    assert "letter or addition" in str(result.message) or "letter of toevoeging" in str(
        result.message
    )


def test_the_suffix_is_blamed_on_the_field_it_was_typed_in(buurten):
    factories.make_address(buurten["west"], huisnummer=13)
    result = find_officers(
        postcode="6411NH",
        house_number=parse_house_number("13", "Q"),
        suffix_field="toevoeging",
    )
    assert (result.outcome, result.field) == (Outcome.SUFFIX_NOT_FOUND, "toevoeging")


def test_officers_come_wijkagent_first_then_by_name_each_once(buurten):
    """The wijkagent leads even when a deputy's name sorts first, and an officer assigned twice
    counts once, in the higher role."""
    factories.make_address(buurten["east"], huisnummer=13)
    deputy = factories.make_officer("Aart Eerst")
    wijkagent = factories.make_officer("Zoe Laatst")
    both = factories.make_officer("Bert Beide")
    lower_case = factories.make_officer("de Vries")
    factories.assign(deputy, buurten["east"], role=Assignment.Role.DEPUTY)
    factories.assign(wijkagent, buurten["east"])
    factories.assign(both, buurten["east"], role=Assignment.Role.DEPUTY)
    factories.assign(both, buurten["east"])
    factories.assign(lower_case, buurten["east"])
    result = search("13")
    assert result.outcome == Outcome.SEVERAL_OFFICERS
    assert [(o.name, o.role) for o in result.officers] == [
        ("Bert Beide", Assignment.Role.PRIMARY),
        ("de Vries", Assignment.Role.PRIMARY),
        ("Zoe Laatst", Assignment.Role.PRIMARY),
        ("Aart Eerst", Assignment.Role.DEPUTY),
    ]


def test_a_postcode_alone_and_with_its_number_find_the_same(buurten):
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13)
    factories.assign(factories.make_officer("Zoe Laatst", slug="zoe"), buurten["west"])
    by_postcode = find_officers(postcode="6411NH")
    with_number = search("13")
    assert by_postcode.outcome == with_number.outcome == Outcome.ONE_OFFICER
    assert by_postcode.matched_by == with_number.matched_by == MatchedBy.ADDRESS
    assert by_postcode.buurten == with_number.buurten
    assert by_postcode.buurt.id == buurten["west"].pk
    assert [o.slug for o in by_postcode.officers] == [o.slug for o in with_number.officers]
    assert by_postcode.address is None


def test_unknown_number_is_not_found(buurten):
    factories.make_address(buurten["west"], huisnummer=13)
    result = search("14")
    assert result.outcome == Outcome.ADDRESS_NOT_FOUND
    assert result.field is None  # the address as a whole
    assert "0900-8844" in str(result.message)


def test_address_outside_every_buurt_is_found_without_a_buurt(buurten):
    factories.make_address(None, huisnummer=5)
    result = search("5")
    assert result.outcome == Outcome.OUTSIDE_AREA
    assert result.buurt is None
    assert result.buurten == result.officers == ()
    assert result.address.huisnummer == 5


def test_one_query_answers_and_no_boundary_is_read(buurten, django_assert_num_queries):
    """Full-resolution boundaries are large; neither search ever reads them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.make_address(buurten["west"], huisnummer=13)
    with CaptureQueriesContext(connection) as queries:
        with django_assert_num_queries(1):
            result = search("13")
        with django_assert_num_queries(1):
            by_postcode = find_officers(postcode="6411NH")
    assert result.buurt == by_postcode.buurt
    assert result.buurt.code == buurten["west"].code
    assert all("boundary" not in query["sql"] for query in queries.captured_queries)
