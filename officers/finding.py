"""Who is the wijkagent for this address or buurt: the one function the HTML flow and the API share."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from django.db.models import Case, Prefetch, QuerySet, Value, When
from django.utils import timezone

from neighbourhoods.lookup import (
    AddressMatch,
    AddressOutcome,
    StreetOutcome,
    find_address,
    find_street_address,
    normalise_postcode,
    parse_house_number,
)
from neighbourhoods.models import Address, Buurt
from wijkportaal.cache import public_data

from .models import Assignment, Officer


class Finding(enum.Enum):
    ONE_OFFICER = "one-officer"
    SEVERAL_OFFICERS = "several-officers"
    NO_OFFICER = "no-officer"
    OUTSIDE_AREA = "outside-area"
    HOUSE_NUMBER_REQUIRED = "house-number-required"
    SUFFIX_NOT_FOUND = "suffix-not-found"
    ADDRESS_NOT_FOUND = "address-not-found"
    PLACE_NOT_FOUND = "place-not-found"
    STREET_NOT_FOUND = "street-not-found"


@dataclass
class OfficerSearch:
    """The answer to a resident's search, before it becomes a redirect or a JSON document."""

    finding: Finding
    postcode: str
    address: Address | None = None
    buurt: Buurt | None = None
    officers: list[Officer] = field(default_factory=list)
    alternatives: list[Address] = field(default_factory=list)
    # Close street (or place) names, when the street search did not recognise the typed one.
    suggestions: list[str] = field(default_factory=list)


def officers_for_buurt(buurt: Buurt, *, day: dt.date | None = None) -> list[Officer]:
    """Published officers assigned to the buurt on `day` (today), primary before deputy, A-Z.

    Public data, the same for every resident of the buurt: cached per buurt and day in the
    current page generation, so a staff save shows in the very next search.
    """
    day = day or timezone.localdate()
    return public_data(
        f"officers-for-buurt:{buurt.pk}:{day.isoformat()}",
        lambda: _assigned_officers(buurt, day=day),
    )


def _assigned_officers(buurt: Buurt, *, day: dt.date) -> list[Officer]:
    assignments = (
        Assignment.objects.valid_on(day)
        .filter(buurt=buurt, officer__is_published=True)
        .select_related("officer")
        .alias(
            primary_first=Case(When(role=Assignment.Role.PRIMARY, then=Value(0)), default=Value(1))
        )
        .order_by("primary_first", "officer__name")
    )
    officers: list[Officer] = []
    for assignment in assignments:
        if assignment.officer not in officers:
            assignment.officer.role_here = assignment.role
            officers.append(assignment.officer)
    return officers


def current_assignments(*, day: dt.date | None = None) -> QuerySet[Assignment]:
    """Assignments valid on `day` (today) of buurten in the active dataset, ready for listing."""
    day = day or timezone.localdate()
    return (
        Assignment.objects.valid_on(day)
        .filter(buurt__dataset__is_active=True)
        .select_related("buurt")
        .defer("buurt__boundary")
        .order_by("buurt__name")
    )


def published_officers_with_areas(*, day: dt.date | None = None) -> QuerySet[Officer]:
    return Officer.objects.published().prefetch_related(
        Prefetch(
            "assignments", queryset=current_assignments(day=day), to_attr="current_assignments"
        )
    )


def find_officers_for_address(
    *, postcode: str, huisnummer: str = "", toevoeging: str = "", day: dt.date | None = None
) -> OfficerSearch:
    """Parse the resident's input, find the address and the officers assigned to its buurt today.

    Raises InvalidInput (with the field to blame) for input the resident must correct.
    """
    normalised = normalise_postcode(postcode)
    typed_number = f"{huisnummer or ''}{toevoeging or ''}".strip()
    house_number = parse_house_number(huisnummer, toevoeging) if typed_number else None
    match = find_address(postcode=normalised, house_number=house_number)
    return _search_from_match(match, day=day)


def find_officers_for_street_address(
    *,
    straat: str,
    huisnummer: str,
    toevoeging: str = "",
    woonplaats: str,
    day: dt.date | None = None,
) -> OfficerSearch:
    """The same answer as the postcode search, for street + house number + place.

    A recognised address goes through the postcode path's decision (`_search_from_match`), so both
    searches pick officers the same way. Raises InvalidInput for a house number that cannot be one.
    """
    house_number = parse_house_number(huisnummer, toevoeging)
    match = find_street_address(street=straat, house_number=house_number, place=woonplaats)
    if match.outcome == StreetOutcome.PLACE_NOT_FOUND:
        return OfficerSearch(Finding.PLACE_NOT_FOUND, "", suggestions=match.suggestions)
    if match.outcome == StreetOutcome.STREET_NOT_FOUND:
        return OfficerSearch(Finding.STREET_NOT_FOUND, "", suggestions=match.suggestions)
    if match.outcome == StreetOutcome.NUMBER_NOT_FOUND:
        return OfficerSearch(Finding.ADDRESS_NOT_FOUND, "")
    if match.outcome == StreetOutcome.SUFFIX_NOT_FOUND:
        return _search_from_match(
            AddressMatch(
                AddressOutcome.SUFFIX_NOT_FOUND,
                match.alternatives[0].postcode,
                alternatives=match.alternatives,
            ),
            day=day,
        )
    address = match.address
    return _search_from_match(
        AddressMatch(AddressOutcome.FOUND, address.postcode, address=address, buurt=address.buurt),
        day=day,
    )


def _search_from_match(match: AddressMatch, *, day: dt.date | None) -> OfficerSearch:
    if match.outcome == AddressOutcome.NOT_FOUND:
        return OfficerSearch(Finding.ADDRESS_NOT_FOUND, match.postcode)
    if match.outcome == AddressOutcome.HOUSE_NUMBER_REQUIRED:
        return OfficerSearch(Finding.HOUSE_NUMBER_REQUIRED, match.postcode)
    if match.outcome == AddressOutcome.SUFFIX_NOT_FOUND:
        return OfficerSearch(
            Finding.SUFFIX_NOT_FOUND, match.postcode, alternatives=match.alternatives
        )
    if match.buurt is None:
        return OfficerSearch(Finding.OUTSIDE_AREA, match.postcode, address=match.address)
    officers = officers_for_buurt(match.buurt, day=day)
    finding = {0: Finding.NO_OFFICER, 1: Finding.ONE_OFFICER}.get(
        len(officers), Finding.SEVERAL_OFFICERS
    )
    return OfficerSearch(
        finding, match.postcode, address=match.address, buurt=match.buurt, officers=officers
    )
