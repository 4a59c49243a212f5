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
    slugs = [list_slugs(code=m.code, name=m.name) for m in municipalities]
    plain = [own for own, _with_code in slugs]
    clashing = {slug for slug in plain if plain.count(slug) > 1}
    return [
        ServedMunicipality(municipality=municipality, slug=with_code if own in clashing else own)
        for municipality, (own, with_code) in zip(municipalities, slugs, strict=True)
    ]


def list_slugs(*, code: str, name: str) -> tuple[str, str]:
    """The slugs a municipality's pages may have: its own (`heerlen`), and the one it has when
    another municipality's name gives the same (`bergen-gm0373`)."""
    own = slugify(name) or code.lower()
    return own, slugify(f"{own}-{code}")


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
    search page and the outside-coverage answers tell residents. Public data, cached until
    geography changes."""
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
