"""The change log: what staff changed that residents may want to hear about, written when staff save
and read by the Atom feeds and the e-mail alerts.

Writers are plain functions called from the admin's save paths (and the demo loader); readers use
`ChangeLogEntry.objects` (`for_buurt`, `for_officer`, `since`, `settled`, `public`) and `describe`,
which puts an entry into words in the active language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from neighbourhoods.models import Buurt
from wijkportaal.cache import retire_pages_of

from .models import (
    Absence,
    Assignment,
    ChangeLogBuurt,
    ChangeLogEntry,
    Event,
    Officer,
    Priority,
    PriorityUpdate,
    long_date,
)

Kind = ChangeLogEntry.Kind


def _write(
    *,
    kind: str,
    buurt_codes: Iterable[str],
    officer_ids: Iterable[int],
    officer: Officer | None = None,
    priority: Priority | None = None,
    payload: dict[str, Any] | None = None,
) -> ChangeLogEntry:
    entry = ChangeLogEntry.objects.create(
        kind=kind, officer=officer, priority=priority, payload=payload or {}
    )
    ChangeLogBuurt.objects.bulk_create(
        [ChangeLogBuurt(entry=entry, code=code) for code in sorted(set(buurt_codes))]
    )
    entry.officers.set(set(officer_ids))
    # The feeds that list it, now that its buurten are written: bulk_create sends no signal.
    retire_pages_of(entry)
    return entry


def _assigned_officer_ids(buurt_ids: Iterable[int], *, day: dt.date) -> set[int]:
    return set(
        Assignment.objects.valid_on(day)
        .filter(buurt_id__in=list(buurt_ids))
        .values_list("officer_id", flat=True)
    )


def _officer_buurten(officer_id: int, *, day: dt.date) -> list[Buurt]:
    """The buurten (of the active dataset) the officer is assigned to on `day` or later."""
    return list(
        Buurt.objects.active()
        .filter(assignments__officer_id=officer_id)
        .filter(assignments__in=Assignment.objects.filter(officer_id=officer_id).valid_on(day))
        .only("id", "code")
        .distinct()
    )


def priority_buurten(priority: Priority) -> list[Buurt]:
    """The buurten a priority concerns: its buurt, or every buurt of its wijk."""
    if priority.buurt_id:
        return list(Buurt.objects.filter(pk=priority.buurt_id).only("id", "code"))
    return list(Buurt.objects.filter(wijk=priority.wijk).only("id", "code"))


def record_priority(
    *, priority: Priority, kind: str, day: dt.date, update: PriorityUpdate | None = None
) -> ChangeLogEntry:
    """A priority was opened, updated or closed: for its buurten and their officers on `day`.
    An `update` added with the save (unless the save closes it: then the outcome is the news) is
    the entry's text; the entry keeps the update's id, so the update is read as it is now.
    """
    buurten = priority_buurten(priority)
    news = update if update is not None and kind != Kind.PRIORITY_CLOSED else None
    return _write(
        kind=kind,
        buurt_codes=[b.code for b in buurten],
        officer_ids=_assigned_officer_ids([b.pk for b in buurten], day=day),
        priority=priority,
        payload={"update": news.pk} if news is not None else None,
    )


def priority_change_kind(*, created: bool, was_open: bool | None, priority: Priority) -> str:
    """Which kind of entry a save of a priority makes: new, closed (just now) or updated."""
    if created:
        return Kind.PRIORITY_NEW
    if was_open and not priority.is_open:
        return Kind.PRIORITY_CLOSED
    return Kind.PRIORITY_UPDATED


def record_assignment(*, assignment: Assignment, kind: str) -> ChangeLogEntry:
    """An officer's assignment to a buurt was added, changed or removed."""
    return _write(
        kind=kind,
        buurt_codes=[assignment.buurt.code],
        officer_ids=[assignment.officer_id],
        officer=assignment.officer,
        payload={
            "buurt": assignment.buurt.code,
            "buurt_name": assignment.buurt.name,
            "role": assignment.role,
            "valid_from": assignment.valid_from,
            "valid_until": assignment.valid_until,
        },
    )


def record_officer_published(*, officer: Officer, day: dt.date) -> ChangeLogEntry:
    """A profile became visible: residents of its buurten have a (new) wijkagent to see."""
    buurten = _officer_buurten(officer.pk, day=day)
    return _write(
        kind=Kind.OFFICER_PUBLISHED,
        buurt_codes=[b.code for b in buurten],
        officer_ids=[officer.pk],
        officer=officer,
    )


def record_absence(*, absence: Absence, kind: str, day: dt.date) -> ChangeLogEntry:
    """An absence (with its deputy) was added, changed or cancelled."""
    buurten = _officer_buurten(absence.officer_id, day=day)
    concerned = {absence.officer_id} | ({absence.deputy_id} if absence.deputy_id else set())
    return _write(
        kind=kind,
        buurt_codes=[b.code for b in buurten],
        officer_ids=concerned,
        officer=absence.officer,
        payload={
            "starts_on": absence.starts_on,
            "ends_on": absence.ends_on,
            "deputy": absence.deputy_id,
        },
    )


def record_event(*, event: Event, kind: str, day: dt.date) -> ChangeLogEntry:
    """A spreekuur or meeting was added, changed or cancelled."""
    buurten = _officer_buurten(event.officer_id, day=day)
    return _write(
        kind=kind,
        buurt_codes=[b.code for b in buurten],
        officer_ids=[event.officer_id],
        officer=event.officer,
        payload={
            "title": event.title,
            "place": event.place,
            "starts_at": event.starts_at,
            "recurrence": event.recurrence,
        },
    )


@dataclass(frozen=True)
class ChangeText:
    """An entry in words: a title, a sentence or two, and the public page it is about."""

    title: str
    text: str
    link: str


def _date(value: Any) -> str:
    day = parse_date(value) if isinstance(value, str) else value
    return long_date(day) if day else ""


def _datetime(value: Any) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    return date_format(moment, "j F Y, H:i") if moment else ""


def published_names(entries: Iterable[ChangeLogEntry]) -> dict[int, Officer]:
    """The published officers entries name as deputies, by id (one query for all entries)."""
    ids = {entry.payload.get("deputy") for entry in entries} - {None}
    return Officer.objects.published().in_bulk(list(ids)) if ids else {}


def update_texts(entries: Iterable[ChangeLogEntry]) -> dict[int, str]:
    """The texts of the priority updates entries name, by id, as they read now (one query for all
    entries); an update since deleted is left out."""
    # An entry written before updates were named by id holds the text instead: not read.
    ids = {entry.payload.get("update") for entry in entries if entry.priority_id}
    ids = {value for value in ids if isinstance(value, int)}
    if not ids:
        return {}
    return dict(PriorityUpdate.objects.filter(pk__in=ids).values_list("pk", "text"))


def describe(
    entry: ChangeLogEntry,
    *,
    deputies: dict[int, Officer] | None = None,
    updates: dict[int, str] | None = None,
    page: str = "",
) -> ChangeText:
    """The entry in the active language. Reads `entry.officer` and `entry.priority` (select them
    with the entry); `deputies` from `published_names` names a published deputy and `updates`
    from `update_texts` gives an update's text; a priority links to its place on `page` (the
    feed's own page) when given."""
    kind, payload = entry.kind, entry.payload
    officer = entry.officer
    if entry.priority is not None:
        priority = entry.priority
        titles: dict[str, str] = {
            Kind.PRIORITY_NEW: _("New priority: %(title)s"),
            Kind.PRIORITY_CLOSED: _("Priority closed: %(title)s"),
        }
        title = titles.get(kind, _("Priority updated: %(title)s")) % {"title": priority.title}
        text = (updates or {}).get(payload.get("update") or 0) or (
            priority.outcome if not priority.is_open else priority.action
        )
        link = _priority_link(priority, page=page)
        return ChangeText(title, text, link)
    name = officer.name if officer is not None else ""
    link = officer.get_absolute_url() if officer is not None else ""
    values = {
        "name": name,
        "buurt": payload.get("buurt_name", ""),
        "start": _date(payload.get("starts_on") or payload.get("valid_from")),
        "end": _date(payload.get("ends_on") or payload.get("valid_until")),
        "title": payload.get("title", ""),
        "place": payload.get("place", ""),
        "when": _datetime(payload.get("starts_at")),
    }
    deputy = (deputies or {}).get(payload.get("deputy") or 0)
    texts: dict[str, tuple[str, str]] = {
        Kind.ASSIGNMENT_NEW: (
            _("%(name)s is the new wijkagent for %(buurt)s"),
            _("%(name)s works in %(buurt)s from %(start)s."),
        ),
        Kind.ASSIGNMENT_CHANGED: (
            _("Change for %(name)s in %(buurt)s"),
            _("%(name)s works in %(buurt)s from %(start)s until %(end)s.")
            if payload.get("valid_until")
            else _("%(name)s works in %(buurt)s from %(start)s."),
        ),
        Kind.ASSIGNMENT_REMOVED: (
            _("%(name)s no longer works in %(buurt)s"),
            _("%(name)s is no longer a wijkagent for %(buurt)s."),
        ),
        Kind.OFFICER_PUBLISHED: (
            _("Wijkagent %(name)s"),
            _("The profile of %(name)s is now on the site."),
        ),
        Kind.ABSENCE_NEW: (
            _("%(name)s is away from %(start)s until %(end)s"),
            _("Meanwhile, please contact %(deputy)s.")
            if deputy
            else _("Meanwhile, please call 0900-8844."),
        ),
        Kind.ABSENCE_CHANGED: (
            _("%(name)s is away from %(start)s until %(end)s (changed)"),
            _("Meanwhile, please contact %(deputy)s.")
            if deputy
            else _("Meanwhile, please call 0900-8844."),
        ),
        Kind.ABSENCE_REMOVED: (
            _("%(name)s is not away after all"),
            _("The absence from %(start)s until %(end)s is cancelled."),
        ),
        Kind.EVENT_NEW: (
            _("New: %(title)s"),
            _("%(title)s with %(name)s on %(when)s at %(place)s."),
        ),
        Kind.EVENT_CHANGED: (
            _("Changed: %(title)s"),
            _("%(title)s with %(name)s is now on %(when)s at %(place)s."),
        ),
        Kind.EVENT_REMOVED: (
            _("Cancelled: %(title)s"),
            _("%(title)s with %(name)s on %(when)s at %(place)s does not take place."),
        ),
    }
    title, text = texts.get(kind, (entry.get_kind_display(), ""))
    values["deputy"] = deputy.name if deputy else ""
    if kind in {Kind.ASSIGNMENT_NEW, Kind.ASSIGNMENT_REMOVED, Kind.ASSIGNMENT_CHANGED}:
        link = reverse("officers:buurt", kwargs={"code": payload["buurt"]})
    return ChangeText(title % values, text % values, link)


def _priority_link(priority: Priority, *, page: str) -> str:
    if not page:
        page = (
            reverse("officers:buurt", kwargs={"code": priority.buurt.code})
            if priority.buurt is not None
            else reverse("officers:wijken")
        )
    return f"{page}#aandachtspunt-{priority.pk}"
