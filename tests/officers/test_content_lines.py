"""No text an editor types can add a line to a vCard or iCalendar file: CR, LF and CRLF alike."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest

from neighbourhoods.models import Buurt
from officers.models import ContactChannel, Event
from tests import factories

AMS = ZoneInfo("Europe/Amsterdam")
BREAKS = {"CR": "\r", "LF": "\n", "CRLF": "\r\n"}


def injected(text: str, line_break: str) -> str:
    """`text` followed by the lines that would end the card or event and start a forged one."""
    return line_break.join(
        [text, "END:VCARD", "BEGIN:VCARD", "FN:Injected", "END:VEVENT", "BEGIN:VEVENT"]
    )


def content_lines(body: str) -> list[str]:
    """The content lines as the strictest reader sees them: any CR or LF ends a line, a line
    starting with a space continues the one before."""
    lines: list[str] = []
    for line in re.split(r"\r\n|\r|\n", body):
        if line.startswith(" ") and lines:
            lines[-1] += line[1:]
        elif line:
            lines.append(line)
    return lines


def property_names(body: str) -> list[str]:
    return [re.split(r"[;:]", line, maxsplit=1)[0] for line in content_lines(body)]


def make_card_officer(line_break: str, *, slug: str, buurt: Buurt) -> None:
    def text(value: str) -> str:
        return injected(value, line_break) if line_break else value

    station = factories.make_station(text("Bureau Heerlen"))
    station.street_address = text("Stationstraat 13 E")
    station.city = text("Heerlen")
    station.postcode = f"6411{line_break}NH"[:7]  # the column holds seven characters
    station.save()
    officer = factories.make_officer(
        text("Anna X"), slug=slug, rank=text("Hoofdagent"), station=station
    )
    factories.add_channel(officer, ContactChannel.Kind.EMAIL, text("anna@example.org"))
    factories.add_channel(officer, ContactChannel.Kind.WEBSITE, text("https://example.org/anna"))
    buurt.name = text("West")
    buurt.save()
    factories.assign(officer, buurt)


@pytest.mark.django_db
@pytest.mark.parametrize("line_break", BREAKS.values(), ids=BREAKS.keys())
def test_no_officer_or_station_text_adds_a_line_to_the_contact_card(client, buurten, line_break):
    make_card_officer(line_break, slug="anna", buurt=buurten["west"])
    body = client.get("/wijkagent/anna/contact.vcf").content.decode()
    names = property_names(body)
    assert names.count("BEGIN") == names.count("END") == 1
    assert set(names) <= {
        *("BEGIN", "VERSION", "FN", "N", "ORG", "TITLE", "EMAIL", "URL", "ADR", "NOTE", "END"),
    }
    assert not any(line.startswith(("FN:Injected", "BEGIN:VEVENT")) for line in content_lines(body))
    fn = next(line for line in content_lines(body) if line.startswith("FN:"))
    assert fn == "FN:Anna X\\nEND:VCARD\\nBEGIN:VCARD\\nFN:Injected\\nEND:VEVENT\\nBEGIN:VEVENT"


@pytest.mark.django_db
@pytest.mark.parametrize("line_break", BREAKS.values(), ids=BREAKS.keys())
def test_no_event_or_officer_text_adds_a_line_to_the_calendar_file(client, line_break):
    officer = factories.make_officer(injected("Anna X", line_break), slug="anna")
    start = dt.datetime.now(AMS) + dt.timedelta(days=3)
    spreekuur = Event.objects.create(
        officer=officer,
        title=injected("Spreekuur", line_break),
        place=injected("Buurthuis", line_break),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    body = client.get(f"/agenda/{spreekuur.pk}.ics").content.decode()
    names = property_names(body)
    assert names.count("BEGIN") == names.count("END")
    components = [line for line in content_lines(body) if line.startswith(("BEGIN:", "END:"))]
    assert components.count("BEGIN:VEVENT") == components.count("END:VEVENT") == 1
    assert {line.partition(":")[2] for line in components} <= {
        *("VCALENDAR", "VTIMEZONE", "STANDARD", "DAYLIGHT", "VEVENT"),
    }
    assert "FN" not in names
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    forged = "\nEND:VCARD\nBEGIN:VCARD\nFN:Injected\nEND:VEVENT\nBEGIN:VEVENT"
    assert str(vevent["SUMMARY"]) == "Spreekuur" + forged
    assert str(vevent["LOCATION"]) == "Buurthuis" + forged
    assert "Anna X" + forged in str(vevent["DESCRIPTION"])


@pytest.mark.django_db
def test_a_clean_contact_card_has_the_same_lines_as_one_with_breaks(client, buurten):
    make_card_officer("", slug="clean", buurt=buurten["west"])
    make_card_officer("\r", slug="forged", buurt=buurten["east"])
    clean = property_names(client.get("/wijkagent/clean/contact.vcf").content.decode())
    forged = property_names(client.get("/wijkagent/forged/contact.vcf").content.decode())
    assert forged == clean
