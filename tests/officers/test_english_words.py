"""English pages translate the Dutch words that have an English one and explain the rest once
(issue 20, item 15); Dutch pages keep the Dutch words."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from officers.models import Event
from tests import factories


@pytest.fixture
def anna(buurten):
    anna = factories.make_officer(
        "Anna Voorbeeld", slug="anna-voorbeeld", rank="Hoofdagent", station=factories.make_station()
    )
    factories.assign(anna, buurten["west"])
    start = timezone.now() + dt.timedelta(days=2)
    Event.objects.create(
        officer=anna,
        title="Spreekuur",
        place="Buurthuis",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    return anna


def visible_text(html: str) -> str:
    html = re.sub(r"<(svg|title|script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# "spreekuur" or "spreekuren" not written as the explanation "(spreekuren)" after the English words.
BARE_SPREEKUUR = re.compile(r"(?<!\()\bspreek(uur|uren)\b(?!\))", re.IGNORECASE)


def bare_spreekuur(text: str) -> list[str]:
    """Each bare Dutch "spreekuur"/"spreekuren" in `text`, with its surroundings to say where."""
    return [text[max(m.start() - 40, 0) : m.end() + 40] for m in BARE_SPREEKUUR.finditer(text)]


PAGES = ["/", "/wijken/testgemeente/", "/buurt/BU00010001/", "/wijkagent/anna-voorbeeld/"]


@pytest.mark.parametrize("url", PAGES)
def test_english_pages_translate_the_words_english_has(client, anna, url):
    client.cookies["django_language"] = "en"
    text = visible_text(client.get(url).content.decode())
    for dutch in ["Wijken and buurten", "Spreekuren and", "Hoofdagent", "Bron"]:
        assert dutch not in text, (url, dutch)


def test_english_pages_say_what_the_words_they_keep_mean(client, anna):
    client.cookies["django_language"] = "en"
    wijken = visible_text(client.get("/wijken/testgemeente/").content.decode())
    assert "Districts and neighbourhoods" in wijken
    assert "districts (in Dutch: wijken)" in wijken and "neighbourhoods (buurten)" in wijken
    buurt = visible_text(client.get("/buurt/BU00010001/").content.decode())
    assert "A buurt (neighbourhood) in the district" in buurt
    assert "Office hours (spreekuren) and meetings" in buurt
    assert "Source: CBS / Kadaster" in buurt
    profile = visible_text(client.get("/wijkagent/anna-voorbeeld/").content.decode())
    assert "Senior police officer" in profile
    assert "is the wijkagent for one buurt (neighbourhood)." in profile


def test_dutch_pages_keep_the_dutch_words(client, anna):
    buurt = visible_text(client.get("/buurt/BU00010001/").content.decode())
    assert "Spreekuren en bijeenkomsten" in buurt
    assert "Hoofdagent" in buurt
    assert "Bron: CBS / Kadaster" in buurt
    assert "(neighbourhood)" not in buurt
    profile = visible_text(client.get("/wijkagent/anna-voorbeeld/").content.decode())
    assert "Anna Voorbeeld is wijkagent voor één buurt." in profile
    assert "Wijken en buurten" in visible_text(client.get("/wijken/testgemeente/").content.decode())
