"""The subjects of the page cache: names for everything cached about one thing, which a page
derives from its URL (`cache_public_page(view, subjects=...)`) and a save retires
(officers/invalidation.py).

- `officer:<slug>`: the profile (with any `?buurt=`) and its Atom feed;
- `buurt:<code>`: the buurt page (with any query), its cards and feed, the buurt's part of API
  lookups and its officers as shared data, and pages showing it as the nearby buurt (`?ook=`);
- `municipality:<slug>`: the lists of wijkagenten and of wijken of one municipality.

Pages that name none (home, the choice of municipalities) go by the generation of everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def officer_subject(slug: str) -> str:
    return f"officer:{slug}"


def buurt_subject(code: str) -> str:
    return f"buurt:{code.upper()}"


def municipality_subject(slug: str) -> str:
    return f"municipality:{slug}"


def officer_page(codes: Mapping[str, str], *, slug: str, **kwargs: Any) -> list[str]:
    """A profile or officer feed; the searched buurt (`?buurt=`) is one of the officer's own."""
    return [officer_subject(slug)]


def buurt_page(codes: Mapping[str, str], *, code: str, **kwargs: Any) -> list[str]:
    """A buurt page, card or feed, and the nearby buurt a postcode search shows with it."""
    named = [buurt_subject(code)]
    if "ook" in codes:
        named.append(buurt_subject(codes["ook"]))
    return named


def municipality_page(codes: Mapping[str, str], *, gemeente: str, **kwargs: Any) -> list[str]:
    """The list of wijkagenten or of wijken of one municipality, by the slug in its URL."""
    return [municipality_subject(gemeente)]
