"""Who is the wijkagent for this address: the one decision the HTML search and the API share, its
one result type, and the resident-facing message for each outcome."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Address, Buurt
from neighbourhoods.parsing import HouseNumber
from neighbourhoods.streets import recognise_street
from wijkportaal.cache import public_data

from .models import Assignment, Officer


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


class MatchedBy(enum.Enum):
    """How the search found the buurt: through an address in the register."""

    ADDRESS = "address"


# What the resident reads for each outcome that is not an answer, on the pages and in the API.
MESSAGES: dict[Outcome, Promise] = {
    Outcome.HOUSE_NUMBER_REQUIRED: _(
        "This postcode lies in more than one buurt. Add your house number so we can find the "
        "right wijkagent."
    ),
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
}
# The street message when close street names are offered with it.
STREET_SUGGESTED_MESSAGE = _(
    "We do not know this street in this place. Did you mean one of the streets below?"
)


@dataclass(frozen=True)
class Finding:
    """The answer to a resident's search, before it becomes a redirect, a form error or JSON.

    `buurten` are the candidate buurten in order and `officers` theirs, wijkagent first. When the
    typed address is not an answer, `field` names the part of it the resident should look at
    (None: the address as a whole), `alternatives` the addresses that do exist at the number and
    `suggestions` the closest street or place names.
    """

    outcome: Outcome
    matched_by: MatchedBy | None = None
    address: Address | None = None
    buurten: tuple[Buurt, ...] = ()
    officers: tuple[Officer, ...] = ()
    alternatives: tuple[Address, ...] = ()
    suggestions: tuple[str, ...] = ()
    field: str | None = None

    @property
    def buurt(self) -> Buurt | None:
        return self.buurten[0] if self.buurten else None

    @property
    def message(self) -> Promise | None:
        """What the resident reads when this is not an answer; None when it is one."""
        if self.outcome == Outcome.STREET_NOT_FOUND and self.suggestions:
            return STREET_SUGGESTED_MESSAGE
        return MESSAGES.get(self.outcome)


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
    if straat or woonplaats:
        recognised = recognise_street(street=straat, place=woonplaats)
        if recognised.place is None:
            return Finding(
                Outcome.PLACE_NOT_FOUND, suggestions=recognised.suggestions, field="woonplaats"
            )
        if recognised.street is None:
            return Finding(
                Outcome.STREET_NOT_FOUND, suggestions=recognised.suggestions, field="straat"
            )
        where = Q(woonplaats=recognised.place, straat=recognised.street)
        unknown = Finding(Outcome.NUMBER_NOT_FOUND, field="huisnummer")
    else:
        where = Q(postcode=postcode)
        unknown = Finding(Outcome.ADDRESS_NOT_FOUND)
    if house_number is None:
        return _postcode_only(postcode, day=day)
    candidates = list(_addresses().filter(where, huisnummer=house_number.number))
    if not candidates:
        return unknown
    meant = _matching_suffix(candidates, house_number)
    if meant is None:
        return Finding(Outcome.SUFFIX_NOT_FOUND, alternatives=tuple(candidates), field=suffix_field)
    return _found(meant.buurt, address=meant, day=day)


def _addresses() -> QuerySet[Address]:
    # Boundaries are large and no search draws a map.
    return (
        Address.objects.select_related("buurt__wijk__municipality")
        .defer("buurt__boundary", "buurt__wijk__boundary")
        .order_by("postcode", "huisletter", "huisnummertoevoeging")
    )


def _matching_suffix(candidates: list[Address], house_number: HouseNumber) -> Address | None:
    """The address with the typed letter and addition: the exact split first, then the same
    suffix run together (a typed `13-E` also finds an E stored as toevoeging)."""
    typed = (house_number.letter, house_number.addition)
    for address in candidates:
        if (address.huisletter, address.huisnummertoevoeging) == typed:
            return address
    for address in candidates:
        if address.huisletter + address.huisnummertoevoeging == house_number.suffix:
            return address
    return None


def _postcode_only(postcode: str, *, day: dt.date) -> Finding:
    """A postcode without a number answers when all its addresses lie in one buurt."""
    buurt_ids = list(
        Address.objects.filter(postcode=postcode)
        .order_by()
        .values_list("buurt_id", flat=True)
        .distinct()[:2]
    )
    if not buurt_ids:
        return Finding(Outcome.ADDRESS_NOT_FOUND)
    if len(buurt_ids) > 1:
        return Finding(Outcome.HOUSE_NUMBER_REQUIRED, field="huisnummer")
    buurt = None
    if buurt_ids[0] is not None:
        buurt = (
            Buurt.objects.select_related("wijk__municipality")
            .defer("boundary", "wijk__boundary")
            .get(pk=buurt_ids[0])
        )
    return _found(buurt, address=None, day=day)


def _found(buurt: Buurt | None, *, address: Address | None, day: dt.date) -> Finding:
    if buurt is None:
        return Finding(Outcome.OUTSIDE_AREA, MatchedBy.ADDRESS, address=address)
    officers = tuple(_assigned_officers(buurt, day=day))
    outcome = {0: Outcome.NO_OFFICER, 1: Outcome.ONE_OFFICER}.get(
        len(officers), Outcome.SEVERAL_OFFICERS
    )
    return Finding(outcome, MatchedBy.ADDRESS, address=address, buurten=(buurt,), officers=officers)


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


def role_order(role: str, name: str, officer_id: int) -> tuple[bool, str, int]:
    """How a buurt's officers are listed: the wijkagent before deputies, then A-Z regardless of
    case ("de Vries" before "Jansen"). The search and `officers_for_buurt` both sort by it, in
    Python, so the order is the same whatever the database's collation."""
    return role != Assignment.Role.PRIMARY, name.casefold(), officer_id


def _valid_on(day: dt.date) -> Q:
    """Assignments valid on `day`: AssignmentQuerySet.valid_on as a condition, written here so a
    search runs code in its own few files only."""
    return Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))


def _assigned_officers(buurt: Buurt, *, day: dt.date) -> list[Officer]:
    assignments = sorted(
        Assignment.objects.filter(
            _valid_on(day), buurt=buurt, officer__is_published=True
        ).select_related("officer"),
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
