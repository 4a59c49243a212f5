"""The profile address of an officer who is unpublished or removed (issue 20, item 18): a page
saying so, with the current wijkagenten of the buurten they covered, not a bare 404."""

from __future__ import annotations

import datetime as dt

import pytest

from officers.models import Assignment, DepartedOfficer, Officer
from tests import factories


@pytest.fixture
def area(buurten):
    leaving = factories.make_officer("Lotte Vertrek", slug="lotte-vertrek")
    factories.assign(leaving, buurten["west"])
    factories.assign(leaving, buurten["north"])
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(anna, buurten["west"])
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    factories.assign(bram, buurten["west"], role=Assignment.Role.DEPUTY)
    return leaving


def test_an_unpublished_officers_address_names_the_current_wijkagenten(client, area):
    Officer.objects.filter(pk=area.pk).update(is_published=False)
    response = client.get("/wijkagent/lotte-vertrek/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Dit profiel is niet meer actueel" in html
    assert 'href="/wijkagent/anna-voorbeeld/"' in html
    assert 'href="/wijkagent/bram-verzonnen/"' in html and "vervangend wijkagent" in html
    assert "Lotte Vertrek" not in html
    # Noord has nobody else: the page says whom to call instead.
    assert 'href="/buurt/BU00010003/"' in html and 'href="tel:09008844"' in html


def test_a_deleted_officers_address_is_gone_with_the_current_wijkagenten(client, area):
    area.delete()
    assert DepartedOfficer.objects.get(slug="lotte-vertrek").buurt_codes == [
        "BU00010001",
        "BU00010003",
    ]
    response = client.get("/wijkagent/lotte-vertrek/")
    html = response.content.decode()
    assert response.status_code == 410
    assert "Dit profiel is niet meer actueel" in html
    assert 'href="/wijkagent/anna-voorbeeld/"' in html


def test_officers_deleted_in_bulk_are_recorded_too(client, area):
    Officer.objects.filter(slug="lotte-vertrek").delete()
    assert client.get("/wijkagent/lotte-vertrek/").status_code == 410


def test_an_officer_whose_area_ended_points_to_the_buurten_of_their_last_assignments(client, area):
    Assignment.objects.filter(officer=area).update(valid_until=dt.date(2024, 12, 31))
    area.delete()
    assert DepartedOfficer.objects.get(slug="lotte-vertrek").buurt_codes == [
        "BU00010001",
        "BU00010003",
    ]


def test_an_address_that_never_was_a_profile_is_a_plain_404(client, area):
    response = client.get("/wijkagent/niemand/")
    assert response.status_code == 404
    assert "Dit profiel is niet meer actueel" not in response.content.decode()


def test_a_new_officer_never_gets_a_departed_officers_address(db, area):
    area.delete()
    assert Officer.objects.unique_slug(name="Lotte Vertrek") == "lotte-vertrek-2"
