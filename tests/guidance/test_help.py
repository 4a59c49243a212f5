"""/hulp/: every problem to its channel, national and per municipality, and the quick exit."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps

from guidance.models import HelpEntry
from neighbourhoods.models import Buurt, Municipality, Wijk
from tests import factories

NATIONAL_NUMBERS = {
    "emergency": "112",
    "crime": "0900-8844",
    "anonymous": "0800-7000",
    "domestic-violence": "0800-2000",
    "discrimination": "0800-0880",
}


@pytest.fixture
def one_municipality(buurten, national_entries):
    """The hand-drawn map: one municipality, with an entry of its own."""
    municipality = Municipality.objects.get()
    HelpEntry.objects.create(
        municipality=municipality,
        topic=HelpEntry.Topic.MUNICIPALITY,
        channel_nl="Gemeente Testgemeente",
        channel_en="Municipality of Testgemeente",
        advice_nl="Bel ons.",
        advice_en="Call us.",
        phone="14 099",
    )
    return municipality


@pytest.fixture
def second_municipality(one_municipality, dataset):
    other = Municipality.objects.create(code="GM0002", name="Tweede Stad")
    wijk = Wijk.objects.create(dataset=dataset, code="WK000201", name="Wijk 2", municipality=other)
    Buurt.objects.create(dataset=dataset, wijk=wijk, code="BU00020101", name="Twee")
    return other


def test_every_problem_has_its_channel_and_number(client, one_municipality):
    response = client.get("/hulp/")
    assert response.status_code == 200
    html = response.content.decode()
    for topic, number in NATIONAL_NUMBERS.items():
        assert f'id="topic-{topic}"' in html
        assert number in html
    assert "Buurtbemiddeling" in html
    assert "Je wijkagent" in html
    assert "https://www.politie.nl/aangifte-of-melding-doen" in html
    assert 'href="tel:08002000"' in html


def test_one_covered_municipality_shows_its_own_entries_on_hulp(client, one_municipality):
    html = client.get("/hulp/").content.decode()
    assert "Gemeente Testgemeente" in html
    assert 'href="tel:14099"' in html


def test_several_municipalities_each_have_their_page(client, second_municipality):
    html = client.get("/hulp/").content.decode()
    assert "Gemeente Testgemeente" not in html
    assert 'href="/hulp/testgemeente/"' in html
    assert 'href="/hulp/tweede-stad/"' in html
    own = client.get("/hulp/testgemeente/").content.decode()
    assert "Gemeente Testgemeente" in own and "0800-2000" in own
    other = client.get("/hulp/tweede-stad/").content.decode()
    assert "Gemeente Testgemeente" not in other and "0800-2000" in other


def test_an_unknown_municipality_is_not_found(client, one_municipality):
    assert client.get("/hulp/nergens/").status_code == 404


def test_the_page_is_in_english_too(client, one_municipality):
    client.cookies["django_language"] = "en"
    html = client.get("/hulp/").content.decode()
    assert "What can my wijkagent help me with?" in html
    assert "Municipality of Testgemeente" in html
    assert "Emergency number 112" in html


def test_the_domestic_violence_entry_has_a_quick_exit_that_works_without_javascript(
    client, one_municipality
):
    html = client.get("/hulp/").content.decode()
    section = html.split('id="topic-domestic-violence"')[1].split("</li>")[0]
    assert 'href="https://www.google.nl/" rel="noreferrer" data-quick-exit' in section
    assert 'src="/static/js/quick-exit.js"' in html
    assert "<script>" not in html


def test_staff_edit_a_number_and_the_page_shows_it(client, one_municipality):
    entry = HelpEntry.objects.get(municipality=None, topic=HelpEntry.Topic.DOMESTIC_VIOLENCE)
    entry.phone = "0800-2001"
    entry.save()
    assert "0800-2001" in client.get("/hulp/").content.decode()


def test_the_migration_seeds_every_national_entry(national_entries):
    assert {entry.topic for entry in HelpEntry.objects.filter(municipality=None)} == set(
        HelpEntry.Topic.values
    )


FORMAL_YOU = re.compile(r"\b(u|uw|uzelf)\b", re.IGNORECASE)


def test_the_dutch_page_says_je_like_the_rest_of_the_site(client, second_municipality):
    for path in ("/hulp/", "/hulp/testgemeente/"):
        html = client.get(path).content.decode()
        description = re.search(r'<meta name="description" content="([^"]*)"', html)[1]
        text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
        assert FORMAL_YOU.findall(text + " " + description) == []
        assert "Je wijkagent kent je buurt" in text
        assert "Weet je iets over een misdrijf" in text


def test_the_migration_to_je_leaves_the_entries_staff_edited(national_entries):
    reword = importlib.import_module("guidance.migrations.0003_national_help_entries_say_je")
    national = HelpEntry.objects.filter(municipality=None)
    # As migration 0002 left them, with one entry edited by staff since.
    reword.say_u(apps, None)
    edited = national.get(topic=HelpEntry.Topic.DISCRIMINATION)
    edited.advice_nl = "Bel het meldpunt van uw gemeente."
    edited.save()
    reword.say_je(apps, None)
    assert national.get(topic=HelpEntry.Topic.MUNICIPALITY).channel_nl == "Je gemeente"
    assert "bereik je op 14" in national.get(topic=HelpEntry.Topic.MUNICIPALITY).advice_nl
    assert national.get(topic=HelpEntry.Topic.DISCRIMINATION).advice_nl == (
        "Bel het meldpunt van uw gemeente."
    )


def test_profile_and_buurt_pages_link_to_the_help_page(client, buurten):
    officer = factories.make_officer("Piet Proef")
    factories.assign(officer, buurten["west"])
    assert 'href="/hulp/"' in client.get(officer.get_absolute_url()).content.decode()
    assert 'href="/hulp/"' in client.get("/buurt/BU00010002/").content.decode()


def test_the_help_page_takes_two_queries(client, one_municipality, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get("/hulp/")


def help_entry_form(entry: HelpEntry, **changes) -> dict:
    data = {
        "topic": entry.topic,
        "municipality": entry.municipality_id or "",
        "order": entry.order,
        "channel_nl": entry.channel_nl,
        "channel_en": entry.channel_en,
        "advice_nl": entry.advice_nl,
        "advice_en": entry.advice_en,
        "phone": entry.phone,
        "website": entry.website,
    }
    return {**data, **changes}


def test_an_editor_keeps_their_municipalitys_entries_and_not_the_national_ones(
    client, one_municipality
):
    from tests.officers.admin_support import log_in_verified, make_editor

    # An editor as create_editor makes one: the group's permissions and one municipality.
    log_in_verified(client, make_editor("regio", gemeenten=[one_municipality.code]))
    own = HelpEntry.objects.get(municipality=one_municipality)
    national = HelpEntry.objects.get(municipality=None, topic=HelpEntry.Topic.DOMESTIC_VIOLENCE)
    listing = client.get("/beheer/guidance/helpentry/").content.decode()
    assert "Gemeente Testgemeente" in listing
    assert "Veilig Thuis" not in listing

    url = f"/beheer/guidance/helpentry/{own.pk}/change/"
    response = client.post(url, help_entry_form(own, phone="14 098"))
    assert response.status_code == 302
    assert 'href="tel:14098"' in client.get("/hulp/").content.decode()

    national_url = f"/beheer/guidance/helpentry/{national.pk}/change/"
    assert client.get(national_url).status_code == 403
    assert client.post(national_url, help_entry_form(national, phone="0800-1")).status_code == 403
    # A new entry of theirs needs their municipality: a national one is not theirs to write.
    response = client.post(
        "/beheer/guidance/helpentry/add/",
        help_entry_form(own, municipality="", channel_nl="Landelijk nieuw"),
    )
    assert response.status_code == 200
    assert not HelpEntry.objects.filter(channel_nl="Landelijk nieuw").exists()
    national.refresh_from_db()
    assert national.phone == "0800-2000"


def test_a_website_typed_without_a_scheme_is_taken_as_https(client, one_municipality):
    from tests.officers.admin_support import log_in_verified, make_editor

    log_in_verified(client, make_editor("regio", gemeenten=[one_municipality.code]))
    own = HelpEntry.objects.get(municipality=one_municipality)
    url = f"/beheer/guidance/helpentry/{own.pk}/change/"
    assert client.post(url, help_entry_form(own, website="www.heerlen.nl")).status_code == 302
    own.refresh_from_db()
    assert own.website == "https://www.heerlen.nl"
