"""The search's register probe (officers.finding): exact matches, unknown suffixes, addresses
outside every buurt, and no boundary ever read."""

import datetime as dt

import pytest
from django.utils import timezone

from neighbourhoods.models import Address
from officers.finding import Finding, find_officers_for_address, today
from officers.models import Assignment
from tests import factories


def search(number: str, addition: str = ""):
    return find_officers_for_address(postcode="6411NH", huisnummer=number, toevoeging=addition)


def test_exact_letter_match(buurten, django_assert_num_queries):
    factories.make_address(buurten["west"], huisnummer=13)
    wanted = factories.make_address(buurten["east"], huisnummer=13, huisletter="E")
    result = search("13", "E")
    assert result.finding == Finding.NO_OFFICER  # found; no officer assigned in this test
    assert result.address == wanted
    assert result.buurt == buurten["east"]
    # The address comes with its buurt from the probe's row: reading it asks nothing more.
    with django_assert_num_queries(0):
        assert result.address.buurt.name == buurten["east"].name


@pytest.mark.parametrize(
    ("utc", "day"),
    [
        (dt.datetime(2026, 1, 15, 22, 59, tzinfo=dt.UTC), dt.date(2026, 1, 15)),
        (dt.datetime(2026, 1, 15, 23, 0, tzinfo=dt.UTC), dt.date(2026, 1, 16)),
        (dt.datetime(2026, 7, 15, 21, 59, tzinfo=dt.UTC), dt.date(2026, 7, 15)),
        (dt.datetime(2026, 7, 15, 22, 0, tzinfo=dt.UTC), dt.date(2026, 7, 16)),
    ],
)
def test_the_search_day_is_the_date_in_the_netherlands(monkeypatch, utc, day):
    """A search just after midnight in Amsterdam (still the day before in UTC) already looks up
    the new day's assignments, in winter and in summer time alike."""
    monkeypatch.setattr(timezone, "now", lambda: utc)
    assert today() == day == timezone.localdate()


def test_letter_typed_as_addition_still_matches(buurten):
    wanted = factories.make_address(buurten["east"], huisnummer=13, toevoeging="E")
    assert search("13-E").address == wanted


def test_unknown_suffix_offers_the_addresses_at_that_number(buurten):
    bare = factories.make_address(buurten["west"], huisnummer=13)
    lettered = factories.make_address(buurten["west"], huisnummer=13, huisletter="E")
    result = search("13", "Q")
    assert result.finding == Finding.SUFFIX_NOT_FOUND
    assert result.alternatives == [bare, lettered]
    assert result.address is None
    assert result.address_values is None


def test_officers_come_wijkagent_first_then_by_name_each_once(buurten):
    """The probe's rows come unordered from the database; the wijkagent leads even when a
    deputy's name sorts first, and an officer assigned twice counts once, in the higher role."""
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
    assert result.finding == Finding.SEVERAL_OFFICERS
    assert [(o.name, o.role_here) for o in result.officers] == [
        ("Bert Beide", Assignment.Role.PRIMARY),
        ("de Vries", Assignment.Role.PRIMARY),
        ("Zoe Laatst", Assignment.Role.PRIMARY),
        ("Aart Eerst", Assignment.Role.DEPUTY),
    ]


def test_the_redirect_values_are_those_of_the_model_objects(buurten, django_assert_num_queries):
    """A found address keeps the probe's values: the slugs and the buurt code that a redirect
    needs, and the model objects made from the same row when read (once, no query)."""
    factories.make_address(buurten["east"], huisnummer=13)
    factories.assign(factories.make_officer("Zoe Laatst", slug="zoe"), buurten["east"])
    factories.assign(
        factories.make_officer("Aart Eerst", slug="aart"),
        buurten["east"],
        role=Assignment.Role.DEPUTY,
    )
    result = search("13")
    with django_assert_num_queries(0):
        assert result.officer_slugs == ["zoe", "aart"]
        assert result.buurt_code == "BU00010002"
        assert result.buurt_id == buurten["east"].pk
        assert [officer.slug for officer in result.officers] == result.officer_slugs
        assert result.buurt.code == result.buurt_code
        assert result.address.buurt is result.buurt
        assert result.officers is result.officers
    # The probe's columns are those of the address as the ORM loads it, name for name.
    stored = Address.objects.get(pk=result.address.pk)
    assert result.address_values == {
        field.attname: getattr(stored, field.attname) for field in Address._meta.concrete_fields
    }


def test_a_search_without_the_probe_has_the_same_redirect_values(buurten):
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13)
    factories.assign(factories.make_officer("Zoe Laatst", slug="zoe"), buurten["west"])
    by_postcode = find_officers_for_address(postcode="6411NH")  # one buurt: no probe
    assert by_postcode.finding == Finding.ONE_OFFICER
    probed = search("13")
    assert (by_postcode.officer_slugs, by_postcode.buurt_code) == (["zoe"], "BU00010001")
    assert (probed.officer_slugs, probed.buurt_code) == (["zoe"], "BU00010001")
    assert by_postcode.buurt_id == probed.buurt_id == buurten["west"].pk


def test_unknown_number_is_not_found(buurten):
    factories.make_address(buurten["west"], huisnummer=13)
    assert search("14").finding == Finding.ADDRESS_NOT_FOUND


def test_address_outside_every_buurt_is_found_without_a_buurt(buurten):
    factories.make_address(None, huisnummer=5)
    result = search("5")
    assert result.finding == Finding.OUTSIDE_AREA
    assert result.buurt is None
    assert result.buurt_code is None
    assert result.buurt_id is None
    assert result.officer_slugs == []
    assert result.address.huisnummer == 5
    assert result.address_values["huisnummer"] == 5


def test_lookup_leaves_the_boundaries_in_the_database(buurten):
    """Full-resolution boundaries are large; neither search ever reads them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.make_address(buurten["west"], huisnummer=13)
    with CaptureQueriesContext(connection) as queries:
        result = search("13")
        find_officers_for_address(postcode="6411NH")
    assert result.buurt == buurten["west"]
    assert result.buurt.wijk.municipality.name == "Testgemeente"
    assert all("boundary" not in query["sql"] for query in queries.captured_queries)
