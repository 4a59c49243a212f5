"""An officer's public contact details as a vCard, for "save contact" on a phone or computer."""

from __future__ import annotations

from collections.abc import Sequence

from icalendar.parser import Contentline

from .calendar import escape_text, single_line
from .models import ContactChannel, Officer, Station

SOCIAL_KINDS = {
    ContactChannel.Kind.INSTAGRAM,
    ContactChannel.Kind.X,
    ContactChannel.Kind.FACEBOOK,
    ContactChannel.Kind.WEBSITE,
    ContactChannel.Kind.WHATSAPP,
}


def international_phone(number: str) -> str:
    """`0900-8844` stays as dialled (service numbers have no +31 form); `06 1234 5678` -> `+31612345678`."""
    digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    if digits.startswith("0") and not digits.startswith(("0800", "0900", "0000")):
        return "+31" + digits[1:]
    return digits


def officer_vcard(
    *,
    officer: Officer,
    channels: Sequence[ContactChannel],
    station: Station | None,
    role: str,
    organisation: str,
    profile_url: str,
    note: str,
) -> str:
    """A vCard 3.0 document: the version every common address book imports (served as text/vcard).

    Only the public channels passed in are written; the caller decides what is public. TEXT values
    are escaped as in the calendar files (vCard 3.0 shares iCalendar's rules), so no line break in
    an editor's text can start a property or another card.
    """
    given, _, family = officer.name.partition(" ")
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{escape_text(officer.name)}",
        f"N:{escape_text(family)};{escape_text(given)};;;",
        f"ORG:{escape_text(organisation)}",
        f"TITLE:{escape_text(' · '.join(part for part in (officer.rank, role) if part))}",
    ]
    for channel in channels:
        if channel.kind == ContactChannel.Kind.PHONE:
            lines.append(f"TEL;TYPE=WORK,VOICE:{international_phone(channel.value)}")
        elif channel.kind == ContactChannel.Kind.EMAIL:
            lines.append(f"EMAIL;TYPE=INTERNET,WORK:{escape_text(channel.value)}")
        if channel.kind in SOCIAL_KINDS:
            lines.append(f"URL;TYPE={channel.kind.upper()}:{single_line(channel.href)}")
    if station is not None:
        address = ";".join(
            escape_text(part)
            for part in ("", "", station.street_address, station.city, "", station.postcode, "NL")
        )
        lines.append(f"ADR;TYPE=WORK:{address}")
    lines += [f"URL:{single_line(profile_url)}", f"NOTE:{escape_text(note)}", "END:VCARD"]
    return "\r\n".join(Contentline(line).to_ical().decode("utf-8") for line in lines) + "\r\n"
