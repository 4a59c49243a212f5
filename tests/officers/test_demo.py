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
