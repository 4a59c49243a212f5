"""Who is the wijkagent for this address: the one decision the HTML search and the API share, its
one result type, and the resident-facing message for each outcome."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from neighbourhoods.covered import covered_area
from neighbourhoods.models import Address, Buurt
from neighbourhoods.parsing import HouseNumber
from neighbourhoods.streets import name_key, recognise_street
from wijkportaal.cache import public_data

from .models import Assignment, Officer
from .subjects import buurt_subject


class Outcome(enum.Enum):
    ONE_OFFICER = "one-officer"
    SEVERAL_OFFICERS = "several-officers"
    NO_OFFICER = "no-officer"
    OUTSIDE_AREA = "outside-area"
    HOUSE_NUMBER_REQUIRED = "house-number-required"
    SUFFIX_NOT_FOUND = "suffix-not-found"
    ADDRESS_NOT_FOUND = "address-not-found"
    NUMBER_NOT_FOUND = "number-not-found"
    PLACE_NOT_FOUND = "place-not-found"
    STREET_NOT_FOUND = "street-not-found"
    OUTSIDE_COVERAGE = "outside-coverage"


class MatchedBy(enum.Enum):
    """How the search found the buurt: through an address in the address register, or, when that
    holds no address with the postcode, through the postcode's centroid in the postcode register."""

    ADDRESS = "address"
    POSTCODE = "postcode"


# What the resident reads for each outcome that is not an answer, on the pages and in the API.
MESSAGES: dict[Outcome, Promise] = {
    Outcome.HOUSE_NUMBER_REQUIRED: _(
        "This postcode lies in more than one buurt. Add your house number so we can find the "
        "right wijkagent."
    ),
    # Without the register's addresses at hand; with them, `suffix_message` names them.
    Outcome.SUFFIX_NOT_FOUND: _(
        "We know this house number, but not with this letter or addition. Choose one of the "
        "addresses below, or check your input."
    ),
    Outcome.ADDRESS_NOT_FOUND: _(
        "We could not find this address. Check the postcode and house number. If they are "
        "right, call 0900-8844 and we will help you."
    ),
    Outcome.NUMBER_NOT_FOUND: _(
        "We could not find this house number in this street. Check it, or search with your "
        "postcode."
    ),
    Outcome.PLACE_NOT_FOUND: _(
        "We do not know this place. Check the spelling, or choose one of the places we serve."
    ),
    Outcome.STREET_NOT_FOUND: _("We do not know this street in this place. Check the spelling."),
    Outcome.OUTSIDE_COVERAGE: _(
        "This address lies outside the area Wijkportaal covers, so we cannot show its wijkagent "
        "here. Find your wijkagent on politie.nl or call 0900-8844; in an emergency, call 112."
    ),
}
# The street message when close street names are offered with it.
STREET_SUGGESTED_MESSAGE = _(
    "We do not know this street in this place. Did you mean one of the streets below?"
)


@dataclass(frozen=True)
class RegisterAddress:
    """An address of the register, as a search shows it and offers it as an alternative."""

    postcode: str
    huisnummer: int
    huisletter: str
    huisnummertoevoeging: str
    straat: str
    woonplaats: str

    def __str__(self) -> str:
        return f"{self.straat} {self.house_number_display}, {self.postcode} {self.woonplaats}"

    @property
    def house_number_display(self) -> str:
        number = f"{self.huisnummer}{self.huisletter}"
        return f"{number}-{self.huisnummertoevoeging}" if self.huisnummertoevoeging else number


@dataclass(frozen=True)
class CandidateBuurt:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class AssignedOfficer:
    id: int
    slug: str
    name: str
    role: str


@dataclass(frozen=True)
class Finding:
    """The answer to a resident's search, before it becomes a redirect, a form error or JSON.

    `buurten` are the candidate buurten in order and `officers` those of the first, wijkagent
    first. An answer by postcode (`matched_by` POSTCODE) whose centroid lies within 50 m of
    another buurt (the postcode register's `near_buurt`) has that buurt second. When the typed
    address is not an answer, `field` names the part of it the resident should look at (None:
    the address as a whole), `alternatives` the addresses that do exist at the number and
    `suggestions` the closest street or place names.
    """

    outcome: Outcome
    matched_by: MatchedBy | None = None
    address: RegisterAddress | None = None
    buurten: tuple[CandidateBuurt, ...] = ()
    officers: tuple[AssignedOfficer, ...] = ()
    alternatives: tuple[RegisterAddress, ...] = ()
    suggestions: tuple[str, ...] = ()
    field: str | None = None
    typed: HouseNumber | None = None

    @property
    def buurt(self) -> CandidateBuurt | None:
        return self.buurten[0] if self.buurten else None

    @property
    def near_buurt(self) -> CandidateBuurt | None:
        """The other buurt near a postcode's centroid, when the centroid alone cannot decide."""
        return self.buurten[1] if len(self.buurten) > 1 else None

    @property
    def message(self) -> Promise | str | None:
        """What the resident reads when this is not an answer; None when it is one."""
        if self.outcome == Outcome.STREET_NOT_FOUND and self.suggestions:
            return STREET_SUGGESTED_MESSAGE
        if self.outcome == Outcome.SUFFIX_NOT_FOUND and self.alternatives and self.typed:
            return suffix_message(typed=self.typed, alternatives=self.alternatives)
        return MESSAGES.get(self.outcome)


def suffix_message(*, typed: HouseNumber, alternatives: tuple[RegisterAddress, ...]) -> str:
    """The register knows the number only with other letters or additions: say which, and do not
    blame a letter the resident never typed ("4" where only 4A exists)."""
    existing = ", ".join(dict.fromkeys(a.house_number_display for a in alternatives))
    values = {"number": typed.number, "typed": str(typed), "existing": existing}
    if not typed.suffix:
        message = gettext(
            "House number %(number)s exists here only with a letter or addition: %(existing)s. "
            "Choose your address below."
        )
    else:
        message = gettext(
            "We know house number %(number)s, but not with this letter or addition (%(typed)s). "
            "It exists here as: %(existing)s. Choose your address below, or check your input."
        )
    return message % values


def find_officers(
    *,
    postcode: str = "",
    straat: str = "",
    woonplaats: str = "",
    house_number: HouseNumber | None = None,
    suffix_field: str = "huisnummer",
    day: dt.date | None = None,
) -> Finding:
    """Find the address and the officers assigned to its buurt on `day` (today).

    Takes a normalised postcode, with or without a parsed house number, or a street and place
    with a house number (see neighbourhoods.parsing). `suffix_field` names the field the letter
    or addition was typed in, the one to blame when the register knows the number without it.
    """
    day = day or timezone.localdate()
    by_street = bool(straat or woonplaats)
    if house_number is None and not by_street:
        located = _located_addresses(BY_POSTCODE, [postcode], day=day)
        if not located:
            return _by_postcode(postcode, day=day)
        return _postcode_only(located)
    if house_number is None:
        raise ValueError("A search by street needs a house number.")
    if by_street:
        recognised = recognise_street(street=straat, place=woonplaats)
        if (
            recognised.place is None
            and not recognised.suggestions
            and not _is_covered_place(woonplaats)
        ):
            return Finding(Outcome.OUTSIDE_COVERAGE, field="woonplaats")
        if recognised.place is None:
            return Finding(
                Outcome.PLACE_NOT_FOUND, suggestions=recognised.suggestions, field="woonplaats"
            )
        if recognised.street is None:
            return Finding(
                Outcome.STREET_NOT_FOUND, suggestions=recognised.suggestions, field="straat"
            )
        located = _located_addresses(
            BY_STREET, [recognised.place, recognised.street, house_number.number], day=day
        )
        unknown = Finding(Outcome.NUMBER_NOT_FOUND, field="huisnummer")
    else:
        located = _located_addresses(BY_NUMBER, [postcode, house_number.number], day=day)
        if not located:
            return _by_postcode(postcode, day=day)
        unknown = Finding(Outcome.ADDRESS_NOT_FOUND)
    if not located:
        return unknown
    meant = _matching_suffix(located, house_number)
    if meant is None:
        alternatives = tuple(entry.address for entry in located)
        return Finding(
            Outcome.SUFFIX_NOT_FOUND,
            alternatives=alternatives,
            field=suffix_field,
            typed=house_number,
        )
    return _found(meant, with_address=True)


@dataclass
class _Located:
    """One address of the query's rows with its buurt (None outside every buurt) and officers."""

    address: RegisterAddress
    buurt: CandidateBuurt | None
    officers: list[AssignedOfficer]


# Raw SQL because the ORM needs two queries for an address with its buurt's officers on a day,
# and building them costs a search more than the database does; the rows are plain values.
_ADDRESSES_WITH_OFFICERS = """
    SELECT a.id, a.postcode, a.huisnummer, a.huisletter, a.huisnummertoevoeging, a.straat,
        a.woonplaats, b.id, b.code, b.name, o.id, o.slug, o.name, s.role
    FROM neighbourhoods_address a
    LEFT JOIN neighbourhoods_buurt b ON b.id = a.buurt_id
    LEFT JOIN officers_assignment s ON s.buurt_id = a.buurt_id AND s.valid_from <= %s
        AND (s.valid_until IS NULL OR s.valid_until >= %s)
    LEFT JOIN officers_officer o ON o.id = s.officer_id AND o.is_published = %s
"""
BY_POSTCODE = _ADDRESSES_WITH_OFFICERS + "WHERE a.postcode = %s"
BY_NUMBER = _ADDRESSES_WITH_OFFICERS + "WHERE a.postcode = %s AND a.huisnummer = %s"
BY_STREET = (
    _ADDRESSES_WITH_OFFICERS + "WHERE a.woonplaats = %s AND a.straat = %s AND a.huisnummer = %s"
)


def _located_addresses(sql: str, values: list[str | int], *, day: dt.date) -> list[_Located]:
    """The addresses the query finds, in postcode and suffix order, each with its buurt and the
    published officers assigned to it on `day`, wijkagent first."""
    connection = connections[router.db_for_read(Address)]
    day_value = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(sql, [day_value, day_value, True, *values])
        rows = cursor.fetchall()
    located: dict[int, _Located] = {}
    for address_id, *address, buurt_id, code, name, officer_id, slug, officer_name, role in rows:
        entry = located.get(address_id)
        if entry is None:
            buurt = CandidateBuurt(buurt_id, code, name) if buurt_id is not None else None
            entry = located[address_id] = _Located(RegisterAddress(*address), buurt, [])
        # No officer: none assigned that day, or assigned but not published.
        if officer_id is not None:
            entry.officers.append(AssignedOfficer(officer_id, slug, officer_name, role))
    for entry in located.values():
        entry.officers = _in_role_order(entry.officers)
    return sorted(
        located.values(),
        key=lambda e: (e.address.postcode, e.address.huisletter, e.address.huisnummertoevoeging),
    )


def _in_role_order(officers: list[AssignedOfficer]) -> list[AssignedOfficer]:
    """Each officer once, in `role_order`: one assigned twice keeps the higher role."""
    kept: dict[int, AssignedOfficer] = {}
    for officer in sorted(officers, key=lambda o: role_order(o.role, o.name, o.id)):
        kept.setdefault(officer.id, officer)
    return list(kept.values())


def _matching_suffix(located: list[_Located], house_number: HouseNumber) -> _Located | None:
    """The address with the typed letter and addition: the exact split first, then the same
    suffix run together (a typed `13-E` also finds an E stored as toevoeging)."""
    typed = (house_number.letter, house_number.addition)
    for entry in located:
        if (entry.address.huisletter, entry.address.huisnummertoevoeging) == typed:
            return entry
    for entry in located:
        if entry.address.huisletter + entry.address.huisnummertoevoeging == house_number.suffix:
            return entry
    return None


def _postcode_only(located: list[_Located]) -> Finding:
    """A postcode without a number answers when all its addresses lie in one buurt."""
    if len({entry.buurt for entry in located}) > 1:
        return Finding(Outcome.HOUSE_NUMBER_REQUIRED, field="huisnummer")
    return _found(located[0], with_address=False)


def _found(entry: _Located, *, with_address: bool) -> Finding:
    address = entry.address if with_address else None
    if entry.buurt is None:
        return Finding(Outcome.OUTSIDE_AREA, MatchedBy.ADDRESS, address=address)
    outcome = {0: Outcome.NO_OFFICER, 1: Outcome.ONE_OFFICER}.get(
        len(entry.officers), Outcome.SEVERAL_OFFICERS
    )
    return Finding(
        outcome,
        MatchedBy.ADDRESS,
        address=address,
        buurten=(entry.buurt,),
        officers=tuple(entry.officers),
    )


# The postcode register's answer, in one round trip, for a postcode the address register could
# not answer: whether the address register holds the postcode at all (then only the number is
# wrong), whether the postcode's PC4 lies in the covered area (then an unknown postcode is a typo,
# not an address elsewhere), and the register's row with its buurt, the nearby buurt and the
# buurt's officers. The PC4 is covered when one of its postcodes names a municipality of the
# active dataset or lies in one of its buurten, or an address of it does; postcodes are ASCII,
# so a range on their indexes finds the PC4.
_POSTCODE_REGISTER = """
    SELECT f.has_address, f.covered, p.id, b.id, b.code, b.name, n.id, n.code, n.name,
        o.id, o.slug, o.name, s.role
    FROM (SELECT
        EXISTS (SELECT 1 FROM neighbourhoods_address WHERE postcode = %s) AS has_address,
        EXISTS (
            SELECT 1 FROM neighbourhoods_postcode q
            WHERE q.postcode BETWEEN %s AND %s AND (q.buurt_id IS NOT NULL OR q.gemeente_code IN (
                SELECT m.code FROM neighbourhoods_municipality m
                JOIN neighbourhoods_wijk w ON w.municipality_id = m.id
                JOIN neighbourhoods_dataset d ON d.id = w.dataset_id
                WHERE d.is_active = %s
            ))
        ) OR EXISTS (
            SELECT 1 FROM neighbourhoods_address r
            WHERE r.postcode BETWEEN %s AND %s AND r.buurt_id IS NOT NULL
        ) AS covered
    ) f
    LEFT JOIN neighbourhoods_postcode p ON p.postcode = %s
    LEFT JOIN neighbourhoods_buurt b ON b.id = p.buurt_id
    LEFT JOIN neighbourhoods_buurt n ON n.id = p.near_buurt_id
    LEFT JOIN officers_assignment s ON s.buurt_id = p.buurt_id AND s.valid_from <= %s
        AND (s.valid_until IS NULL OR s.valid_until >= %s)
    LEFT JOIN officers_officer o ON o.id = s.officer_id AND o.is_published = %s
"""


def _by_postcode(postcode: str, *, day: dt.date) -> Finding:
    """The answer for a postcode the address register holds no matching address for: by the
    postcode's centroid when the postcode register knows it, else a typo inside the covered area
    or an address outside it."""
    connection = connections[router.db_for_read(Address)]
    day_value = connection.ops.adapt_datefield_value(day)
    pc4 = postcode[:4]
    first_and_last = [f"{pc4}AA", f"{pc4}ZZ"]
    values = [
        postcode,
        *first_and_last,
        True,
        *first_and_last,
        postcode,
        day_value,
        day_value,
        True,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_POSTCODE_REGISTER, values)
        rows = cursor.fetchall()
    first = rows[0]
    has_address, covered, postcode_id, buurt_id, code, name = first[:6]
    near_id, near_code, near_name = first[6:9]
    if has_address:
        return Finding(Outcome.ADDRESS_NOT_FOUND)
    if postcode_id is None:
        return Finding(Outcome.ADDRESS_NOT_FOUND if covered else Outcome.OUTSIDE_COVERAGE)
    if buurt_id is None:
        if covered:
            return Finding(Outcome.OUTSIDE_AREA, MatchedBy.POSTCODE)
        return Finding(Outcome.OUTSIDE_COVERAGE)
    buurten = [CandidateBuurt(buurt_id, code, name)]
    if near_id is not None and near_id != buurt_id:
        buurten.append(CandidateBuurt(near_id, near_code, near_name))
    officers = _in_role_order(
        [
            AssignedOfficer(officer_id, slug, officer_name, role)
            for *_ignored, officer_id, slug, officer_name, role in rows
            if officer_id is not None
        ]
    )
    outcome = {0: Outcome.NO_OFFICER, 1: Outcome.ONE_OFFICER}.get(
        len(officers), Outcome.SEVERAL_OFFICERS
    )
    return Finding(outcome, MatchedBy.POSTCODE, buurten=tuple(buurten), officers=tuple(officers))


def _is_covered_place(typed: str) -> bool:
    """Whether a typed place is a covered municipality or one of its places."""
    key = name_key(typed)
    return any(
        key in {name_key(place) for place in (municipality.name, *municipality.places)}
        for municipality in covered_area()
    )


def officers_for_buurt(buurt: Buurt, *, day: dt.date | None = None) -> list[Officer]:
    """Published officers assigned to the buurt on `day` (today), primary before deputy, A-Z.

    Public data, the same for every resident of the buurt: cached per buurt and day until a
    save retires the buurt's pages, so a staff save shows in the very next search.
    """
    day = day or timezone.localdate()
    return public_data(
        f"officers-for-buurt:{buurt.pk}:{day.isoformat()}",
        lambda: _assigned_officers(buurt, day=day),
        subjects=[buurt_subject(buurt.code)],
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
