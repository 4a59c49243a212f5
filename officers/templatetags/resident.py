"""Template filters for the resident's pages: postcodes and phone numbers as people write them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext_lazy

register = template.Library()

_POSTCODE = re.compile(r"^\s*(\d{4})\s*([A-Za-z]{2})\s*$")


@register.filter
def postcode(value: str) -> str:
    """A Dutch postcode as it is written on letters, "6411 NH"; anything else unchanged.

    The register and the station rows keep the six characters without the space.
    """
    match = _POSTCODE.match(value or "")
    if match is None:
        return value
    return f"{match[1]} {match[2].upper()}"


@register.filter
def tel_href(value: str) -> str:
    """A phone number as a tel: link, without the spaces and dashes people read it with."""
    return "tel:" + re.sub(r"[\s\-()]", "", value or "")


# The police's own numbers as they appear in sentences, each made a link a phone can call.
_POLICE_NUMBERS = re.compile(r"(?<![\w-])(0900-8844|0800-7000|112)(?![\w-])")


@register.filter(is_safe=True)
def phone_links(text: str) -> SafeString:
    """A sentence with the police numbers in it (0900-8844, 112, 0800-7000) as tel: links."""
    escaped = conditional_escape(text)
    return mark_safe(  # noqa: S308 (the text is escaped above; only our own links are added)
        _POLICE_NUMBERS.sub(
            lambda match: format_html('<a href="{}">{}</a>', tel_href(match[1]), match[1]),
            escaped,
        )
    )


# The ranks of the Dutch police as staff type them, with the English word for each; the Dutch
# catalogue gives the Dutch rank back, so a Dutch page shows what staff typed.
RANKS = {
    "aspirant": pgettext_lazy("police rank", "Trainee police officer"),
    "surveillant": pgettext_lazy("police rank", "Community support officer"),
    "agent": pgettext_lazy("police rank", "Police officer"),
    "hoofdagent": pgettext_lazy("police rank", "Senior police officer"),
    "brigadier": pgettext_lazy("police rank", "Sergeant"),
    "inspecteur": pgettext_lazy("police rank", "Inspector"),
    "hoofdinspecteur": pgettext_lazy("police rank", "Chief inspector"),
    "commissaris": pgettext_lazy("police rank", "Superintendent"),
}


@register.filter
def rank(value: str) -> str:
    """An officer's rank in the reader's language when it is one of the police's own ranks;
    any other title as typed."""
    known = RANKS.get((value or "").strip().casefold())
    return str(known) if known is not None else value


@register.filter
def split_shown(listed: Iterable[Any], shown: Iterable[Any]) -> tuple[list[Any], list[Any]]:
    """A nearby buurt's listed officers split in two: those without a card on the page yet, and
    those the page shows already (an officer of both buurten gets one card, not two)."""
    on_page = {officer.pk for officer in shown}
    people = list(listed)
    return (
        [entry for entry in people if entry.officer.pk not in on_page],
        [entry for entry in people if entry.officer.pk in on_page],
    )
