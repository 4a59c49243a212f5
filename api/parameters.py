"""The API's query parameters: one pattern per parameter, shared by the views and the OpenAPI document.

The patterns are the contract: what matches is passed on to the same lookup functions the HTML flow
uses, what does not is a 400 with a stable code. They are stricter than the resident's form (which
forgives any separator) because a program can send clean values.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from neighbourhoods.parsing import (
    HOUSE_NUMBER_MESSAGE,
    POSTCODE_MESSAGE,
    HouseNumber,
    InvalidInput,
    normalise_postcode,
    parse_house_number,
)

from .problems import Problem

POSTCODE_PATTERN = r"^[1-9][0-9]{3} ?[A-Za-z]{2}$"
HOUSE_NUMBER_PATTERN = r"^([1-9][0-9]{0,4})?$"
HOUSE_LETTER_PATTERN = r"^[A-Za-z]?$"
ADDITION_PATTERN = r"^[A-Za-z0-9]{0,4}$"
# A plain decimal number; Python's float() would also take "1_0", " 5" or "inf".
COORDINATE_PATTERN = r"^-?[0-9]{1,3}(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
BUURT_CODE_PATTERN = r"^[A-Za-z0-9]{1,10}$"
PAGE_PATTERN = r"^[1-9][0-9]{0,5}$"
# Station ids are 64-bit keys; a larger number would overflow the database driver.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class AddressQuery:
    """A lookup's address, parsed by the rules the resident's form uses."""

    postcode: str
    house_number: HouseNumber | None


def _matches(pattern: str, value: str) -> bool:
    # re.search with the document's own pattern, so the server and the schema agree to the byte.
    return re.search(pattern, value) is not None


def _single(query: QueryDict, name: str, default: str = "") -> str | None:
    """The parameter's one value, or None when it is given more than once (ambiguous)."""
    values = query.getlist(name)
    if len(values) > 1:
        return None
    return values[0] if values else default


def invalid_address(error: InvalidInput) -> Problem:
    """The 400 for an address field: the postcode's own code, one code for the house number."""
    code = "invalid-postcode" if error.field == "postcode" else "invalid-house-number"
    return Problem(status=400, code=code, detail=error.message)


def address_query(query: QueryDict) -> AddressQuery:
    postcode = _single(query, "postcode")
    huisnummer = _single(query, "huisnummer")
    huisletter = _single(query, "huisletter")
    toevoeging = _single(query, "toevoeging")
    if postcode is None or not _matches(POSTCODE_PATTERN, postcode):
        raise invalid_address(InvalidInput("postcode", POSTCODE_MESSAGE))
    if not (
        huisnummer is not None
        and huisletter is not None
        and toevoeging is not None
        and _matches(HOUSE_NUMBER_PATTERN, huisnummer)
        and _matches(HOUSE_LETTER_PATTERN, huisletter)
        and _matches(ADDITION_PATTERN, toevoeging)
    ):
        raise invalid_address(InvalidInput("huisnummer", HOUSE_NUMBER_MESSAGE))
    if (huisletter or toevoeging) and not huisnummer:
        # Well-formed, but a letter or addition means one address, which needs its number: the
        # same answer as a postcode that spans several buurten (the form reads a lone addition
        # as the number; the API's fields are explicit).
        raise Problem(
            status=422,
            code="house-number-required",
            detail=_("A house letter or addition belongs to a house number: add huisnummer."),
        )
    try:
        return AddressQuery(
            postcode=normalise_postcode(postcode),
            house_number=(
                parse_house_number(huisnummer + huisletter, toevoeging) if huisnummer else None
            ),
        )
    except InvalidInput as error:
        raise invalid_address(error) from error


def coordinates(query: QueryDict) -> tuple[float, float]:
    """(lat, lon) from the query; both required, WGS84 degrees."""
    raw_lat, raw_lon = _single(query, "lat"), _single(query, "lon")
    problem = Problem(
        status=400,
        code="invalid-coordinates",
        detail=_(
            "Give lat and lon as decimal degrees (WGS84), for example lat=50.8882&lon=5.9794."
        ),
    )
    if raw_lat is None or raw_lon is None:
        raise problem
    if not (_matches(COORDINATE_PATTERN, raw_lat) and _matches(COORDINATE_PATTERN, raw_lon)):
        raise problem
    lat, lon = float(raw_lat), float(raw_lon)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise problem
    return lat, lon


def page_number(query: QueryDict) -> int:
    raw = _single(query, "page", default="1")
    if raw is None or not _matches(PAGE_PATTERN, raw):
        raise Problem(
            status=400,
            code="invalid-page",
            detail=_("Give page as a whole number from 1, for example page=2."),
        )
    return int(raw)
