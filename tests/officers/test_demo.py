"""The Heerlen demo: real boundaries and postcodes, fictional officers, staff edits kept."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
import shapely
from django.conf import settings
from django.core.management import call_command

from neighbourhoods.importing.boundaries import activate_dataset
from neighbourhoods.models import Address, Buurt, Dataset, Postcode, Wijk
from officers.demo import (
    DATASET_NAME,
    EARLIER_DEMO_DATASETS,
    GENERATED_STREET,
    UNCOVERED_BUURT,
)
from officers.models import Absence, Assignment, ContactChannel, Event, Officer, Station
from tests import factories

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "heerlen"
# Every PC4 with addresses in Heerlen (CBS / PostNL), and its PO box PC4s.
HEERLEN_PC4 = {
    *(str(number) for number in range(6411, 6420)),
    "6421",
    "6422",
    "6431",
    "6432",
    "6433",
    "6400",
    "6401",
    "6430",
}


@pytest.fixture
def demo(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_loads_the_real_heerlen_geography(demo):
    assert Buurt.objects.active().count() == 57
    assert Dataset.objects.active().name == DATASET_NAME
    # The full-resolution boundaries: at least 41 coordinates per buurt (the generalised ones had 4 to 12).
    for buurt in Buurt.objects.active():
        assert shapely.get_num_coordinates(buurt.geometry) >= 41, buurt.code
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


def test_an_officer_who_only_stands_in_is_introduced_as_the_deputy(demo):
    sara = Officer.objects.get(slug="sara-spiegelbeeld")
    assert sara.intro_nl.startswith(
        "Ik ben Sara, vervangend wijkagent in Wijk 32 Meezenbroek-Schaesbergerveld, Wijk 39 "
    )
    assert sara.intro_en.startswith(
        "I am Sara, the deputy wijkagent in Wijk 32 Meezenbroek-Schaesbergerveld, Wijk 39 "
    )
    anna = Officer.objects.get(slug="anna-voorbeeld")
    assert anna.intro_nl.startswith("Ik ben Anna, wijkagent voor Wijk 33 Heerlen-Centrum.")


def test_loading_twice_changes_nothing(demo):
    before = {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Address, Buurt, Officer, Assignment, Station, Postcode)
    }
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "already up to date" in out.getvalue()
    after = {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Address, Buurt, Officer, Assignment, Station, Postcode)
    }
    assert before == after
    counts = [line for line in out.getvalue().splitlines() if ": " in line and "created" in line]
    assert len(counts) >= 6
    for line in counts:
        assert line.split(": ", 1)[1].startswith("0 created, 0 updated"), line


def test_loading_again_keeps_what_staff_changed(demo):
    anna = Officer.objects.get(slug="anna-voorbeeld")
    anna.name = "Anna Voorbeeld-Jansen"
    anna.intro_nl = "Door de redactie herschreven."
    anna.is_published = False
    anna.save()
    anna.channels.filter(kind=ContactChannel.Kind.INSTAGRAM).delete()
    Assignment.objects.filter(officer=anna).update(valid_until=dt.date(2025, 12, 31))
    Event.objects.filter(title="Spreekuur").delete()
    Absence.objects.filter(officer__slug="joost-nepper").delete()
    Officer.objects.filter(slug="tom-toneel").delete()
    station = Station.objects.get(name="Heerlen")
    station.phone = "045-1234567"
    station.save()
    station.opening_hours.filter(weekday=0).delete()

    out = StringIO()
    call_command("load_demo", stdout=out)

    anna.refresh_from_db()
    assert (anna.name, anna.intro_nl, anna.is_published) == (
        "Anna Voorbeeld-Jansen",
        "Door de redactie herschreven.",
        False,
    )
    assert not anna.channels.filter(kind=ContactChannel.Kind.INSTAGRAM).exists()
    assert set(Assignment.objects.filter(officer=anna).values_list("valid_until", flat=True)) == {
        dt.date(2025, 12, 31)
    }
    assert not Event.objects.filter(title="Spreekuur").exists()
    assert not Absence.objects.filter(officer__slug="joost-nepper").exists()
    assert not Officer.objects.filter(slug="tom-toneel").exists()
    station.refresh_from_db()
    assert station.phone == "045-1234567"
    assert not station.opening_hours.filter(weekday=0).exists()
    assert "Stations and officers exist already" in out.getvalue()


def test_loading_again_keeps_the_dataset_staff_activated(demo):
    staff_dataset = factories.make_dataset("staff-import", active=False)
    factories.make_buurt(staff_dataset, "BU09173300", factories.square(0, 0))
    activate_dataset(staff_dataset)
    call_command("load_demo", stdout=StringIO())
    assert Dataset.objects.active() == staff_dataset


def test_loading_over_an_earlier_demo_moves_to_the_2023_boundaries(db):
    earlier = factories.make_dataset(EARLIER_DEMO_DATASETS[0])
    palemig = factories.make_buurt(earlier, "BU09173200", factories.square(0, 0), name="Palemig")
    officer = factories.make_officer("Carla Fictief", slug="carla-fictief")
    factories.assign(officer, palemig)
    # An address the earlier demo generated in a real PC4 area.
    factories.make_address(palemig, postcode="6415ZA", huisnummer=1)
    Address.objects.update(straat=f"{GENERATED_STREET} Palemig")
    out = StringIO()
    call_command("load_demo", stdout=out)
    active = Dataset.objects.active()
    assert active.name == DATASET_NAME
    assert Assignment.objects.get(officer=officer).buurt.dataset == active
    assert not Address.objects.filter(postcode="6415ZA").exists()
    assert "addresses: 475 created, 0 updated, 0 unchanged, 1 removed" in out.getvalue()


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
        # Generated addresses: Palemig has a wijkagent and a deputy, Verspreide huizen none.
        ("6499 BD", "1", "/buurt/BU09173200/?gezocht=1"),
        ("6499 AS", "1", "/buurt/BU09172300/?gezocht=1"),
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


def test_demo_loads_the_real_postcodes_each_in_its_buurt(demo):
    assert "postcodes: 2415 created, 0 updated, 0 unchanged, 56 skipped" in demo
    assert Postcode.objects.count() == 2415
    assert Postcode.objects.filter(buurt__dataset__is_active=True).count() == 2415
    assert Postcode.objects.get(postcode="6411NH").buurt.code == "BU09173300"


def real_postcodes() -> set[str]:
    lines = (FIXTURES / "postcodes_pc6_geonames.txt").read_text(encoding="utf-8").splitlines()
    return {line.split("\t")[1].replace(" ", "") for line in lines}


def test_no_generated_address_collides_with_or_contradicts_a_real_postcode(demo):
    real = real_postcodes()
    assert len(real) == 2471
    real_pc4 = {postcode[:4] for postcode in real} | HEERLEN_PC4
    generated = Address.objects.filter(straat__startswith=f"{GENERATED_STREET} ")
    assert generated.count() == 57 * 8
    for postcode in set(generated.values_list("postcode", flat=True)):
        assert postcode not in real
        assert postcode[:4] not in real_pc4
    # The real sample addresses keep their real postcodes.
    samples = Address.objects.exclude(straat__startswith=f"{GENERATED_STREET} ")
    assert samples.count() == 19
    assert set(samples.values_list("postcode", flat=True)) <= real


def test_every_page_credits_the_sources_of_the_maps_and_postcodes(demo, client):
    html = client.get("/buurt/BU09173200/").content.decode()
    assert 'Bron: CBS / Kadaster, <span lang="nl">Wijk- en buurtkaart 2023</span>' in html
    assert "Wijk- en buurtkaart 2023" in html
    assert '<a href="https://www.geonames.org/">GeoNames</a>' in html
    assert "CC BY 4.0" in html
    sources = (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    assert "Bron: CBS / Kadaster, Wijk- en buurtkaart 2023" in sources
    assert "GeoNames (www.geonames.org)" in sources
