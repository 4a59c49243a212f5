"""A buurt with a wijkagent and a deputy (issue 20, item 11): the wijkagent leads with a way to
reach them right there, then the deputy, each role worded truthfully on the buurt page and on
the officers' profiles."""

from __future__ import annotations

import pytest

from officers.models import Assignment, ContactChannel
from tests import factories


@pytest.fixture
def buurt_with_deputy(buurten):
    carla = factories.make_officer("Carla Fictief", slug="carla-fictief", rank="Hoofdagent")
    factories.add_channel(carla, ContactChannel.Kind.PHONE, "06-11112222")
    factories.add_channel(carla, ContactChannel.Kind.EMAIL, "carla@example.org")
    # "Aad" sorts before "Carla": the role, not the alphabet, decides who leads.
    aad = factories.make_officer("Aad Achterwacht", slug="aad-achterwacht")
    factories.add_channel(aad, ContactChannel.Kind.PHONE, "06-33334444")
    factories.assign(carla, buurten["west"])
    for buurt in buurten.values():
        factories.assign(aad, buurt, role=Assignment.Role.DEPUTY)
    return carla, aad


def test_the_buurt_page_leads_with_the_wijkagent_and_how_to_reach_them(
    client, buurt_with_deputy, django_assert_max_num_queries
):
    with django_assert_max_num_queries(9):
        html = client.get("/buurt/BU00010001/").content.decode()
    lead = html.split('id="officers-heading"')[1].split("</section>")[0]
    assert "De wijkagent van deze buurt" in html
    assert "Carla Fictief" in lead and "Aad Achterwacht" not in lead
    assert 'href="tel:0611112222"' in lead
    assert 'href="mailto:carla@example.org"' in lead
    deputies = html.split('id="deputies-heading"')[1].split("</section>")[0]
    assert "Vervangend wijkagent" in deputies
    assert "Aad Achterwacht" in deputies and 'href="tel:0633334444"' in deputies
    assert html.index("Carla Fictief") < html.index("Aad Achterwacht")


def test_a_buurt_with_only_a_deputy_says_it_has_no_wijkagent_of_its_own(client, buurt_with_deputy):
    html = client.get("/buurt/BU00010002/").content.decode()
    assert "Deze buurt heeft op dit moment geen eigen wijkagent" in html
    deputies = html.split('id="deputies-heading"')[1].split("</section>")[0]
    assert "Aad Achterwacht" in deputies


def test_a_deputy_only_officer_is_not_called_the_wijkagent_of_their_buurten(
    client, buurt_with_deputy
):
    html = client.get("/wijkagent/aad-achterwacht/").content.decode()
    assert "is wijkagent voor" not in html
    assert "Aad Achterwacht is vervangend wijkagent voor 3 buurten" in html
    assert '<p class="rank">Vervangend wijkagent</p>' in html


def test_a_wijkagent_who_also_deputises_says_both(client, buurt_with_deputy, buurten):
    carla, _aad = buurt_with_deputy
    factories.assign(carla, buurten["east"], role=Assignment.Role.DEPUTY)
    html = client.get("/wijkagent/carla-fictief/").content.decode()
    assert "Carla Fictief is wijkagent voor één buurt." in html
    assert "Carla Fictief is daarnaast vervangend wijkagent voor nog één buurt." in html


def test_several_deputies_are_headed_in_good_dutch(client, buurt_with_deputy, buurten):
    bea = factories.make_officer("Bea Bijspringer", slug="bea-bijspringer")
    factories.assign(bea, buurten["west"], role=Assignment.Role.DEPUTY)
    html = client.get("/buurt/BU00010001/").content.decode()
    assert '<h2 id="deputies-heading">Vervangende wijkagenten</h2>' in html
    assert "Vervangend wijkagenten" not in html


def test_a_buurt_without_its_own_wijkagent_names_the_deputy_in_good_dutch(
    client, buurt_with_deputy
):
    html = client.get("/buurt/BU00010002/").content.decode()
    assert "De vervangende wijkagent hieronder helpt je in de tussentijd." in html
