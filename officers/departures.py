"""Officers who are no longer on the site: what their old profile address answers, and the record
kept of a deleted officer's address so it can answer at all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from neighbourhoods.models import Buurt

from .finding import role_order
from .models import Assignment, DepartedOfficer, Officer


def covered_buurt_codes(officer: Officer, *, day: dt.date) -> list[str]:
    """The codes of the buurten the officer covers on `day`; for an officer with no current area,
    those of their assignments that ended last (what a resident with an old card lived in)."""
    assignments = list(
        Assignment.objects.filter(officer=officer)
        .filter(valid_from__lte=day)
        .select_related("buurt")
        .only("role", "valid_until", "buurt__code")
    )
    current = [a for a in assignments if a.valid_until is None or a.valid_until >= day]
    if not current and assignments:
        last = max(a.valid_until for a in assignments if a.valid_until is not None)
        current = [a for a in assignments if a.valid_until == last]
    return sorted({a.buurt.code for a in current})


def record_departure(officer: Officer) -> None:
    """Keep the deleted officer's address and area (called before the delete, while the
    assignments still exist)."""
    DepartedOfficer.objects.update_or_create(
        slug=officer.slug,
        defaults={
            "buurt_codes": covered_buurt_codes(officer, day=timezone.localdate()),
            "departed_on": timezone.localdate(),
        },
    )


def record_departure_on_delete(sender: type[Officer], instance: Officer, **kwargs: Any) -> None:
    # A signal, not the admin: officers are deleted one by one, in bulk from the change list and
    # through the shell, and every path must leave the record.
    record_departure(instance)


@dataclass(frozen=True)
class Successor:
    officer: Officer
    is_deputy: bool


@dataclass(frozen=True)
class CoveredBuurt:
    """A buurt the former officer covered, with who covers it now (wijkagent first)."""

    buurt: Buurt
    successors: list[Successor]


@dataclass(frozen=True)
class FormerProfile:
    """What an address of an officer who is not (or no longer) on the site answers."""

    removed: bool
    covered: list[CoveredBuurt]

    @property
    def status(self) -> int:
        return 410 if self.removed else 404


def former_profile(*, slug: str, day: dt.date | None = None) -> FormerProfile | None:
    """The page for a profile address that has no published officer: an unpublished officer's
    (404) or a deleted one's (410), with the current officers of the buurten they covered; None
    for an address that never was a profile."""
    day = day or timezone.localdate()
    unpublished = Officer.objects.filter(slug=slug, is_published=False).first()
    if unpublished is not None:
        codes, removed = covered_buurt_codes(unpublished, day=day), False
    else:
        departed = DepartedOfficer.objects.filter(slug=slug).first()
        if departed is None:
            return None
        codes, removed = list(departed.buurt_codes), True
    return FormerProfile(removed=removed, covered=_covered_now(codes, day=day, former=slug))


def _covered_now(codes: list[str], *, day: dt.date, former: str) -> list[CoveredBuurt]:
    if not codes:
        return []
    buurten = {
        buurt.pk: buurt
        for buurt in Buurt.objects.active()
        .filter(code__in=codes)
        .only("id", "code", "name")
        .order_by("name")
    }
    assignments = sorted(
        Assignment.objects.valid_on(day)
        .filter(buurt_id__in=buurten, officer__is_published=True)
        .filter(~Q(officer__slug=former))
        .select_related("officer"),
        key=lambda a: role_order(a.role, a.officer.name, a.officer_id),
    )
    successors: dict[int, list[Successor]] = {pk: [] for pk in buurten}
    for assignment in assignments:
        listed = successors[assignment.buurt_id]
        if all(s.officer.pk != assignment.officer_id for s in listed):
            listed.append(Successor(assignment.officer, assignment.role == Assignment.Role.DEPUTY))
    return [CoveredBuurt(buurt, successors[pk]) for pk, buurt in buurten.items()]
