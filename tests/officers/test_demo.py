"""The Heerlen demo: real boundaries, fictional officers, idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from neighbourhoods.models import Address, Buurt, Wijk
from officers.demo import UNCOVERED_BUURT
from officers.models import Assignment, Officer, Station


@pytest.fixture
def demo(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_loads_the_real_heerlen_geography(demo):
    assert Buurt.objects.active().count() == 57
    assert Wijk.objects.count() == 23
    assert set(Station.objects.values_list("name", flat=True)) == {"Heerlen", "Hoensbroek"}
    assert Officer.objects.filter(is_fictional=True).count() == Officer.objects.count() >= 18


def test_every_buurt_but_one_has_an_officer(demo):
    covered = set(Assignment.objects.current().values_list("buurt__code", flat=True))
    all_codes = set(Buurt.objects.active().values_list("code", flat=True))
    assert all_codes - covered == {UNCOVERED_BUURT}
    # Some buurten have two officers.
    assert Assignment.objects.filter(role="deputy").exists()


def test_every_demo_address_lies_in_a_buurt(demo):
    assert Address.objects.count() > 400
    assert not Address.objects.filter(buurt__isnull=True).exists()


def test_loading_twice_changes_nothing(demo):
    before = {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Address, Buurt, Officer, Assignment, Station)
    }
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "already up to date" in out.getvalue()
    assert " 0 created, 0 updated" in out.getvalue()
    assert "created, 0 updated" in out.getvalue()
    after = {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Address, Buurt, Officer, Assignment, Station)
    }
    assert before == after
    for line in out.getvalue().splitlines()[:-1]:
        assert line.split(": ", 1)[1].startswith("0 created, 0 updated"), line


def test_dry_run_writes_nothing(db):
    out = StringIO()
    call_command("load_demo", "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert not Officer.objects.exists()
    assert not Buurt.objects.exists()


def test_the_police_station_address_finds_heerlen_centrum(demo, client):
    response = client.post("/", {"postcode": "6411 NH", "huisnummer": "13 E"})
    assert response.status_code == 303
    assert response["Location"].endswith("?buurt=BU09173300")
    profile = client.get(response["Location"]).content.decode()
    assert "Heerlen-Centrum" in profile


def test_demo_has_a_spreekuur_a_meeting_and_christmas_closing_days(demo):
    from officers.models import ClosingDay, Event

    spreekuur = Event.objects.get(title="Spreekuur")
    assert spreekuur.officer.slug == "anna-voorbeeld"
    assert spreekuur.recurrence == Event.Recurrence.WEEKLY
    assert Event.objects.filter(recurrence=Event.Recurrence.ONCE).count() == 1
    assert ClosingDay.objects.filter(reason="Kerstmis").count() == 4


@pytest.mark.parametrize(
    ("postcode", "number", "ends_on"),
    [
        ("6411 NH", "13 E", "/wijkagent/anna-voorbeeld/?buurt=BU09173300"),
        ("6411 NH", "", "/wijkagent/anna-voorbeeld/?buurt=BU09173300"),
        ("6415 ZA", "1", "/buurt/BU09173200/?gezocht=1"),
        ("6414 ZH", "1", "/buurt/BU09172300/?gezocht=1"),
    ],
)
def test_the_readme_tour_ends_where_the_readme_says(demo, client, postcode, number, ends_on):
    response = client.post("/", {"postcode": postcode, "huisnummer": number})
    assert response.status_code == 303
    assert response["Location"] == ends_on


def test_the_readme_tour_buurt_pages_show_two_officers_and_none(demo, client):
    palemig = client.get("/buurt/BU09173200/").content.decode()
    assert "Carla Fictief" in palemig and "Sara Spiegelbeeld" in palemig
    assert 'class="officer-card"' not in client.get("/buurt/BU09172300/").content.decode()
