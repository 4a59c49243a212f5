"""A staff account's region: the municipalities it edits in (`EditorScope`), or the whole country.

The admin of every app narrows its lists, choices and object permissions with these functions, so
an editor in Heerlen cannot reach Amsterdam's data by menu, form or direct URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from .models import Buurt, EditorScope, Municipality

EVERY_MUNICIPALITY = "neighbourhoods.every_municipality"


@dataclass(frozen=True)
class Region:
    """The municipalities (by id) a staff account edits in; `None` is the whole country."""

    municipality_ids: frozenset[int] | None

    @property
    def is_national(self) -> bool:
        return self.municipality_ids is None

    def contains(self, municipality_id: int | None) -> bool:
        if self.municipality_ids is None:
            return True
        return municipality_id in self.municipality_ids

    def q(self, path: str) -> Q:
        """A filter on `path` (a lookup ending at a municipality's id) for this region."""
        if self.municipality_ids is None:
            return Q()
        return Q(**{f"{path}__in": sorted(self.municipality_ids)})


NATIONAL = Region(municipality_ids=None)


def region_of(user: Any) -> Region:
    """The region of a signed-in account, read once per request (kept on the user object)."""
    cached = getattr(user, "_wijkportaal_region", None)
    if cached is not None:
        return cached
    if not user.is_active:
        region = Region(municipality_ids=frozenset())
    elif user.is_superuser or user.has_perm(EVERY_MUNICIPALITY):
        region = NATIONAL
    else:
        region = Region(
            municipality_ids=frozenset(
                EditorScope.objects.filter(user_id=user.pk).values_list(
                    "municipality_id", flat=True
                )
            )
        )
    user._wijkportaal_region = region
    return region


def municipalities_in(region: Region) -> QuerySet[Municipality]:
    return Municipality.objects.filter(region.q("pk"))


def buurten_in(region: Region, queryset: QuerySet[Buurt] | None = None) -> QuerySet[Buurt]:
    queryset = Buurt.objects.all() if queryset is None else queryset
    return queryset.filter(region.q("wijk__municipality_id"))
