"""The daily digest: what changed in each followed buurt since the subscriber's last message, read
from the change log (officers/changes.py), at most one message per address a day.

Safe to run on several nodes at once: each address is handled in a transaction of its own that
first locks its row (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so two runs share the work;
on SQLite the transaction's IMMEDIATE mode takes the write lock and runs one after the other),
and decides whether a digest is due on what it reads under that lock. A digest the mail server
accepted moves the subscription's bookkeeping on in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from neighbourhoods.models import Buurt, Dataset
from neighbourhoods.successors import Succession, succession
from officers.changes import describe, published_names, update_texts
from officers.models import ChangeLogEntry, Officer

from .delivery import Delivery, close_quietly, deliver
from .messages import DigestItem, DigestSection, Site, digest_message
from .models import REFUSALS_ALLOWED, Subscriber, Subscription

Kind = ChangeLogEntry.Kind

# Which kinds of change each choice of the subscribe form asks for.
TOPIC_KINDS: dict[str, frozenset[str]] = {
    "wants_wijkagent": frozenset(
        {
            Kind.ASSIGNMENT_NEW,
            Kind.ASSIGNMENT_CHANGED,
            Kind.ASSIGNMENT_REMOVED,
            Kind.OFFICER_PUBLISHED,
        }
    ),
    "wants_absences": frozenset({Kind.ABSENCE_NEW, Kind.ABSENCE_CHANGED, Kind.ABSENCE_REMOVED}),
    "wants_meetings": frozenset({Kind.EVENT_NEW, Kind.EVENT_CHANGED, Kind.EVENT_REMOVED}),
    "wants_priorities": frozenset({Kind.PRIORITY_NEW, Kind.PRIORITY_UPDATED, Kind.PRIORITY_CLOSED}),
}


def wanted_kinds(subscription: Subscription) -> frozenset[str]:
    kinds: frozenset[str] = frozenset()
    for name, topic_kinds in TOPIC_KINDS.items():
        if getattr(subscription, name):
            kinds |= topic_kinds
    return kinds


class Result(enum.Enum):
    SENT = "sent"
    NOTHING_NEW = "nothing new"
    # Held by another run, deleted meanwhile, or already sent today by another run.
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    REFUSED = "refused"
    # Refused for the last allowed time: the address is deleted.
    REMOVED = "removed"
    UNREACHABLE = "unreachable"


_DELIVERED = {
    Delivery.SENT: Result.SENT,
    Delivery.DEFERRED: Result.DEFERRED,
    Delivery.REFUSED: Result.REFUSED,
    Delivery.UNREACHABLE: Result.UNREACHABLE,
}


@dataclass
class RunSummary:
    digests: int = 0
    nothing_new: int = 0
    skipped: int = 0
    # Confirmed addresses that had their digest today already, before the run began.
    had_theirs: int = 0
    deferred: int = 0
    refused: int = 0
    removed: int = 0

    def add(self, result: Result) -> None:
        if result == Result.SENT:
            self.digests += 1
        elif result == Result.NOTHING_NEW:
            self.nothing_new += 1
        elif result == Result.SKIPPED:
            self.skipped += 1
        elif result in {Result.DEFERRED, Result.UNREACHABLE}:
            self.deferred += 1
        else:
            self.refused += 1
            self.removed += result == Result.REMOVED


class ChangeReader:
    """The change log as one run reads it: settled entries up to the run's horizon, per buurt,
    read once for every subscriber of that buurt who stopped at the same entry."""

    def __init__(self, *, now: dt.datetime, horizon: int, site: Site) -> None:
        self.now = now
        self.horizon = horizon
        self.site = site
        self.has_active_dataset = Dataset.objects.filter(is_active=True).exists()
        self._entries: dict[tuple[str, int], list[ChangeLogEntry]] = {}
        self._deputies: dict[tuple[str, int], dict[int, Officer]] = {}
        self._updates: dict[tuple[str, int], dict[int, str]] = {}
        self._names: dict[str, str | None] = {}
        self._successions: dict[str, Succession] = {}

    def entries(self, code: str, *, after: int) -> list[ChangeLogEntry]:
        key = (code, after)
        if key not in self._entries:
            self._entries[key] = list(
                ChangeLogEntry.objects.for_buurt(code)
                .settled(now=self.now)
                .since(after)
                .filter(pk__lte=self.horizon)
                .public()
                .select_related("officer", "priority__buurt")
            )
            self._deputies[key] = published_names(self._entries[key])
            self._updates[key] = update_texts(self._entries[key])
        return self._entries[key]

    def buurt_name(self, code: str) -> str | None:
        """The name of the active buurt with `code`; None when the active dataset lacks it."""
        if code not in self._names:
            found = Buurt.objects.active().filter(code=code).values_list("name", flat=True)
            self._names[code] = next(iter(found), None)
        return self._names[code]

    def is_gone(self, code: str) -> bool:
        # Without an active dataset nothing can be said to be gone.
        return self.has_active_dataset and self.buurt_name(code) is None

    def succession(self, code: str) -> Succession:
        if code not in self._successions:
            self._successions[code] = succession(code)
        return self._successions[code]

    def section(self, subscription: Subscription) -> DigestSection | None:
        """What the digest says about the subscription's buurt, in the active language; None when
        nothing it asked for happened."""
        code = subscription.buurt_code
        if self.is_gone(code):
            found = self.succession(code)
            return DigestSection(
                code=code,
                name=found.former.name if found.former is not None else code,
                gone=True,
                successors=[
                    (buurt.name, self.site.buurt(buurt.code), self.site.follow(buurt.code))
                    for buurt in found.successors
                ],
            )
        after = max(subscription.last_change_id, 0)
        kinds = wanted_kinds(subscription)
        entries = [entry for entry in self.entries(code, after=after) if entry.kind in kinds]
        if not entries:
            return None
        deputies, updates = self._deputies[(code, after)], self._updates[(code, after)]
        items = []
        for entry in entries:
            text = describe(entry, deputies=deputies, updates=updates, page=self.site.buurt(code))
            link = text.link if "://" in text.link else self.site.link(text.link)
            items.append(DigestItem(title=text.title, text=text.text, link=link))
        return DigestSection(code=code, name=self.buurt_name(code) or code, items=items)


def _is_due(subscriber: Subscriber, *, now: dt.datetime) -> bool:
    last = subscriber.last_digest_at
    return last is None or timezone.localdate(last) < timezone.localdate(now)


def send_digests(
    *,
    site: Site,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Send every address that is due its digest; see the module's docstring for the locking."""
    now = now or timezone.now()
    horizon = ChangeLogEntry.objects.settled(now=now).aggregate(top=Max("pk"))["top"] or 0
    reader = ChangeReader(now=now, horizon=horizon, site=site)
    summary = RunSummary()
    due = list(Subscriber.objects.due(now=now).values_list("pk", flat=True))
    confirmed = Subscriber.objects.filter(subscriptions__confirmed_at__isnull=False).distinct()
    summary.had_theirs = confirmed.count() - len(due)
    connection = get_connection()
    try:
        for number, pk in enumerate(due, start=1):
            result = _digest_for(pk, reader=reader, connection=connection, dry_run=dry_run)
            if result == Result.UNREACHABLE:
                # Every other message would fail alike: they are all tried on the next run.
                summary.deferred += len(due) - number + 1
                break
            summary.add(result)
            if progress is not None:
                progress(number, len(due))
    finally:
        close_quietly(connection)
    return summary


def _digest_for(pk: int, *, reader: ChangeReader, connection: object, dry_run: bool) -> Result:
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        # Held by another run, deleted meanwhile, or sent by another run since the list was read.
        if subscriber is None or not _is_due(subscriber, now=reader.now):
            return Result.SKIPPED
        subscriptions = list(subscriber.subscriptions.confirmed())
        with translation.override(subscriber.language):
            sections = [
                (subscription, reader.section(subscription)) for subscription in subscriptions
            ]
            found = [section for _subscription, section in sections if section is not None]
            message = (
                digest_message(subscriber, sections=found, site=reader.site) if found else None
            )
        gone = [subscription.pk for subscription, section in sections if section and section.gone]
        kept = [subscription.pk for subscription in subscriptions if subscription.pk not in gone]
        if message is None:
            if not dry_run:
                _considered(kept, horizon=reader.horizon)
            return Result.NOTHING_NEW
        if dry_run:
            return Result.SENT
        result = _DELIVERED[deliver(message, connection=connection)]
        if result == Result.SENT:
            _considered(kept, horizon=reader.horizon)
            # A buurt that is gone was said so once; its subscription ends with that message.
            Subscription.objects.filter(pk__in=gone).delete()
            subscriber.last_digest_at = reader.now
            subscriber.refusals = 0
            subscriber.save(update_fields=["last_digest_at", "refusals"])
            if not subscriber.subscriptions.exists():
                subscriber.delete()
        elif result == Result.REFUSED:
            subscriber.refusals += 1
            if subscriber.refusals >= REFUSALS_ALLOWED:
                subscriber.delete()
                return Result.REMOVED
            subscriber.save(update_fields=["refusals"])
        return result


def _considered(subscription_ids: list[int], *, horizon: int) -> None:
    """Mark the subscriptions as read up to `horizon` (never back)."""
    Subscription.objects.filter(pk__in=subscription_ids, last_change_id__lt=horizon).update(
        last_change_id=horizon
    )
