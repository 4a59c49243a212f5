"""Coverage gaps: the functions, the admin page that lists them, and manage.py coverage_report."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from officers import coverage, staffing
from officers.models import Absence, long_date
from tests import factories
from tests.officers.admin_support import log_in_verified, make_editor

DAY = dt.date(2026, 11, 21)


pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.fixture
def scene(buurten):
    """West has a published officer, East only an unpublished one, North a future one."""
    anna = factories.make_officer("Anna Voorbeeld", reviewed_on=dt.date(2026, 10, 1))
    factories.assign(anna, buurten["west"])
    hidden = factories.make_officer("Verborgen Agent", is_published=False)
    factories.assign(hidden, buurten["east"])
    future = factories.make_officer("Toekomst Agent", reviewed_on=dt.date(2026, 5, 21))
    factories.assign(future, buurten["north"], valid_from=DAY + dt.timedelta(days=1))
    ended = factories.make_officer("Oud Gediende", reviewed_on=dt.date(2026, 5, 20))
    factories.assign(ended, buurten["north"], valid_until=DAY - dt.timedelta(days=1))
    Absence.objects.create(
        officer=anna, starts_on=DAY, ends_on=DAY + dt.timedelta(days=5), deputy=hidden
    )
    Absence.objects.create(
        officer=future, starts_on=DAY - dt.timedelta(days=9), ends_on=DAY - dt.timedelta(days=1)
    )
    Absence.objects.create(
        officer=ended, starts_on=DAY + dt.timedelta(days=30), ends_on=DAY + dt.timedelta(days=40)
    )
    return {"anna": anna, "hidden": hidden, "future": future, "ended": ended, **buurten}


def names(items):
    return [str(item) for item in items]


def test_months_before_clamps_to_the_end_of_the_month():
    assert coverage.months_before(dt.date(2026, 11, 21), 6) == dt.date(2026, 5, 21)
    assert coverage.months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert coverage.months_before(dt.date(2026, 3, 15), 6) == dt.date(2025, 9, 15)


def test_buurten_without_a_published_officer_today(scene):
    # East: only an unpublished officer. North: one from tomorrow, one until yesterday.
    assert names(coverage.buurten_without_officer(day=DAY)) == [
        "Oost (BU00010002)",
        "Noord (BU00010003)",
    ]
    assert names(coverage.buurten_without_officer(day=DAY + dt.timedelta(days=1))) == [
        "Oost (BU00010002)"
    ]


def test_buurten_of_an_inactive_dataset_are_not_gaps(scene):
    old = factories.make_dataset("old", active=False)
    factories.make_buurt(old, "BU00010009", factories.square(3, 3))
    assert "BU00010009" not in " ".join(names(coverage.buurten_without_officer(day=DAY)))


def test_published_officers_without_an_area_today(scene):
    assert names(coverage.officers_without_buurt(day=DAY)) == ["Oud Gediende", "Toekomst Agent"]


def test_profiles_not_reviewed_in_six_months_or_never(scene):
    never = factories.make_officer("Nooit Bekeken")
    factories.assign(never, scene["west"], role="deputy")
    # 2026-05-21 is exactly six months ago: still fine. 2026-05-20 is not.
    assert names(coverage.stale_profiles(day=DAY)) == ["Nooit Bekeken", "Oud Gediende"]


def test_current_and_coming_absences_without_a_deputy_residents_can_see(scene):
    # Anna's deputy is unpublished; the ended officer's coming absence has none; the past one
    # of the future officer is over.
    assert names(coverage.absences_without_deputy(day=DAY)) == [
        f"Anna Voorbeeld: {long_date(DAY)} - {long_date(DAY + dt.timedelta(days=5))}",
        f"Oud Gediende: {long_date(DAY + dt.timedelta(days=30))} - "
        f"{long_date(DAY + dt.timedelta(days=40))}",
    ]


def test_gap_lists_count_beyond_the_limit(scene, monkeypatch):
    monkeypatch.setattr(coverage, "LIST_LIMIT", 1)
    gaps = coverage.coverage_gaps(day=DAY)
    assert len(gaps.buurten_without_officer.items) == 1
    assert gaps.buurten_without_officer.total == 2
    assert gaps.buurten_without_officer.more == 1


def test_the_coverage_page_links_every_gap_to_its_object(client, scene, time_machine_today):
    log_in_verified(client, make_editor())
    html = client.get(reverse("admin:officers_coverage")).content.decode()
    for buurt in (scene["east"], scene["north"]):
        assert reverse("admin:neighbourhoods_buurt_change", args=[buurt.pk]) in html
    assert reverse("admin:neighbourhoods_buurt_change", args=[scene["west"].pk]) not in html
    for officer in (scene["ended"], scene["future"], scene["anna"]):
        assert reverse("admin:officers_officer_change", args=[officer.pk]) in html
    assert "deputy Verborgen Agent is not published" in html


@pytest.fixture
def time_machine_today(monkeypatch):
    """Pin the admin's idea of today to DAY, so the scene's dates mean what they say."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: DAY)


@pytest.mark.django_db
def test_the_coverage_page_on_the_heerlen_demo_lists_exactly_the_gaps_left_on_purpose(client):
    call_command("load_demo", verbosity=0)
    log_in_verified(client, make_editor())
    response = client.get(reverse("admin:officers_coverage"))
    gaps = response.context["gaps"]
    assert names(gaps.buurten_without_officer.items) == ["Verspreide huizen (BU09172300)"]
    assert names(gaps.officers_without_buurt.items) == []
    assert names(gaps.stale_profiles.items) == ["Hasan Verdicht"]
    assert [a.officer.name for a in gaps.absences_without_deputy.items] == ["Joost Nepper"]
    assert "Verspreide huizen" in response.content.decode()


def run_report(*args):
    out = io.StringIO()
    call_command("coverage_report", *args, stdout=out)
    return out.getvalue()


def test_coverage_report_lists_gaps_per_municipality(scene):
    factories.make_address(None, postcode="9999ZZ", huisnummer=1)
    factories.make_address(scene["west"], postcode="6411NH", huisnummer=2)
    output = run_report("--date", DAY.isoformat())
    assert "Testgemeente (GM0001): 2 of 3 buurten" in output
    assert "    BU00010002 Oost" in output
    assert "    BU00010003 Noord" in output
    assert "BU00010001" not in output
    assert "Officers without a buurt: 2" in output
    assert "Addresses outside every buurt: 1" in output
    assert "  Heerlen: 1" in output


def test_coverage_report_refuses_a_bad_date_and_a_missing_dataset(db):
    with pytest.raises(CommandError, match="is not a date"):
        run_report("--date", "21-11-2026")
    with pytest.raises(CommandError, match="No boundary dataset is active"):
        run_report()


def test_the_coverage_page_needs_the_same_queries_for_few_or_many_gaps(client, buurten):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    log_in_verified(client, make_editor())

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:officers_coverage")).status_code == 200
        return len(captured)

    few = queries()
    dataset = buurten["west"].dataset
    for number in range(20):
        factories.make_buurt(dataset, f"BU000101{number:02d}", factories.square(5 + number, 5))
        officer = factories.make_officer(reviewed_on=None)
        Absence.objects.create(officer=officer, starts_on=DAY, ends_on=DAY)
    assert queries() == few


def test_a_deputy_who_is_away_during_the_absence_is_listed(client, scene, time_machine_today):
    bram = factories.make_officer("Bram Verzonnen", reviewed_on=DAY)
    factories.assign(bram, scene["east"])
    # Stored directly, as data from before the admin refused it would be.
    Absence.objects.create(
        officer=scene["future"],
        starts_on=DAY + dt.timedelta(days=2),
        ends_on=DAY + dt.timedelta(days=8),
        deputy=bram,
    )
    Absence.objects.create(
        officer=bram, starts_on=DAY + dt.timedelta(days=6), ends_on=DAY + dt.timedelta(days=12)
    )
    # A deputy away only outside the absence he covers is fine.
    Absence.objects.create(
        officer=scene["ended"],
        starts_on=DAY + dt.timedelta(days=20),
        ends_on=DAY + dt.timedelta(days=22),
        deputy=bram,
    )
    listed = list(coverage.absences_with_absent_deputy(day=DAY))
    assert [(a.officer.name, a.deputy.name) for a in listed] == [
        ("Toekomst Agent", "Bram Verzonnen")
    ]
    assert listed[0].deputy_away_from == DAY + dt.timedelta(days=6)
    log_in_verified(client, make_editor())
    html = client.get(reverse("admin:officers_coverage")).content.decode()
    section = html.split('id="absences-with-absent-deputy"')[1].split("</section>")[0]
    assert "Toekomst Agent" in section and "Oud Gediende" not in section
    assert (
        f"deputy Bram Verzonnen is away from {long_date(DAY + dt.timedelta(days=6))} until "
        f"{long_date(DAY + dt.timedelta(days=12))}"
    ) in section


def test_a_deputy_whose_own_absence_is_over_is_no_clash(buurten, time_machine_today):
    carla = factories.make_officer("Carla Fictief", reviewed_on=DAY)
    factories.assign(carla, buurten["west"])
    bram = factories.make_officer("Bram Verzonnen", reviewed_on=DAY)
    absence = Absence.objects.create(
        officer=carla,
        starts_on=DAY - dt.timedelta(days=5),
        ends_on=DAY + dt.timedelta(days=5),
        deputy=bram,
    )
    # Bram was away in the first days of it; that is over, and he is here now.
    Absence.objects.create(
        officer=bram, starts_on=DAY - dt.timedelta(days=4), ends_on=DAY - dt.timedelta(days=1)
    )
    assert list(coverage.absences_with_absent_deputy(day=DAY)) == []
    assert staffing.deputy_away_warnings(deputy=bram) == []
    # Away again later in it: that clash is listed, with its own dates.
    Absence.objects.create(
        officer=bram, starts_on=DAY + dt.timedelta(days=3), ends_on=DAY + dt.timedelta(days=4)
    )
    [listed] = coverage.absences_with_absent_deputy(day=DAY)
    assert listed == absence
    assert listed.deputy_away_from == DAY + dt.timedelta(days=3)
    [warning] = staffing.deputy_away_warnings(deputy=bram)
    assert f"is away from {long_date(DAY + dt.timedelta(days=3))}" in warning
