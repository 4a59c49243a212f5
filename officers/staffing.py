"""What the admin tells editors besides field errors: what a profile lacks before it can be
published, possible duplicates, deputies about to be lost, past events, history in their language."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from .coverage import absences_with_absent_deputy
from .models import (
    AREA_GAP,
    Absence,
    ContactChannel,
    Event,
    Officer,
    long_date,
    periods_overlap,
)

__all__ = [
    "AREA_GAP",
    "absences_covered_by",
    "deputy_away_warnings",
    "deputy_warning",
    "localised_change_message",
    "past_event_warning",
    "phone_key",
    "possible_duplicates",
    "publication_message",
]


def publication_message(gaps: list[str]) -> str:
    """One sentence naming everything a profile lacks before it can be published."""
    return _("Before this profile can be published it needs %(gaps)s.") % {
        "gaps": get_text_list([str(gap) for gap in gaps], _("and"))
    }


def phone_key(value: str) -> str:
    """A phone number reduced to its national digits: "+31 6 12345678" and "06-12345678" match."""
    digits = re.sub(r"\D", "", value.replace("(0)", ""))
    if value.strip().startswith("+31") or digits.startswith("0031"):
        digits = "0" + digits.removeprefix("00").removeprefix("31")
    return digits


def possible_duplicates(*, officer: Officer) -> list[str]:
    """Warnings about other officers with exactly this name or one of this officer's phone
    numbers, however written: perhaps the same person entered twice."""
    warnings: list[str] = []
    same_name = Officer.objects.filter(name__iexact=officer.name.strip()).exclude(pk=officer.pk)
    for other in same_name.order_by("pk")[:5]:
        warnings.append(
            _(
                "Another officer is called %(name)s too (profile %(slug)s). Check that this is not "
                "the same person entered twice."
            )
            % {"name": other.name, "slug": other.slug}
        )
    phone_kinds = [ContactChannel.Kind.PHONE, ContactChannel.Kind.WHATSAPP]
    own = {
        phone_key(value)
        for value in officer.channels.filter(kind__in=phone_kinds).values_list("value", flat=True)
    } - {""}
    if own:
        # Shared numbers (the police's 0900-8844) are everybody's; only personal ones count.
        shared = {phone_key("0900-8844")}
        others = (
            ContactChannel.objects.filter(kind__in=phone_kinds, officer__isnull=False)
            .exclude(officer=officer)
            .select_related("officer")
        )
        for channel in others:
            key = phone_key(channel.value)
            if key in own and key not in shared:
                warnings.append(
                    _(
                        "%(other)s has the same phone number (%(number)s). Check that this is not "
                        "the same person entered twice."
                    )
                    % {"other": str(channel.officer), "number": channel.value}
                )
    return warnings


def absences_covered_by(*, officer_ids: list[Any]) -> list[Absence]:
    """Current and coming absences of other officers for which one of these is the deputy."""
    return list(
        Absence.objects.filter(deputy_id__in=officer_ids, ends_on__gte=timezone.localdate())
        .select_related("officer", "deputy")
        .order_by("starts_on", "officer__name")
    )


def deputy_away_warnings(*, deputy: Officer, saved: Sequence[Absence] = ()) -> list[str]:
    """Warnings for the colleagues' current and coming absences this officer is the deputy for
    while away himself: recorded (an absence is a fact), but somebody else must stand in. Each
    names the deputy's clashing absence: one of `saved` (his absences this save stored) when one
    clashes, so the editor reads about the absence he just entered."""
    warnings = []
    for absence in absences_with_absent_deputy(day=timezone.localdate()).filter(deputy=deputy):
        period = (absence.starts_on, absence.ends_on)
        own = next((a for a in saved if periods_overlap((a.starts_on, a.ends_on), period)), None)
        away_start, away_end = (
            (own.starts_on, own.ends_on)
            if own is not None
            # The first clash, annotated by `absences_with_absent_deputy`.
            else (absence.deputy_away_from, absence.deputy_away_until)  # type: ignore[attr-defined]
        )
        warnings.append(
            _(
                "%(deputy)s is the deputy for %(officer)s from %(start)s until %(end)s, but is "
                "away from %(away_start)s until %(away_end)s. Choose another deputy for that "
                "absence of %(officer)s. Until you do, residents are asked to call 0900-8844 on "
                "the days %(deputy)s is away."
            )
            % {
                "deputy": deputy.name,
                "officer": absence.officer.name,
                "start": long_date(absence.starts_on),
                "end": long_date(absence.ends_on),
                "away_start": long_date(away_start),
                "away_end": long_date(away_end),
            }
        )
    return warnings


def deputy_warning(absences: list[Absence]) -> str:
    """Warns that deleting a deputy leaves these absences without one."""
    described = [
        _("%(deputy)s for %(officer)s from %(start)s until %(end)s")
        % {
            "deputy": absence.deputy.name if absence.deputy else "?",
            "officer": absence.officer.name,
            "start": long_date(absence.starts_on),
            "end": long_date(absence.ends_on),
        }
        for absence in absences
    ]
    return _(
        "Deleting leaves absences without a deputy: %(list)s. Residents are then told to call "
        "0900-8844; choose another deputy for those absences."
    ) % {"list": "; ".join(described)}


def past_event_warning(event: Event) -> str:
    return _("%(title)s lies in the past (%(date)s): residents do not see it. Check the date.") % {
        "title": event.title,
        "date": long_date(
            event.repeat_until
            if event.recurrence == Event.Recurrence.WEEKLY and event.repeat_until
            else timezone.localdate(event.starts_at)
        ),
    }


def localised_change_message(message: list[dict], *, formsets: list[Any]) -> list[dict]:
    """Django's change message with the inline objects named in the site's language (Dutch).

    Django computes those names with translations switched off, so a channel is written into the
    history as "Phone: 0900-8844" and an absence with English month names. The names are stored
    text, not translated when the history is read, so they are written in the language the site
    is kept in, whichever language the editor who saved reads: every reader sees one history.
    The entries for the formsets follow the main form's, in Django's order.
    """
    with translation.override(settings.LANGUAGE_CODE):
        names = [
            str(obj)
            for formset in formsets
            for obj in [
                *formset.new_objects,
                *(changed for changed, _fields in formset.changed_objects),
                *formset.deleted_objects,
            ]
        ]
    inline_entries = [
        entry
        for entry in message
        for action in ("added", "changed", "deleted")
        if entry.get(action, {}).get("object") is not None
    ]
    if len(inline_entries) != len(names):
        return message
    for entry, name in zip(inline_entries, names, strict=True):
        for action in ("added", "changed", "deleted"):
            if action in entry:
                entry[action]["object"] = name
    return message
