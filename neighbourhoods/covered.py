"""What the portal covers: the municipalities with buurten in the active dataset, with the slug
their pages' URLs use (the one home of that rule) and the places (woonplaatsen) in them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.text import slugify
from django.utils.translation import gettext

from wijkportaal.cache import public_data

from .models import Buurt, Municipality, Postcode
from .streets import name_key


@dataclass(frozen=True)
class ServedMunicipality:
    """A covered municipality and the slug of its lists' URLs (`/wijkagenten/heerlen/`)."""

    municipality: Municipality
    slug: str

    @property
    def code(self) -> str:
        return self.municipality.code

    @property
    def name(self) -> str:
        return self.municipality.name


def served_municipalities() -> list[ServedMunicipality]:
    """The municipalities with a buurt in the active dataset, A-Z, each with a slug of its name.

    Names are unique among Dutch municipalities, and CBS spells apart the few alike ("Bergen
    (NH.)", "Bergen (L.)"); should two ever give one slug, both carry their code as well.
    """
    covered = Buurt.objects.active().filter(wijk__municipality=OuterRef("pk"))
    municipalities = list(
        Municipality.objects.filter(Exists(covered)).only("code", "name").order_by("name", "code")
    )
    slugs = [
        slugify(municipality.name) or municipality.code.lower() for municipality in municipalities
    ]
    clashing = {slug for slug in slugs if slugs.count(slug) > 1}
    return [
        ServedMunicipality(
            municipality=municipality,
            slug=slugify(f"{slug}-{municipality.code}") if slug in clashing else slug,
        )
        for municipality, slug in zip(municipalities, slugs, strict=True)
    ]


def served_municipality(key: str) -> tuple[ServedMunicipality | None, bool]:
    """The covered municipality a URL names by slug (canonical) or by CBS code (`GM0917`, which
    the caller redirects to the slug); (None, False) when it names none."""
    served = served_municipalities()
    for entry in served:
        if entry.slug == key:
            return entry, True
    for entry in served:
        if entry.code == key.upper():
            return entry, False
    return None, False


@dataclass(frozen=True)
class CoveredMunicipality:
    """A covered municipality and its places (woonplaatsen), A-Z."""

    code: str
    name: str
    places: tuple[str, ...]

    def __str__(self) -> str:
        """As the pages name it: "Heerlen (with Hoensbroek)"."""
        if not self.other_places:
            return self.name
        return gettext("%(municipality)s (with %(places)s)") % {
            "municipality": self.name,
            "places": ", ".join(self.other_places),
        }

    @property
    def other_places(self) -> tuple[str, ...]:
        """Its places not named like the municipality itself: Hoensbroek for Heerlen."""
        return tuple(place for place in self.places if name_key(place) != name_key(self.name))


def covered_area() -> tuple[CoveredMunicipality, ...]:
    """The served municipalities with the places the postcode register names in them, as the
    search page and the outside-coverage answers tell residents. Public data, cached in the page
    generation."""
    return public_data("covered-area", _covered_area)


def _covered_area() -> tuple[CoveredMunicipality, ...]:
    served = served_municipalities()
    places: dict[str, set[str]] = {entry.code: set() for entry in served}
    rows = (
        Postcode.objects.filter(gemeente_code__in=places)
        .exclude(woonplaats="")
        .values_list("gemeente_code", "woonplaats")
        .distinct()
    )
    for code, place in rows:
        places[code].add(place)
    return tuple(
        CoveredMunicipality(
            entry.code, entry.name, tuple(sorted(places[entry.code] | {entry.name}, key=name_key))
        )
        for entry in served
    )
