"""Address and point -> buurt lookup: input parsing, the address register probe and the STRtree.

This is the only module that knows shapely's spatial index. Views, the API and the commands call it.
"""

from __future__ import annotations

import difflib
import enum
import hashlib
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import numpy as np
import shapely
from django.core.cache import cache
from django.db import connection
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from wijkportaal.cache import public_data

from .models import Address, Buurt, Dataset, without_boundaries

logger = logging.getLogger(__name__)

POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
# Residents type separators of every kind between the parts of a postcode.
POSTCODE_NOISE_RE = re.compile(r"[\s.\-]+")
HOUSE_NUMBER_RE = re.compile(r"^(?P<number>[0-9]+)(?P<rest>.*)$")
SUFFIX_SEPARATORS_RE = re.compile(r"[\s\-/.,]+")
SUFFIX_RE = re.compile(r"^[A-Z0-9]{0,5}$")
MAX_HOUSE_NUMBER = 99999


class InvalidInput(ValueError):
    """Input a resident can correct. `field` names the form field, `message` says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class InvalidPostcode(InvalidInput):
    code = "invalid-postcode"

    def __init__(self) -> None:
        super().__init__(
            "postcode",
            _("Enter a Dutch postcode: four digits and two letters, for example 6411 NH."),
        )


class InvalidHouseNumber(InvalidInput):
    code = "invalid-house-number"

    def __init__(self) -> None:
        super().__init__(
            "huisnummer",
            _("Enter a house number, for example 13, 13E or 13-2."),
        )


class InvalidAddition(InvalidHouseNumber):
    """The house number is right on its own; the addition typed in its own field is not."""

    def __init__(self) -> None:
        InvalidInput.__init__(
            self,
            "toevoeging",
            _("An addition has at most four letters or digits, for example A, 2 or bis."),
        )


def normalise_postcode(raw: str) -> str:
    """`' 6411-nh '` -> `'6411NH'`; raises InvalidPostcode for anything that is not a Dutch postcode."""
    postcode = POSTCODE_NOISE_RE.sub("", raw or "").upper()
    if not POSTCODE_RE.match(postcode):
        raise InvalidPostcode
    return postcode


@dataclass(frozen=True)
class HouseNumber:
    """A parsed house number. `suffix` is letter and addition run together, upper-case."""

    number: int
    letter: str = ""
    addition: str = ""

    @property
    def suffix(self) -> str:
        return self.letter + self.addition

    def __str__(self) -> str:
        text = f"{self.number}{self.letter}"
        return f"{text}-{self.addition}" if self.addition else text


def parse_house_number(raw: str, extra: str = "") -> HouseNumber:
    """Parse a house number typed in one field or two: `13`, `13E`, `13 e`, `13-E`, `13-2`, `13 bis`,
    `13A-2`, or `13` plus `A-2` in a second field.

    A lone letter is read as the BAG's huisletter and anything else as huisnummertoevoeging; the
    lookup compares the suffix as a whole, so `13-E` also finds an address whose E is an addition.
    Raises InvalidAddition when the number alone is right and the second field is what is wrong.
    """
    try:
        return _parse_house_number(f"{raw or ''} {extra or ''}")
    except InvalidHouseNumber:
        if (extra or "").strip() and raw and _is_house_number(raw):
            raise InvalidAddition from None
        raise


def _is_house_number(raw: str) -> bool:
    try:
        _parse_house_number(raw)
    except InvalidHouseNumber:
        return False
    return True


def _parse_house_number(typed: str) -> HouseNumber:
    text = typed.strip().upper()
    match = HOUSE_NUMBER_RE.match(text)
    if not match:
        raise InvalidHouseNumber
    number = int(match["number"])
    if not 0 < number <= MAX_HOUSE_NUMBER:
        raise InvalidHouseNumber
    parts = [part for part in SUFFIX_SEPARATORS_RE.split(match["rest"]) if part]
    letter, addition = "", ""
    if parts and len(parts[0]) == 1 and parts[0].isalpha():
        letter, addition = parts[0], "".join(parts[1:])
    elif len(parts) == 1 and parts[0][0].isalpha() and parts[0][1:].isdigit():
        letter, addition = parts[0][0], parts[0][1:]  # "13A2": letter and addition run together
    else:
        addition = "".join(parts)
    if not SUFFIX_RE.match(letter + addition) or len(addition) > 4:
        raise InvalidHouseNumber
    return HouseNumber(number=number, letter=letter, addition=addition)


class AddressOutcome(enum.Enum):
    FOUND = "found"
    POSTCODE_ONE_BUURT = "postcode-one-buurt"
    HOUSE_NUMBER_REQUIRED = "house-number-required"
    SUFFIX_NOT_FOUND = "suffix-not-found"
    NOT_FOUND = "not-found"


@dataclass
class AddressMatch:
    """What the register says about a postcode (and house number).

    `buurt` is set for FOUND and POSTCODE_ONE_BUURT, and None there when the address lies outside
    every buurt. `alternatives` lists the addresses that do exist at a number whose suffix is unknown.
    """

    outcome: AddressOutcome
    postcode: str
    address: Address | None = None
    buurt: Buurt | None = None
    alternatives: list[Address] = field(default_factory=list)


class Suffixed(Protocol):
    """An address, or anything that knows an address's letter and addition."""

    @property
    def huisletter(self) -> str: ...

    @property
    def huisnummertoevoeging(self) -> str: ...


S = TypeVar("S", bound=Suffixed)


def matching_suffix(candidates: Sequence[S], house_number: HouseNumber) -> S | None:
    """The address at this number with the typed letter and addition: the exact split first, then
    the same suffix run together (a typed `13-E` also finds an E stored as toevoeging)."""
    for address in candidates:
        if (address.huisletter, address.huisnummertoevoeging) == (
            house_number.letter,
            house_number.addition,
        ):
            return address
    for address in candidates:
        if address.huisletter + address.huisnummertoevoeging == house_number.suffix:
            return address
    return None


def public_buurt(buurt_id: int) -> Buurt | None:
    """A buurt with its wijk and municipality (no boundaries), from the shared cache when it is on.

    Public data, the same for every visitor; a staff save of any geography clears it.
    """

    def load() -> Buurt | None:
        return (
            Buurt.objects.select_related("wijk__municipality")
            .defer(*without_boundaries())
            .filter(pk=buurt_id)
            .first()
        )

    return public_data(f"buurt:{buurt_id}", load)


def find_postcode(postcode: str) -> AddressMatch:
    """The buurt of a postcode typed without a house number, when all its addresses share one.

    A postcode with addresses in several buurten needs the number (officers.finding, whose one
    query answers a postcode with a number). The buurt comes from the shared cache of public data.
    """
    buurt_ids = list(
        Address.objects.filter(postcode=postcode).values_list("buurt_id", flat=True).distinct()[:2]
    )
    if not buurt_ids:
        return AddressMatch(AddressOutcome.NOT_FOUND, postcode)
    if len(buurt_ids) > 1:
        return AddressMatch(AddressOutcome.HOUSE_NUMBER_REQUIRED, postcode)
    buurt = public_buurt(buurt_ids[0]) if buurt_ids[0] is not None else None
    return AddressMatch(AddressOutcome.POSTCODE_ONE_BUURT, postcode, buurt=buurt)


class BuurtIndex:
    """An STRtree over the buurten of one dataset, with *covers* semantics.

    Geometries are held in code order, so when a point lies on a shared edge, the lowest index
    among the matches is the buurt with the lowest code: a deterministic tie-break.
    """

    def __init__(self, codes: Sequence[str], ids: Sequence[int], geometries: Sequence) -> None:
        order = sorted(range(len(codes)), key=lambda i: codes[i])
        self.codes = [codes[i] for i in order]
        self.ids = np.array([ids[i] for i in order], dtype=np.int64)
        self.geometries = np.array([geometries[i] for i in order], dtype=object)
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)

    @classmethod
    def for_dataset(cls, dataset_id: int) -> BuurtIndex:
        rows = Buurt.objects.filter(dataset_id=dataset_id, boundary__isnull=False).values_list(
            "code", "id", "boundary"
        )
        codes, ids, boundaries = [], [], []
        for code, pk, boundary in rows:
            codes.append(code)
            ids.append(pk)
            boundaries.append(bytes(boundary))
        geometries = shapely.from_wkb(boundaries) if boundaries else []
        return cls(codes, ids, list(geometries))

    def __len__(self) -> int:
        return len(self.codes)

    def locate_many(self, lons: Sequence[float], lats: Sequence[float]) -> np.ndarray:
        """Buurt ids for many points at once (vectorised); -1 where no buurt covers the point."""
        result = np.full(len(lons), -1, dtype=np.int64)
        if not len(lons) or not len(self.codes):
            return result
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        # Box candidates first, then the exact test with the prepared buurt as the first argument:
        # a predicate inside query() would prepare the points instead and test unprepared buurten.
        point_idx, tree_idx = self.tree.query(points)
        covered = shapely.covers(self.geometries[tree_idx], points[point_idx])
        point_idx, tree_idx = point_idx[covered], tree_idx[covered]
        if len(point_idx):
            # Several matches for one point (a shared edge): keep the lowest tree index = lowest code.
            best = np.full(len(lons), np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(best, point_idx, tree_idx)
            hit = best != np.iinfo(np.int64).max
            result[hit] = self.ids[best[hit]]
        return result

    def locate(self, lon: float, lat: float) -> int | None:
        buurt_id = int(self.locate_many([lon], [lat])[0])
        return None if buurt_id < 0 else buurt_id

    def cell_locator(self) -> CellLocator:
        return CellLocator(self)


# Grid cells of a CellLocator, in degrees: about 220 m north-south and 135 m east-west here.
LOCATOR_CELL = 0.002
# Cells are tested a little larger than they are, so that a point's rounding into its cell can
# never take it outside what was tested (the rounding error is around 1e-13 degrees).
LOCATOR_MARGIN = 1e-9
_OUTSIDE, _MIXED = -1, -2


class CellLocator:
    """Locates many points with a BuurtIndex (the same answers as its locate_many), faster for
    millions of points: it learns, cell by cell of a fixed grid, which cells touch one buurt only
    and lie wholly inside it, or touch none. A point in such a cell gets that buurt (or none)
    without a geometry test; a point in a cell crossed by a boundary is tested exactly, against
    the buurten that touch its cell only and from its coordinates (no point geometry is made).
    Cells are learnt as points arrive, so memory grows with the area covered, not with the
    number of points. For one import: not shared between threads."""

    def __init__(self, index: BuurtIndex) -> None:
        self.index = index
        self.cells = np.empty(0, dtype=np.int64)  # sorted cell keys
        self.kinds = np.empty(0, dtype=np.int64)  # tree index, _OUTSIDE or _MIXED
        # The buurten touching each mixed cell, as (cell key, tree index) pairs sorted by key.
        self.pair_cells = np.empty(0, dtype=np.int64)
        self.pair_buurten = np.empty(0, dtype=np.int64)

    def locate_many(self, lons: Sequence[float], lats: Sequence[float]) -> np.ndarray:
        """Buurt ids for many points at once; -1 where no buurt covers the point."""
        lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        if not len(lons) or not len(self.index):
            return np.full(len(lons), -1, dtype=np.int64)
        columns = np.floor(lons / LOCATOR_CELL).astype(np.int64)
        rows = np.floor(lats / LOCATOR_CELL).astype(np.int64)
        # One integer per cell: rows (at most 45,000 cells from the equator) in the low 20 bits.
        keys = (columns << 20) + rows + (1 << 19)
        unique, inverse = np.unique(keys, return_inverse=True)
        self._learn(unique[~np.isin(unique, self.cells, assume_unique=True)])
        kinds = self.kinds[np.searchsorted(self.cells, unique)][inverse]
        result = np.where(kinds >= 0, self.index.ids[np.maximum(kinds, 0)], -1)
        mixed = np.flatnonzero(kinds == _MIXED)
        if len(mixed):
            result[mixed] = self._locate_exactly(keys[mixed], lons[mixed], lats[mixed])
        return result

    def _locate_exactly(self, keys: np.ndarray, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        first = np.searchsorted(self.pair_cells, keys, side="left")
        counts = np.searchsorted(self.pair_cells, keys, side="right") - first
        point_idx = np.repeat(np.arange(len(keys)), counts)
        starts = np.repeat(first - (np.cumsum(counts) - counts), counts)
        tree_idx = self.pair_buurten[starts + np.arange(len(point_idx))]
        # covers(buurt, point) is intersects(buurt, point) for a point; the buurten are prepared.
        hit = shapely.intersects_xy(
            self.index.geometries[tree_idx], lons[point_idx], lats[point_idx]
        )
        # Several matches for one point (a shared edge): the lowest tree index = lowest code.
        best = np.full(len(keys), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, point_idx[hit], tree_idx[hit])
        found = best != np.iinfo(np.int64).max
        return np.where(found, self.index.ids[np.where(found, best, 0)], -1)

    def _learn(self, keys: np.ndarray) -> None:
        if not len(keys):
            return
        columns, rows = keys >> 20, (keys & ((1 << 20) - 1)) - (1 << 19)
        boxes = shapely.box(
            columns * LOCATOR_CELL - LOCATOR_MARGIN,
            rows * LOCATOR_CELL - LOCATOR_MARGIN,
            (columns + 1) * LOCATOR_CELL + LOCATOR_MARGIN,
            (rows + 1) * LOCATOR_CELL + LOCATOR_MARGIN,
        )
        box_idx, tree_idx = self.index.tree.query(boxes, predicate="intersects")
        touching = np.bincount(box_idx, minlength=len(keys))
        kinds = np.where(touching == 0, _OUTSIDE, _MIXED)
        # A cell touched by one buurt only: that buurt's, if the buurt covers all of it.
        single = touching[box_idx] == 1
        candidates, buurten = box_idx[single], tree_idx[single]
        inside = shapely.covers(self.index.geometries[buurten], boxes[candidates])
        kinds[candidates[inside]] = buurten[inside]
        cells = np.concatenate([self.cells, keys])
        order = np.argsort(cells, kind="stable")
        self.cells, self.kinds = cells[order], np.concatenate([self.kinds, kinds])[order]
        pairs = kinds[box_idx] == _MIXED
        pair_cells = np.concatenate([self.pair_cells, keys[box_idx[pairs]]])
        order = np.argsort(pair_cells, kind="stable")
        self.pair_cells = pair_cells[order]
        self.pair_buurten = np.concatenate([self.pair_buurten, tree_idx[pairs]])[order]


_active_index: tuple[tuple, BuurtIndex] | None = None
_active_index_lock = threading.Lock()


def _active_dataset_token() -> tuple | None:
    row = (
        Dataset.objects.filter(is_active=True).values_list("id", "imported_at", "activated_at")
    ).first()
    return tuple(row) if row else None


def active_buurt_index() -> BuurtIndex | None:
    """The index of the active dataset, built once per process and rebuilt when the active
    dataset changes (another dataset activated, or the active one re-imported)."""
    global _active_index
    token = _active_dataset_token()
    if token is None:
        return None
    cached = _active_index
    if cached is not None and cached[0] == token:
        return cached[1]
    with _active_index_lock:
        if _active_index is None or _active_index[0] != token:
            _active_index = (token, BuurtIndex.for_dataset(token[0]))
        return _active_index[1]


def find_buurt_for_point(*, lon: float, lat: float) -> Buurt | None:
    """The buurt of the active dataset that covers the point, or None outside the covered area."""
    index = active_buurt_index()
    if index is None:
        return None
    buurt_id = index.locate(lon, lat)
    if buurt_id is None:
        return None
    return (
        Buurt.objects.select_related("wijk__municipality")
        .defer(*without_boundaries())
        .get(pk=buurt_id)
    )


# --- Street + house number + place: for residents who do not know their postcode. ---

STREET_SUGGESTIONS = 5
# How alike a typed street and a real one must be (difflib's ratio) to be offered: high enough
# that a shared ending ("...straat") alone does not make two names alike.
STREET_SIMILARITY = 0.75
PLACE_SIMILARITY = 0.7
# Abbreviations residents type for the common endings of Dutch street names.
STREET_ABBREVIATIONS = (
    (re.compile(r"str\.?$"), "straat"),
    (re.compile(r"pln\.?$"), "plein"),
    (re.compile(r"(?<!p)ln\.?$"), "laan"),
    (re.compile(r"^st(\.\s*|\s+)"), "sint "),
)
PLACES_CACHE_SECONDS = 600


class StreetOutcome(enum.Enum):
    FOUND = "found"
    SUFFIX_NOT_FOUND = "suffix-not-found"
    NUMBER_NOT_FOUND = "number-not-found"
    STREET_NOT_FOUND = "street-not-found"
    PLACE_NOT_FOUND = "place-not-found"


@dataclass
class StreetMatch:
    """What the register says about street + house number + place.

    `street` and `place` are the register's spelling once recognised; `suggestions` holds close
    street names in that place (or close place names when the place is unknown).
    """

    outcome: StreetOutcome
    street: str = ""
    place: str = ""
    address: Address | None = None
    suggestions: list[str] = field(default_factory=list)
    alternatives: list[Address] = field(default_factory=list)


def name_key(text: str) -> str:
    """A spelling-tolerant key: case, accents, punctuation, spacing and common abbreviations ignored."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()
    plain = re.sub(r"\s+", " ", plain)
    for pattern, replacement in STREET_ABBREVIATIONS:
        plain = pattern.sub(replacement, plain)
    return re.sub(r"[^0-9a-z]", "", plain)


def served_places() -> list[str]:
    """Every woonplaats in the address register, A-Z.

    Cached under the register's highest id, so an import (which adds rows) shows new places at once
    while a page view costs one index probe instead of a DISTINCT over millions of rows.
    """
    key = f"lookup:served-places:{_register_version()}"
    return _cached(key, lambda: sorted(_distinct_places(), key=name_key))


def _cached(key: str, build: Callable[[], list[str]]) -> list[str]:
    """`build()` kept in the cache; a cache that is down costs the work, never the page."""
    try:
        found = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable; %s built uncached", key.split(":")[1])
        return build()
    if found is not None:
        return found
    value = build()
    try:
        cache.set(key, value, PLACES_CACHE_SECONDS)
    except Exception:
        logger.warning("Cache unavailable; %s not stored", key.split(":")[1])
    return value


def _distinct_places() -> list[str]:
    """Every woonplaats, by hopping along the (woonplaats, straat) index from one place to the next.

    A plain DISTINCT reads every address (seconds for 9.6 million); this loose index scan makes one
    index probe per place (about 2,500 in the Netherlands). Same SQL on PostgreSQL and SQLite.
    """
    table = connection.ops.quote_name(Address._meta.db_table)
    column = connection.ops.quote_name(Address._meta.get_field("woonplaats").column)
    # Only quoted identifiers from the model are interpolated; there are no values in this SQL.
    sql = (
        f"WITH RECURSIVE places(name) AS ("  # noqa: S608
        f" SELECT MIN({column}) FROM {table}"
        f" UNION ALL"
        f" SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > places.name)"
        f" FROM places WHERE places.name IS NOT NULL"
        f") SELECT name FROM places WHERE name IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [name for (name,) in cursor.fetchall()]


def _register_version() -> int | None:
    return Address.objects.aggregate(newest=Max("id"))["newest"]


def streets_in(place: str) -> list[str]:
    """The street names of one woonplaats (a city has thousands), cached like `served_places`."""
    key = f"lookup:streets:{_register_version()}:{hashlib.sha256(place.encode()).hexdigest()[:32]}"
    return _cached(
        key,
        lambda: list(
            Address.objects.filter(woonplaats=place)
            .order_by("straat")
            .values_list("straat", flat=True)
            .distinct()
        ),
    )


def _closest(typed: str, names: Sequence[str], *, cutoff: float, count: int) -> list[str]:
    keys: dict[str, str] = {}
    for name in names:
        keys.setdefault(name_key(name), name)
    found = difflib.get_close_matches(name_key(typed), list(keys), n=count, cutoff=cutoff)
    return [keys[key] for key in found]


def find_place(typed: str) -> tuple[str | None, list[str]]:
    """The register's spelling of a typed woonplaats, or None with the closest known places."""
    places = served_places()
    wanted = name_key(typed)
    for place in places:
        if name_key(place) == wanted:
            return place, []
    return None, _closest(typed, places, cutoff=PLACE_SIMILARITY, count=STREET_SUGGESTIONS)


def find_street_address(*, street: str, house_number: HouseNumber, place: str) -> StreetMatch:
    """Look up street + house number in a place: exact names first, close names as suggestions.

    Queries use the (woonplaats, straat) index only: the place is resolved against the (cached)
    list of places, the street against the (cached) streets of that one place.
    """
    known_place, close_places = find_place(place)
    if known_place is None:
        return StreetMatch(StreetOutcome.PLACE_NOT_FOUND, suggestions=close_places)
    streets = streets_in(known_place)
    wanted = name_key(street)
    known_street = next((name for name in streets if name_key(name) == wanted), None)
    if known_street is None:
        return StreetMatch(
            StreetOutcome.STREET_NOT_FOUND,
            place=known_place,
            suggestions=_closest(
                street, streets, cutoff=STREET_SIMILARITY, count=STREET_SUGGESTIONS
            ),
        )
    candidates = list(
        Address.objects.filter(
            woonplaats=known_place, straat=known_street, huisnummer=house_number.number
        )
        .select_related("buurt__wijk__municipality")
        .defer(*without_boundaries("buurt__"))
        .order_by("postcode", "huisletter", "huisnummertoevoeging")
    )
    if not candidates:
        return StreetMatch(StreetOutcome.NUMBER_NOT_FOUND, street=known_street, place=known_place)
    address = matching_suffix(candidates, house_number)
    if address is None:
        return StreetMatch(
            StreetOutcome.SUFFIX_NOT_FOUND,
            street=known_street,
            place=known_place,
            alternatives=candidates,
        )
    return StreetMatch(StreetOutcome.FOUND, street=known_street, place=known_place, address=address)


def intersecting_pairs(geometries: Sequence) -> list[tuple[int, int]]:
    """Index pairs (i < j) of geometries that intersect, found through an STRtree.

    The boundary import uses it to report overlapping buurten; the exact overlap test is the caller's.
    """
    array = np.array(list(geometries), dtype=object)
    if not len(array):
        return []
    left, right = shapely.STRtree(array).query(array, predicate="intersects")
    return [(i, j) for i, j in zip(left.tolist(), right.tolist(), strict=True) if i < j]
