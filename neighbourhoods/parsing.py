"""What residents type, parsed: the one postcode rule and the house-number rule, for the forms,
the API and the importers alike. Plain Python; the messages are translatable."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
# Residents type separators of every kind between the parts of a postcode.
POSTCODE_NOISE_RE = re.compile(r"[\s.\-]+")
HOUSE_NUMBER_RE = re.compile(r"^(?P<number>[0-9]+)(?P<rest>.*)$")
SUFFIX_SEPARATORS_RE = re.compile(r"[\s\-/.,]+")
SUFFIX_RE = re.compile(r"^[A-Z0-9]{0,5}$")
MAX_HOUSE_NUMBER = 99999
MAX_ADDITION_LENGTH = 4

POSTCODE_MESSAGE = _("Enter a Dutch postcode: four digits and two letters, for example 6411 NH.")
HOUSE_NUMBER_MESSAGE = _("Enter a house number, for example 13, 13E or 13-2.")
ADDITION_MESSAGE = _("An addition has at most four letters or digits, for example A, 2 or bis.")


class InvalidInput(ValueError):
    """Input a resident can correct: `field` names the form field, `message` says what to do."""

    def __init__(self, field: str, message: str | Promise) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


def _folded(raw: str | None) -> str:
    """What a resident typed, with compatibility forms folded (NFKC): the full-width digits and
    letters a Japanese or Chinese keyboard types read as the plain ones they stand for."""
    return unicodedata.normalize("NFKC", raw or "")


def normalise_postcode(raw: str) -> str:
    """`' 6411-nh '` -> `'6411NH'`; raises InvalidInput for anything that is not a Dutch postcode."""
    postcode = POSTCODE_NOISE_RE.sub("", _folded(raw)).upper()
    if not POSTCODE_RE.match(postcode):
        raise InvalidInput("postcode", POSTCODE_MESSAGE)
    return postcode


@dataclass(frozen=True)
class HouseNumber:
    """A parsed house number: the BAG's huisnummer, huisletter and huisnummertoevoeging."""

    number: int
    letter: str = ""
    addition: str = ""

    @property
    def suffix(self) -> str:
        """Letter and addition run together, as the register is compared when the split differs."""
        return self.letter + self.addition

    def __str__(self) -> str:
        text = f"{self.number}{self.letter}"
        return f"{text}-{self.addition}" if self.addition else text


def parse_house_number(raw: str, extra: str = "") -> HouseNumber:
    """Parse a house number typed in one field or two: `13`, `13E`, `13 e`, `13-E`, `13-2`, `13 bis`,
    `13A-2`, or `13` plus `A-2` in a second field.

    A lone letter is read as the BAG's huisletter and anything else as huisnummertoevoeging; the
    search compares the suffix as a whole, so `13-E` also finds an address whose E is an addition.
    The error blames the second field (`toevoeging`) when the number alone is right.
    """
    raw, extra = _folded(raw), _folded(extra)
    parsed = _parse(f"{raw} {extra}")
    if parsed is not None:
        return parsed
    if extra.strip() and _parse(raw) is not None:
        raise InvalidInput("toevoeging", ADDITION_MESSAGE)
    raise InvalidInput("huisnummer", HOUSE_NUMBER_MESSAGE)


def _parse(typed: str) -> HouseNumber | None:
    match = HOUSE_NUMBER_RE.match(typed.strip().upper())
    if not match:
        return None
    digits = match["number"].lstrip("0")
    # Checked before int(), which refuses strings of thousands of digits with an error of its own.
    if not digits or len(digits) > len(str(MAX_HOUSE_NUMBER)) or int(digits) > MAX_HOUSE_NUMBER:
        return None
    parts = [part for part in SUFFIX_SEPARATORS_RE.split(match["rest"]) if part]
    letter, addition = "", ""
    if parts and len(parts[0]) == 1 and parts[0].isalpha():
        letter, addition = parts[0], "".join(parts[1:])
    elif len(parts) == 1 and parts[0][0].isalpha() and parts[0][1:].isdigit():
        letter, addition = parts[0][0], parts[0][1:]  # "13A2": letter and addition run together
    else:
        addition = "".join(parts)
    if not SUFFIX_RE.match(letter + addition) or len(addition) > MAX_ADDITION_LENGTH:
        return None
    return HouseNumber(number=int(digits), letter=letter, addition=addition)


# A whole address typed into one field: "6411 NH 13E" in the postcode field, "Stationstraat 13E"
# (or "Stationstraat 13E, Heerlen") in the street field.
POSTCODE_WITH_NUMBER_RE = re.compile(
    r"^\s*([1-9][0-9]{3})[\s.\-]*([A-Za-z]{2})[\s,.\-]*(\d.*?)\s*$"
)
STREET_WITH_NUMBER_RE = re.compile(
    r"^\s*(?P<street>.*?[^\d\s])\s+(?P<number>\d{1,5}(?:\s*[A-Za-z])?(?:\s*[-/]\s*\w{1,4})?)"
    r"\s*(?:,\s*(?P<place>[^\d,]+?))?\s*$"
)


@dataclass(frozen=True)
class SplitAddress:
    """The parts of an address typed into one field; empty strings for parts not typed."""

    first: str
    house_number: str
    place: str = ""


def split_postcode_and_house_number(raw: str) -> SplitAddress | None:
    """`'6411 NH 13E'` -> postcode `'6411 NH'` and number `'13E'`; None when the field holds
    no number after the postcode."""
    match = POSTCODE_WITH_NUMBER_RE.match(_folded(raw))
    if match is None:
        return None
    return SplitAddress(f"{match[1]} {match[2].upper()}", match[3])


# A house number somewhere inside a street field with more after it ("Stationstraat 13E Heerlen"):
# too uncertain to split ("13 bis"?), but enough to say which part goes where.
NUMBER_INSIDE_STREET_RE = re.compile(
    r"^\s*(?P<street>.*?[^\d\s])\s+(?P<number>\d{1,5}(?:\s*[A-Za-z](?![A-Za-z]))?)(?![\d])"
)


def number_inside_street(raw: str) -> SplitAddress | None:
    """`'Stationstraat 13E Heerlen'` -> street `'Stationstraat'` and number `'13E'`; None when
    no house number follows a street name."""
    match = NUMBER_INSIDE_STREET_RE.match(raw or "")
    if match is None:
        return None
    return SplitAddress(match["street"], match["number"])


def split_street_and_house_number(raw: str) -> SplitAddress | None:
    """`'Stationstraat 13E'` -> street and number, `'Stationstraat 13E, Heerlen'` also the place;
    None when the field ends in no house number."""
    match = STREET_WITH_NUMBER_RE.match(raw or "")
    if match is None:
        return None
    return SplitAddress(match["street"], match["number"], match["place"] or "")
