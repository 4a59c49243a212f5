"""Street and place names as residents type them, recognised against the address register's own
spelling: for residents who search by street, house number and place instead of postcode."""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Max

from .models import Address

logger = logging.getLogger(__name__)

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
NAMES_CACHE_SECONDS = 600
# A stamp replaced whenever an import changes the register (see `register_changed`).
REGISTER_VERSION_KEY = "lookup:address-register-version"


@dataclass(frozen=True)
class RecognisedStreet:
    """The register's spelling of a typed place and street; None where it knows no such name,
    with the closest names it does know (places when the place is unknown, else streets)."""

    place: str | None
    street: str | None
    suggestions: tuple[str, ...] = ()


def name_key(text: str) -> str:
    """A spelling-tolerant key: case, accents, punctuation, spacing and common abbreviations ignored."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()
    plain = re.sub(r"\s+", " ", plain)
    for pattern, replacement in STREET_ABBREVIATIONS:
        plain = pattern.sub(replacement, plain)
    return re.sub(r"[^0-9a-z]", "", plain)


def recognise_street(*, street: str, place: str) -> RecognisedStreet:
    """Match a typed place, then a typed street in it, by `name_key`; close names as suggestions."""
    places = served_places()
    wanted_place = name_key(place)
    known_place = next((name for name in places if name_key(name) == wanted_place), None)
    if known_place is None:
        close = _closest(place, places, cutoff=PLACE_SIMILARITY)
        return RecognisedStreet(place=None, street=None, suggestions=close)
    streets = streets_in(known_place)
    wanted_street = name_key(street)
    known_street = next((name for name in streets if name_key(name) == wanted_street), None)
    if known_street is None:
        close = _closest(street, streets, cutoff=STREET_SIMILARITY)
        return RecognisedStreet(place=known_place, street=None, suggestions=close)
    return RecognisedStreet(place=known_place, street=known_street)


def served_places() -> list[str]:
    """Every woonplaats in the address register, A-Z.

    Cached under the register's version, so an import (adding or renaming) or a new address shows
    at once while a page view costs one index probe instead of a DISTINCT over every address.
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
        cache.set(key, value, NAMES_CACHE_SECONDS)
    except Exception:
        logger.warning("Cache unavailable; %s not stored", key.split(":")[1])
    return value


def _distinct_places() -> list[str]:
    """Every woonplaats, by hopping along the (woonplaats, straat) index from one place to the next.

    Raw SQL because the ORM cannot write a recursive query, and a plain DISTINCT reads every
    address where this loose index scan makes one index probe per place.
    """
    sql = """
        WITH RECURSIVE places(name) AS (
            SELECT MIN(woonplaats) FROM neighbourhoods_address
            UNION ALL
            SELECT (SELECT MIN(woonplaats) FROM neighbourhoods_address WHERE woonplaats > places.name)
            FROM places WHERE places.name IS NOT NULL
        )
        SELECT name FROM places WHERE name IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [name for (name,) in cursor.fetchall()]


def _register_version() -> str:
    """The highest id (new addresses) and the import stamp (renamed streets, which an UPDATE-only
    import makes without a new id)."""
    newest = Address.objects.aggregate(newest=Max("id"))["newest"]
    try:
        # A stamp lost from the cache starts a new one: a miss, never a stale answer.
        stamp = cache.get_or_set(REGISTER_VERSION_KEY, lambda: uuid.uuid4().hex, None)
    except Exception:
        stamp = "uncached"
    return f"{newest}.{stamp}"


def register_changed() -> None:
    """Make every cached list of places and streets stale: called when an import commits."""
    try:
        cache.set(REGISTER_VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:
        logger.warning("Cache unavailable; street lists not marked stale")


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


def _closest(typed: str, names: Sequence[str], *, cutoff: float) -> tuple[str, ...]:
    keys: dict[str, str] = {}
    for name in names:
        keys.setdefault(name_key(name), name)
    found = difflib.get_close_matches(
        name_key(typed), list(keys), n=STREET_SUGGESTIONS, cutoff=cutoff
    )
    return tuple(keys[key] for key in found)
