"""Who is the wijkagent for this address or buurt: the one function the HTML flow and the API share."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from neighbourhoods.lookup import (
    AddressMatch,
    AddressOutcome,
    HouseNumber,
    StreetOutcome,
    find_postcode,
    find_street_address,
    matching_suffix,
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


class OfficerSearch:
    """The answer to a resident's search, before it becomes a redirect or a JSON document.

    A search through the register probe keeps the address it found as the probe's values and
    makes the model objects (`address`, `buurt`, `officers`) only when they are read: the
    redirect that ends most searches needs no more than `officer_slugs` and `buurt_code` (the
    API's answer `buurt_id`), and the objects cost about a fifteenth of a search.
    """

    def __init__(
        self,
        finding: Finding,
        postcode: str,
        *,
        address: Address | None = None,
        buurt: Buurt | None = None,
        officers: Sequence[Officer] = (),
        alternatives: Sequence[Address] = (),
        suggestions: Sequence[str] = (),
        probed: _ProbedAddress | None = None,
    ) -> None:
        self.finding = finding
        self.postcode = postcode
        self.alternatives = list(alternatives)
        # Close street (or place) names, when the street search did not recognise the typed one.
        self.suggestions = list(suggestions)
        self._address = address
        self._buurt = buurt
        self._officers = list(officers)
        self._probed = probed

    def __repr__(self) -> str:
        return f"<OfficerSearch {self.finding.value} {self.officer_slugs} {self.buurt_code!r}>"

    @functools.cached_property
    def address(self) -> Address | None:
        if self._probed is None:
            return self._address
        address = self._probed.address()
        if self.buurt is not None:
            # As select_related attaches a related row: `address.buurt = buurt` would check the
            # assignment (type, database routers) for a pair that came from one row.
            Address.buurt.field.set_cached_value(address, self.buurt)
        return address

    @property
    def address_values(self) -> dict[str, Any] | None:
        """The found address's columns by attribute name (`straat`, `huisnummer`, ...), without
        making an Address and its Buurt: all that the API's answer shows of the address."""
        if self._probed is not None:
            return dict(zip(_ADDRESS_NAMES, self._probed.values, strict=True))
        if self._address is None:
            return None
        return {name: getattr(self._address, name) for name in _ADDRESS_NAMES}

    @functools.cached_property
    def buurt(self) -> Buurt | None:
        return self._buurt if self._probed is None else self._probed.buurt()

    @functools.cached_property
    def officers(self) -> list[Officer]:
        return self._officers if self._probed is None else self._probed.officers()

    @property
    def buurt_id(self) -> int | None:
        if self._probed is None:
            return None if self._buurt is None else self._buurt.pk
        return self._probed.values[_BUURT]

    @property
    def buurt_code(self) -> str | None:
        if self._probed is None:
            return None if self._buurt is None else self._buurt.code
        return self._probed.buurt_code

    @property
    def officer_slugs(self) -> list[str]:
        if self._probed is None:
            return [officer.slug for officer in self._officers]
        return self._probed.officer_slugs


def today() -> dt.date:
    """Today's date in the portal's time zone (settings.TIME_ZONE), the day a search looks up.

    The same date as `timezone.localdate()`, which first reads the active time zone from a
    context-local: about 33,000 instructions against 12,000, on every search. The portal never
    activates another time zone.
    """
    return timezone.now().astimezone(timezone.get_default_timezone()).date()


def officers_for_buurt(buurt: Buurt, *, day: dt.date | None = None) -> list[Officer]:
    """Published officers assigned to the buurt on `day` (today), primary before deputy, A-Z.

    Public data, the same for every resident of the buurt: cached per buurt and day in the
    current page generation, so a staff save shows in the very next search.
    """
    day = day or today()
    return public_data(
        f"officers-for-buurt:{buurt.pk}:{day.isoformat()}",
        lambda: _assigned_officers(buurt, day=day),
    )


def role_order(role: str, name: str, officer_id: int) -> tuple[bool, str, int]:
    """How a buurt's officers are listed: the wijkagent before deputies, then A-Z regardless of
    case ("de Vries" before "Jansen"). The search and `officers_for_buurt` both sort by it, in
    Python, so the order is the same whatever the database's collation."""
    return role != Assignment.Role.PRIMARY, name.casefold(), officer_id


def _assigned_officers(buurt: Buurt, *, day: dt.date) -> list[Officer]:
    assignments = sorted(
        Assignment.objects.valid_on(day)
        .filter(buurt=buurt, officer__is_published=True)
        .select_related("officer"),
        key=lambda a: role_order(a.role, a.officer.name, a.officer_id),
    )
    # An officer with two assignments to the buurt comes once, in the higher role.
    officers: list[Officer] = []
    for assignment in assignments:
        if assignment.officer not in officers:
            assignment.officer.role_here = assignment.role
            officers.append(assignment.officer)
    return officers


def current_assignments(*, day: dt.date | None = None) -> QuerySet[Assignment]:
    """Assignments valid on `day` (today) of buurten in the active dataset, ready for listing."""
    day = day or today()
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
    if not typed_number:
        return _search_from_match(find_postcode(normalised), day=day)
    house_number = parse_house_number(huisnummer, toevoeging)
    return _search_at_number(normalised, house_number, day=day or today())


def _in_model_order(model: Any, names: set[str]) -> tuple[str, ...]:
    """Field names in the model's own order, the order Model.from_db expects its values in."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


# The columns the register probe reads of a buurt and of an officer: what a search decides with
# and what its redirect needs. Anything else is deferred, loaded only if a caller asks for it.
PROBE_BUURT_FIELDS = _in_model_order(Buurt, {"id", "code", "name", "wijk_id"})
PROBE_OFFICER_FIELDS = _in_model_order(Officer, {"id", "slug", "name"})


@functools.cache
def _register_probe(alias: str) -> str:
    """The SQL of the search's one query, written once per process and database.

    Every address at a postcode and house number, each with its buurt and the published officers
    assigned to that buurt on a day: one round trip, no cache. The few rows are put in order in
    Python (`_addresses_with_officers`), which spares the database a sort on every search. Only
    the models' own quoted identifiers go into the text; the values are parameters.
    """
    quote = connections[alias].ops.quote_name

    def table(model: Any) -> str:
        return quote(model._meta.db_table)

    def column(model: Any, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    a, b, s, o = Address, Buurt, Assignment, Officer
    selected = [
        *(f"a.{quote(field.column)}" for field in a._meta.concrete_fields),
        *(f"b.{column(b, name)}" for name in PROBE_BUURT_FIELDS[1:]),
        *(f"o.{column(o, name)}" for name in PROBE_OFFICER_FIELDS),
        f"s.{column(s, 'role')}",
    ]
    return (
        f"SELECT {', '.join(selected)} FROM {table(a)} a "  # noqa: S608
        f"LEFT JOIN {table(b)} b ON b.{column(b, 'id')} = a.{column(a, 'buurt')} "
        f"LEFT JOIN {table(s)} s ON s.{column(s, 'buurt')} = a.{column(a, 'buurt')} "
        f"AND s.{column(s, 'valid_from')} <= %s "
        f"AND (s.{column(s, 'valid_until')} IS NULL OR s.{column(s, 'valid_until')} >= %s) "
        f"LEFT JOIN {table(o)} o ON o.{column(o, 'id')} = s.{column(s, 'officer')} "
        f"AND o.{column(o, 'is_published')} = %s "
        f"WHERE a.{column(a, 'postcode')} = %s AND a.{column(a, 'huisnummer')} = %s"
    )


_ADDRESS_NAMES = tuple(field.attname for field in Address._meta.concrete_fields)
_LETTER = _ADDRESS_NAMES.index("huisletter")
_ADDITION = _ADDRESS_NAMES.index("huisnummertoevoeging")
_BUURT = _ADDRESS_NAMES.index("buurt_id")


@dataclass(slots=True)
class _ProbedAddress:
    """One address of the probe's rows, kept as values. The address the resident meant becomes
    model objects only when its OfficerSearch is asked for them; when the suffix matches none,
    each address becomes an Address, to offer as an alternative."""

    alias: str
    values: tuple[Any, ...]
    buurt_values: tuple[Any, ...] | None
    officer_rows: list[tuple[Any, ...]]

    @property
    def huisletter(self) -> str:
        return self.values[_LETTER]

    @property
    def huisnummertoevoeging(self) -> str:
        return self.values[_ADDITION]

    @property
    def buurt_code(self) -> str | None:
        return None if self.buurt_values is None else self.buurt_values[_BUURT_CODE]

    @property
    def officer_slugs(self) -> list[str]:
        return [row[_OFFICER_SLUG] for row in self.officer_rows]

    def address(self) -> Address:
        return Address.from_db(self.alias, _ADDRESS_NAMES, self.values)

    def buurt(self) -> Buurt | None:
        """The buurt with the probe's columns (the rest deferred); None outside every buurt."""
        if self.buurt_values is None:
            return None
        return Buurt.from_db(self.alias, PROBE_BUURT_FIELDS, self.buurt_values)

    def officers(self) -> list[Officer]:
        officers = []
        for *officer_values, role in self.officer_rows:
            officer = Officer.from_db(self.alias, PROBE_OFFICER_FIELDS, officer_values)
            officer.role_here = role
            officers.append(officer)
        return officers


def _addresses_with_officers(postcode: str, number: int, *, day: dt.date) -> list[_ProbedAddress]:
    """Each address at the number (by letter and addition) with its officers on `day`: an
    address outside every buurt has no buurt and no officers."""
    alias = router.db_for_read(Address)
    connection = connections[alias]
    day_value = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(_register_probe(alias), [day_value, day_value, True, postcode, number])
        rows = cursor.fetchall()
    address_width = len(_ADDRESS_NAMES)
    buurt_end = address_width + len(PROBE_BUURT_FIELDS) - 1
    found: dict[int, _ProbedAddress] = {}
    for row in rows:
        entry = found.get(row[0])
        if entry is None:
            values = row[:address_width]
            buurt_id = values[_BUURT]
            buurt_values = None if buurt_id is None else (buurt_id, *row[address_width:buurt_end])
            entry = found[row[0]] = _ProbedAddress(alias, values, buurt_values, [])
        officer_row = row[buurt_end:]
        # No officer: none assigned that day, or assigned but not published.
        if officer_row[0] is not None:
            entry.officer_rows.append(officer_row)
    located = sorted(
        found.values(), key=lambda entry: (entry.huisletter, entry.huisnummertoevoeging)
    )
    for entry in located:
        entry.officer_rows = _in_role_order(entry.officer_rows)
    return located


_OFFICER_NAME = PROBE_OFFICER_FIELDS.index("name")
_OFFICER_SLUG = PROBE_OFFICER_FIELDS.index("slug")
_BUURT_CODE = PROBE_BUURT_FIELDS.index("code")


def _in_role_order(officer_rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The officers in `role_order`, each once: an officer with two assignments to the buurt
    keeps the higher role. Each row is the officer's probe columns and the role."""
    if len(officer_rows) < 2:  # most buurten have one wijkagent
        return officer_rows
    ordered = sorted(officer_rows, key=lambda row: role_order(row[-1], row[_OFFICER_NAME], row[0]))
    seen: set[int] = set()
    kept = []
    for row in ordered:
        if row[0] not in seen:
            seen.add(row[0])
            kept.append(row)
    return kept


def _search_at_number(postcode: str, house_number: HouseNumber, *, day: dt.date) -> OfficerSearch:
    """The search for a postcode and house number: the register probe above and the decision."""
    located = _addresses_with_officers(postcode, house_number.number, day=day)
    if not located:
        return OfficerSearch(Finding.ADDRESS_NOT_FOUND, postcode)
    meant = matching_suffix(located, house_number)
    if meant is None:
        alternatives = [entry.address() for entry in located]
        return OfficerSearch(Finding.SUFFIX_NOT_FOUND, postcode, alternatives=alternatives)
    if meant.buurt_values is None:
        return OfficerSearch(Finding.OUTSIDE_AREA, postcode, probed=meant)
    return OfficerSearch(_officers_finding(len(meant.officer_rows)), postcode, probed=meant)


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


def _officers_finding(count: int) -> Finding:
    """What a search found for an address inside a buurt with `count` officers."""
    return {0: Finding.NO_OFFICER, 1: Finding.ONE_OFFICER}.get(count, Finding.SEVERAL_OFFICERS)


def _search_from_match(match: AddressMatch, *, day: dt.date | None) -> OfficerSearch:
    """The decision of a search without the register probe (a postcode alone, a street); the
    probe makes the same one from its rows in `_search_at_number`."""
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
    return OfficerSearch(
        _officers_finding(len(officers)),
        match.postcode,
        address=match.address,
        buurt=match.buurt,
        officers=officers,
    )
