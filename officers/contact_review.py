"""Editors' changes to contact details, kept for review and undone in one step.

The admin's save path calls the record functions (not signals: only the admin knows who saved
and what the values were before); the coverage page lists the open changes and posts back here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext as _

from neighbourhoods.regions import NATIONAL, Region

from . import scoping
from .models import ContactChange, ContactChannel, Station

logger = logging.getLogger("officers.contact_review")

# The coverage page lists this many open changes, and this many recently handled ones.
OPEN_LIMIT = 200
HANDLED_LIMIT = 20


class ChangeRefused(Exception):
    """A revert or review that cannot be done as asked; the message says why, for the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def needs_review(user: User | AnonymousUser) -> bool:
    """Superusers' own changes need no second pair of eyes; every other staff user's do."""
    return not user.is_superuser


def _staff(user: User | AnonymousUser) -> User:
    """The signed-in user behind a review action (the admin lets no one else this far)."""
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _snapshot(values: Mapping[str, Any]) -> tuple[str, str, bool | None]:
    return (values.get("kind") or "", values.get("value") or "", values.get("is_public"))


def record_channel_changes(*, formset: BaseInlineFormSet, user: User | AnonymousUser) -> list:
    """Record the channels an editor added, changed or removed in a saved inline formset.

    Called after the formset was saved: each form's `initial` still holds the stored values it
    was built from, its instance the values saved now.
    """
    if formset.model is not ContactChannel or not needs_review(user):
        return []
    staff = _staff(user)
    owner = formset.instance
    owner_field = "station" if isinstance(owner, Station) else "officer"
    records: list[ContactChange] = []
    deleted = {id(form) for form in formset.deleted_forms}
    for form in formset.initial_forms:
        old_kind, old_value, old_public = _snapshot(form.initial)
        if id(form) in deleted:
            records.append(
                ContactChange(
                    what=ContactChange.What.REMOVED,
                    old_kind=old_kind,
                    old_value=old_value,
                    old_is_public=old_public,
                    order=form.initial.get("order") or 0,
                )
            )
            continue
        channel = form.instance
        new = (channel.kind, channel.value, channel.is_public)
        if new != (old_kind, old_value, old_public):
            records.append(
                ContactChange(
                    what=ContactChange.What.CHANGED,
                    channel=channel,
                    old_kind=old_kind,
                    old_value=old_value,
                    old_is_public=old_public,
                    new_kind=channel.kind,
                    new_value=channel.value,
                    new_is_public=channel.is_public,
                )
            )
    for channel in formset.new_objects:
        records.append(
            ContactChange(
                what=ContactChange.What.ADDED,
                channel=channel,
                new_kind=channel.kind,
                new_value=channel.value,
                new_is_public=channel.is_public,
                order=channel.order,
            )
        )
    for record in records:
        setattr(record, owner_field, owner)
        record.changed_by = staff
    ContactChange.objects.bulk_create(records)
    for record in records:
        logger.info(
            "Contact detail %s by an editor",
            record.what,
            extra={"user_id": user.pk, f"{owner_field}_id": owner.pk, "contact_change": record.pk},
        )
    return records


def record_station_phone_change(
    *, station: Station, old_phone: str, user: User | AnonymousUser
) -> ContactChange | None:
    """Record an editor's change of a station's own phone number (saved already)."""
    if not needs_review(user) or old_phone == station.phone:
        return None
    staff = _staff(user)
    record = ContactChange.objects.create(
        station=station,
        what=ContactChange.What.STATION_PHONE,
        old_kind=ContactChannel.Kind.PHONE,
        old_value=old_phone,
        old_is_public=True,
        new_kind=ContactChannel.Kind.PHONE,
        new_value=station.phone,
        new_is_public=True,
        changed_by=staff,
    )
    logger.info(
        "Station phone changed by an editor",
        extra={"user_id": user.pk, "station_id": station.pk, "contact_change": record.pk},
    )
    return record


@dataclass(frozen=True)
class ContactReview:
    """What the coverage page shows: open changes (oldest first) and the latest handled ones."""

    open: list[ContactChange]
    open_total: int
    handled: list[ContactChange]


def changes_in(region: Region) -> QuerySet[ContactChange]:
    """The changes of officers and stations in an editor's region (officers/scoping.py)."""
    if region.is_national:
        return ContactChange.objects.all()
    return ContactChange.objects.filter(
        Q(officer__in=scoping.officers_in(region).values("pk"))
        | Q(station__in=scoping.stations_in(region).values("pk"))
    )


def contact_review(*, region: Region = NATIONAL) -> ContactReview:
    """The open and recently handled contact changes in `region`, in a fixed number of queries."""
    related = ("officer", "station", "changed_by", "reviewed_by", "reverted_by")
    open_changes = (
        changes_in(region)
        .filter(reviewed_at__isnull=True, reverted_at__isnull=True)
        .select_related(*related)
    )
    items = list(open_changes.order_by("changed_at", "pk")[:OPEN_LIMIT])
    total = len(items) if len(items) < OPEN_LIMIT else open_changes.count()
    handled = list(
        changes_in(region)
        .exclude(reviewed_at__isnull=True, reverted_at__isnull=True)
        .select_related(*related)
        .order_by("-changed_at", "-pk")[:HANDLED_LIMIT]
    )
    return ContactReview(open=items, open_total=total, handled=handled)


def _locked_open_change(pk: int, region: Region) -> ContactChange:
    # A change outside the editor's region is as unknown to them as its officer or station.
    change = changes_in(region).select_for_update().filter(pk=pk).first()
    if change is None:
        raise ChangeRefused(_("That change is no longer listed."))
    if change.reverted_at is not None:
        raise ChangeRefused(_("That change was reverted already."))
    return change


def mark_reviewed(
    *, change_id: int, user: User | AnonymousUser, region: Region = NATIONAL
) -> ContactChange:
    """Mark a change as checked, by a superuser or an editor other than the one who made it."""
    staff = _staff(user)
    with transaction.atomic():
        change = _locked_open_change(change_id, region)
        if change.reviewed_at is not None:
            raise ChangeRefused(_("That change was reviewed already."))
        if change.changed_by_id == staff.pk and not staff.is_superuser:
            raise ChangeRefused(
                _("A change is reviewed by someone else than the editor who made it.")
            )
        change.reviewed_by = staff
        change.reviewed_at = timezone.now()
        change.save(update_fields=["reviewed_by", "reviewed_at"])
    logger.info("Contact change reviewed", extra={"user_id": user.pk, "contact_change": change.pk})
    return change


def revert(
    *, change_id: int, user: User | AnonymousUser, region: Region = NATIONAL
) -> ContactChange:
    """Put the value from before the change back, and record that it was reverted.

    Refused when the detail changed again since: undoing an older change would then throw away
    the newer one, which has its own line to revert first.
    """
    staff = _staff(user)
    with transaction.atomic():
        change = _locked_open_change(change_id, region)
        changed_again = _("It was changed again since; revert the newer change first.")
        if change.what == ContactChange.What.STATION_PHONE:
            station = Station.objects.select_for_update().get(contact_changes=change)
            if station.phone != change.new_value:
                raise ChangeRefused(changed_again)
            station.phone = change.old_value
            station.save(update_fields=["phone"])
        elif change.what == ContactChange.What.REMOVED:
            change.channel = ContactChannel.objects.create(
                officer_id=change.officer_id,
                station_id=change.station_id,
                kind=change.old_kind,
                value=change.old_value,
                is_public=bool(change.old_is_public),
                order=change.order,
            )
        else:
            channel = ContactChannel.objects.select_for_update().filter(changes=change).first()
            if channel is None:
                raise ChangeRefused(_("That contact detail was removed since."))
            if (channel.kind, channel.value, channel.is_public) != (
                change.new_kind,
                change.new_value,
                change.new_is_public,
            ):
                raise ChangeRefused(changed_again)
            if change.what == ContactChange.What.ADDED:
                channel.delete()
                change.channel = None
            else:
                channel.kind = change.old_kind
                channel.value = change.old_value
                channel.is_public = bool(change.old_is_public)
                channel.save(update_fields=["kind", "value", "is_public"])
        change.reverted_by = staff
        change.reverted_at = timezone.now()
        change.save(update_fields=["channel", "reverted_by", "reverted_at"])
    logger.warning(
        "Contact change reverted", extra={"user_id": user.pk, "contact_change": change.pk}
    )
    return change
