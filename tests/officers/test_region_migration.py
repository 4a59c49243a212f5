"""The migration that gives officers and stations a municipality fills it in for existing rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("officers", "0004_unpublished_by_default_event_wording"),
    ("neighbourhoods", "0005_editor_scope"),
]
AFTER = [("officers", "0005_municipality_of_officers_and_stations")]


@pytest.mark.django_db(transaction=True)
def test_existing_officers_and_stations_get_the_municipality_of_their_buurt():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Dataset = apps.get_model("neighbourhoods", "Dataset")
    Municipality = apps.get_model("neighbourhoods", "Municipality")
    Wijk = apps.get_model("neighbourhoods", "Wijk")
    Buurt = apps.get_model("neighbourhoods", "Buurt")
    Address = apps.get_model("neighbourhoods", "Address")
    Officer = apps.get_model("officers", "Officer")
    Station = apps.get_model("officers", "Station")
    Assignment = apps.get_model("officers", "Assignment")
    dataset = Dataset.objects.create(name="d", is_active=True)
    old, new = (
        Municipality.objects.create(code="GM0001", name="Oud"),
        Municipality.objects.create(code="GM0002", name="Nieuw"),
    )
    buurten = {}
    for municipality in (old, new):
        wijk = Wijk.objects.create(
            dataset=dataset,
            code=f"WK{municipality.code[2:]}00",
            name="w",
            municipality=municipality,
        )
        buurten[municipality.code] = Buurt.objects.create(
            dataset=dataset, wijk=wijk, code=f"BU{municipality.code[2:]}0000", name="b"
        )
    station = Station.objects.create(
        name="Bureau", street_address="Straat 1", postcode="6411NH", city="X", lat=50.9, lon=5.9
    )
    Address.objects.create(
        postcode="6411NH",
        huisnummer=1,
        straat="Straat",
        woonplaats="X",
        lat=50.9,
        lon=5.9,
        buurt=buurten["GM0002"],
    )
    moved = Officer.objects.create(name="Verhuisd", slug="verhuisd")
    for code, since in (("GM0001", dt.date(2020, 1, 1)), ("GM0002", dt.date(2024, 1, 1))):
        Assignment.objects.create(
            officer=moved, buurt=buurten[code], role="primary", valid_from=since
        )
    nowhere = Officer.objects.create(name="Nergens", slug="nergens")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Officer = apps.get_model("officers", "Officer")
    Station = apps.get_model("officers", "Station")
    assert Officer.objects.get(pk=moved.pk).municipality_id == new.pk
    assert Officer.objects.get(pk=nowhere.pk).municipality_id is None
    assert Station.objects.get(pk=station.pk).municipality_id == new.pk
    # Every app back at its newest migration, or later tests meet the older schema.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
