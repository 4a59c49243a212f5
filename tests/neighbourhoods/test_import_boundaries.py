"""manage.py import_boundaries: spellings, projections, shapes, bad files, versions and activation.

Every file here is drawn by hand in code: 0.01-degree squares near Heerlen (tests/factories.py).
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
import zstandard
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, mapping

from neighbourhoods.importing import boundaries
from neighbourhoods.models import Address, Buurt, Dataset, Municipality, Wijk
from neighbourhoods.parsing import HouseNumber
from neighbourhoods.spatial import find_buurt_for_point
from officers.finding import find_officers
from officers.models import Assignment
from tests import factories


def feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    geojson = geometry if isinstance(geometry, dict) else mapping(geometry)
    return {"type": "Feature", "properties": properties, "geometry": geojson}


def buurt_at(col: int, row: int) -> Buurt | None:
    lon, lat = factories.centre(col, row)
    return find_buurt_for_point(lon=lon, lat=lat)


def write_collection(path: Path, features: list[dict[str, Any]], **extra: Any) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}))
    return path


def run(*args: Any) -> str:
    out = io.StringIO()
    call_command("import_boundaries", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def two_buurten(tmp_path: Path, name: str = "buurten.geojson", **shapes: Any) -> Path:
    west = shapes.get("west", factories.square(0, 0))
    east = shapes.get("east", factories.square(1, 0))
    return write_collection(
        tmp_path / name,
        [
            feature(west, code="BU00010001", name="West", wijk_code="WK000100"),
            feature(east, code="BU00010002", name="Oost", wijk_code="WK000100"),
        ],
    )


SPELLINGS = {
    "fixture": {"code": "BU09170101", "name": "Centrum", "wijk_code": "WK091701"},
    "pdok": {
        "buurtcode": "BU09170101",
        "buurtnaam": "Centrum",
        "wijkcode": "WK091701",
        "wijknaam": "Wijk 01",
        "gemeentecode": "GM0917",
        "gemeentenaam": "Heerlen",
    },
    "shapefile": {
        "BU_CODE": "BU09170101",
        "BU_NAAM": "Centrum",
        "WK_CODE": "WK091701",
        "GM_CODE": "GM0917",
        "GM_NAAM": "Heerlen",
    },
    "cartographic": {"statcode": "BU09170101", "statnaam": "Centrum"},
}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_each_published_property_spelling_is_read(db, tmp_path, spelling):
    path = write_collection(
        tmp_path / "b.geojson", [feature(factories.square(0, 0), **SPELLINGS[spelling])]
    )
    output = run(path)
    buurt = Buurt.objects.select_related("wijk__municipality").get()
    assert (buurt.code, buurt.name) == ("BU09170101", "Centrum")
    assert buurt.wijk.code == "WK091701"
    assert buurt.wijk.municipality.code == "GM0917"
    assert "1 buurten created" in output


def test_wijk_and_municipality_files_by_code_prefix(db, tmp_path):
    wijken = write_collection(
        tmp_path / "wijken.geojson",
        [
            feature(
                factories.square(0, 0),
                wijkcode="WK091701",
                wijknaam="Wijk 01",
                gemeentenaam="Heerlen",
            )
        ],
    )
    gemeenten = write_collection(
        tmp_path / "gemeenten.geojson",
        [feature(factories.square(0, 0), GM_CODE="GM0917", GM_NAAM="Heerlen")],
    )
    assert "1 wijken created" in run(wijken)
    # The wijk import created the municipality from its properties; the GM file finds it.
    assert "0 municipalities created, 0 updated, 1 unchanged" in run(gemeenten)
    assert Wijk.objects.get().code == "WK091701"
    assert Municipality.objects.get().name == "Heerlen"


def test_rd_new_lands_within_a_metre_of_the_wgs84_expectation(db, tmp_path):
    expected = factories.square(0, 0)
    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    in_rd = shapely.transform(
        expected, lambda xy: np.column_stack(to_rd.transform(xy[:, 0], xy[:, 1]))
    )
    assert in_rd.bounds[0] > 100_000  # really metres in RD New, not degrees
    path = write_collection(
        tmp_path / "rd.geojson",
        [feature(in_rd, code="BU00010001", name="West")],
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
    )
    run(path)
    imported = Buurt.objects.get().geometry
    got = shapely.get_coordinates(shapely.normalize(imported))
    want = shapely.get_coordinates(shapely.normalize(expected))
    assert got.shape == want.shape
    metres_per_degree_lat = 111_320.0
    metres_per_degree_lon = 111_320.0 * 0.63  # cos(50.9°)
    assert abs(got[:, 0] - want[:, 0]).max() * metres_per_degree_lon < 1.0
    assert abs(got[:, 1] - want[:, 1]).max() * metres_per_degree_lat < 1.0


def test_holes_and_multipolygons(db, tmp_path):
    outer = factories.square(0, 0)
    (x0, y0), step = factories.corner(0, 0), factories.STEP
    hole = [
        (x0 + step / 4, y0 + step / 4),
        (x0 + step / 4, y0 + 3 * step / 4),
        (x0 + 3 * step / 4, y0 + 3 * step / 4),
        (x0 + 3 * step / 4, y0 + step / 4),
    ]
    ring = Polygon(outer.exterior.coords, [hole])
    islands = MultiPolygon([factories.square(2, 0), factories.square(2, 2)])
    path = write_collection(
        tmp_path / "shapes.geojson",
        [
            feature(ring, code="BU00010001", name="Ring"),
            feature(islands, code="BU00010002", name="Eilanden"),
        ],
    )
    run(path, "--activate")
    ring_buurt, island_buurt = Buurt.objects.order_by("code")
    assert find_buurt_for_point(lon=x0 + step / 8, lat=y0 + step / 8) == ring_buurt
    assert find_buurt_for_point(lon=x0 + step / 2, lat=y0 + step / 2) is None  # in the hole
    assert buurt_at(2, 0) == island_buurt
    assert buurt_at(2, 2) == island_buurt
    assert buurt_at(2, 1) is None


BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[5.90, 50.90], [5.91, 50.91], [5.91, 50.90], [5.90, 50.91], [5.90, 50.90]]],
}
UNCLOSED = {
    "type": "Polygon",
    "coordinates": [[[5.90, 50.90], [5.91, 50.90], [5.91, 50.91], [5.90, 50.91], [5.905, 50.905]]],
}
TOO_FEW = {"type": "Polygon", "coordinates": [[[5.90, 50.90], [5.91, 50.90], [5.90, 50.90]]]}


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (
            feature(BOWTIE, code="BU00010002", name="Strik"),
            "BU00010002): invalid geometry: Self-intersection",
        ),
        (feature(UNCLOSED, code="BU00010002", name="Open"), "BU00010002): a ring is not closed"),
        (
            feature(TOO_FEW, code="BU00010002", name="Kort"),
            "BU00010002): a ring has fewer than 4 points",
        ),
        (
            feature(factories.square(1, 0), code="BU00010001", name="Dubbel"),
            "Feature 2 (BU00010001): duplicate code",
        ),
        (feature(factories.square(1, 0), gid=7, naam="Oost"), "Feature 2: no code property found"),
        (
            feature(factories.square(1, 0), code="BU00010002", naam="Oost"),
            "Feature 2 (BU00010002): no name property found; expected one of name, buurtnaam",
        ),
    ],
    ids=[
        "self-intersection",
        "unclosed-ring",
        "too-few-points",
        "duplicate-code",
        "unknown-properties",
        "no-name",
    ],
)
def test_a_bad_feature_names_itself_and_nothing_is_written(db, tmp_path, second, expected):
    path = write_collection(
        tmp_path / "bad.geojson",
        [feature(factories.square(0, 0), code="BU00010001", name="West"), second],
    )
    with pytest.raises(CommandError) as raised:
        run(path)
    assert expected in str(raised.value)
    assert "Nothing was written" in str(raised.value)
    assert not Dataset.objects.exists()
    assert not Buurt.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("straat;huisnummer\nA;1\n", "is not GeoJSON"),
        ('{"type": "Feature", "properties": {}}', "is not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "holds no features"),
    ],
)
def test_a_file_that_is_not_a_feature_collection_is_refused(db, tmp_path, content, expected):
    path = tmp_path / "not.geojson"
    path.write_text(content)
    with pytest.raises(CommandError, match=expected):
        run(path)
    assert not Dataset.objects.exists()


BUURT = '"properties": {"code": "BU00010001", "name": "West"}'


@pytest.mark.parametrize(
    ("feature_json", "expected"),
    [
        (
            '{"type": "Feature", "properties": "x", "geometry": null}',
            "properties must be a JSON object",
        ),
        (
            '{"type": "Feature", ' + BUURT + ', "geometry": {"type": "Polygon", "coordinates": 5}}',
            "coordinates must be a list of rings",
        ),
        (
            '{"type": "Feature", '
            + BUURT
            + ', "geometry": {"type": "MultiPolygon", "coordinates": [5]}}',
            "coordinates must be a list of polygons",
        ),
        (
            '{"type": "Feature", '
            + BUURT
            + ', "geometry": {"type": "Polygon", "coordinates": [[[5.9, "x"], [1, 2]]]}}',
            "coordinates must be a list of rings",
        ),
    ],
)
def test_malformed_json_structures_are_refused_without_a_traceback(
    db, tmp_path, feature_json, expected
):
    path = tmp_path / "odd.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [' + feature_json + "]}")
    with pytest.raises(CommandError, match=expected):
        run(path)
    assert not Dataset.objects.exists()


def test_overlaps_are_reported_with_codes_and_area(db, tmp_path):
    west = factories.square(0, 0)
    overlapping = affinity.translate(factories.square(1, 0), xoff=-factories.STEP / 2)
    output = run(two_buurten(tmp_path, east=overlapping))
    assert "Overlap: BU00010001 and BU00010002 share" in output
    left, right, area = boundaries.find_overlaps(
        boundaries.read_boundary_file(
            two_buurten(tmp_path, "again.geojson", west=west, east=overlapping)
        )
    )[0]
    # Half a 0.01° square near 50.9° N: about 0.5 * 1113 m * 702 m.
    assert (left, right) == ("BU00010001", "BU00010002")
    assert 350_000 < area < 430_000


def test_buurten_sharing_only_an_edge_do_not_overlap(db, tmp_path):
    assert "Overlap" not in run(two_buurten(tmp_path))


def test_dry_run_writes_nothing(db, tmp_path):
    output = run(two_buurten(tmp_path), "--activate", "--dry-run")
    assert "2 buurten created" in output
    assert "Dry run: nothing was written." in output
    assert not Dataset.objects.exists()
    assert not Buurt.objects.exists()


def test_a_second_run_reports_everything_unchanged(db, tmp_path):
    path = two_buurten(tmp_path)
    run(path)
    assert "0 buurten created, 0 updated, 2 unchanged" in run(path)


def test_a_changed_shape_counts_as_updated(db, tmp_path):
    run(two_buurten(tmp_path))
    output = run(two_buurten(tmp_path, east=factories.square(1, 1)))
    assert "0 buurten created, 1 updated, 1 unchanged" in output


def test_dataset_name_defaults_to_the_file_name_and_can_be_given(db, tmp_path):
    run(two_buurten(tmp_path, "cbs-2024.geojson"))
    run(two_buurten(tmp_path, "other.geojson"), "--dataset", "cbs-2025")
    assert set(Dataset.objects.values_list("name", flat=True)) == {"cbs-2024", "cbs-2025"}


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_a_compressed_file_imports_like_the_plain_one(db, tmp_path, suffix):
    plain = two_buurten(tmp_path, "cbs-2024.geojson")
    compress = gzip.compress if suffix == ".gz" else zstandard.ZstdCompressor().compress
    packed = tmp_path / f"cbs-2024.geojson{suffix}"
    packed.write_bytes(compress(plain.read_bytes()))
    assert "Dataset cbs-2024: 2 buurten created" in run(packed)
    broken = tmp_path / f"broken.geojson{suffix}"
    broken.write_bytes(b"not compressed at all")
    with pytest.raises(CommandError, match="is not a valid"):
        run(broken)


def test_staging_keeps_lookups_on_the_active_dataset_until_activation(db, tmp_path):
    run(two_buurten(tmp_path, "v1.geojson"), "--activate")
    v1_west = Buurt.objects.get(dataset__name="v1", code="BU00010001")
    lon, lat = factories.centre(0, 0)
    address = factories.make_address(v1_west, postcode="6411NH", huisnummer=1, lon=lon, lat=lat)
    officer = factories.make_officer("Anna Voorbeeld")
    factories.assign(officer, v1_west)

    # v2 moves West one square north; staging it changes no answer.
    output = run(two_buurten(tmp_path, "v2.geojson", west=factories.square(0, 1)))
    assert "Not activated" in output
    assert buurt_at(0, 0) == v1_west
    assert find_officers(postcode="6411NH").buurt.id == v1_west.pk
    address.refresh_from_db()
    assert address.buurt == v1_west

    output = run(two_buurten(tmp_path, "v2.geojson", west=factories.square(0, 1)), "--activate")
    assert "Activated v2: 0 addresses in a buurt, 1 outside every buurt." in output
    v2_west = Buurt.objects.get(dataset__name="v2", code="BU00010001")
    assert Dataset.objects.active().name == "v2"
    assert buurt_at(0, 0) is None
    assert buurt_at(0, 1) == v2_west
    address.refresh_from_db()
    assert address.buurt is None
    # The officer's assignment followed the code BU00010001 to the new dataset.
    assert Assignment.objects.get().buurt == v2_west


def test_activation_reassigns_addresses_by_the_new_shapes(db, tmp_path):
    run(two_buurten(tmp_path, "v1.geojson"), "--activate")
    lon, lat = factories.centre(1, 0)
    factories.make_address(None, postcode="6411NH", huisnummer=2, lon=lon, lat=lat)
    run(
        two_buurten(
            tmp_path, "v2.geojson", west=factories.square(1, 0), east=factories.square(2, 0)
        ),
        "--activate",
    )
    assert Address.objects.get().buurt.code == "BU00010001"
    assert Address.objects.get().buurt.dataset.name == "v2"


def _table_state() -> dict[str, Any]:
    """The address table's identity, its indexes and constraints as PostgreSQL defines them, and
    whether everyone may read it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::regclass::oid, has_table_privilege('public', %s, 'SELECT')",
            [Address._meta.db_table] * 2,
        )
        oid, public_select = cursor.fetchone()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [Address._meta.db_table],
        )
        indexes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass",
            [Address._meta.db_table],
        )
        constraints = dict(cursor.fetchall())
    return {"oid": oid, "public": public_select, "indexes": indexes, "constraints": constraints}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the address table is written anew on PostgreSQL only"
)
@pytest.mark.parametrize("rewritten", [True, False], ids=["table written anew", "rows updated"])
def test_an_activation_that_moves_the_addresses_keeps_the_register_whole(
    db, tmp_path, monkeypatch, rewritten
):
    """When most addresses change buurt, PostgreSQL writes the address table anew (below that
    share it updates the rows): either way the addresses have their new buurt, the table keeps
    its indexes, constraints and privileges, new addresses get new ids, and the search (its
    statement prepared on the old table) answers from the new one."""
    monkeypatch.setattr(boundaries, "REWRITE_SHARE", 0.5 if rewritten else 2.0)
    run(two_buurten(tmp_path, "v1.geojson"), "--activate")
    west = Buurt.objects.get(code="BU00010001")
    lon, lat = factories.centre(0, 0)
    for number in range(1, 5):
        factories.make_address(west, postcode="6411NH", huisnummer=number, lon=lon, lat=lat)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT SELECT ON {Address._meta.db_table} TO PUBLIC")
    before = _table_state()
    assert find_officers(postcode="6411NH", house_number=HouseNumber(1)).buurt.id == west.pk

    # v2: Oost now covers the square the addresses are in, West lies elsewhere.
    two_v2 = two_buurten(
        tmp_path, "v2.geojson", west=factories.square(5, 5), east=factories.square(0, 0)
    )
    assert "4 addresses in a buurt" in run(two_v2, "--activate")

    oost = Buurt.objects.get(dataset__name="v2", code="BU00010002")
    assert set(Address.objects.values_list("buurt", flat=True)) == {oost.pk}
    after = _table_state()
    assert (after["oid"] != before["oid"]) is rewritten
    assert after["indexes"] == before["indexes"]
    assert after["constraints"] == before["constraints"]
    assert after["public"] is True
    newest = factories.make_address(oost, postcode="6411NH", huisnummer=9, lon=lon, lat=lat)
    assert newest.pk > max(Address.objects.exclude(pk=newest.pk).values_list("pk", flat=True))
    assert find_officers(postcode="6411NH", house_number=HouseNumber(1)).buurt.id == oost.pk


def test_assignments_whose_code_is_gone_keep_their_old_buurt(db, tmp_path):
    run(two_buurten(tmp_path, "v1.geojson"), "--activate")
    east = Buurt.objects.get(code="BU00010002")
    factories.assign(factories.make_officer(), east)
    only_west = write_collection(
        tmp_path / "v2.geojson", [feature(factories.square(0, 0), code="BU00010001", name="West")]
    )
    run(only_west, "--activate")
    assert Assignment.objects.get().buurt == east


def test_an_activation_that_fails_half_way_changes_nothing(db, tmp_path, monkeypatch):
    run(two_buurten(tmp_path, "v1.geojson"), "--activate")
    west = Buurt.objects.get(code="BU00010001")
    lon, lat = factories.centre(0, 0)
    factories.make_address(west, postcode="6411NH", huisnummer=1, lon=lon, lat=lat)
    factories.assign(factories.make_officer(), west)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(boundaries._BuurtChanges, "apply", fail)
    with pytest.raises(RuntimeError):
        run(two_buurten(tmp_path, "v2.geojson", west=factories.square(5, 5)), "--activate")
    assert list(Dataset.objects.values_list("name", "is_active")) == [("v1", True)]
    assert Address.objects.get().buurt == west
    assert Assignment.objects.get().buurt == west
    assert find_buurt_for_point(lon=lon, lat=lat) == west


def test_a_municipality_file_cannot_be_activated(db, tmp_path):
    path = write_collection(
        tmp_path / "gm.geojson", [feature(factories.square(0, 0), code="GM0917", name="Heerlen")]
    )
    with pytest.raises(CommandError, match="no dataset to activate"):
        run(path, "--activate")
    assert not Municipality.objects.exists()


def test_the_real_heerlen_buurten_import(db, settings):
    path = Path(settings.BASE_DIR) / "fixtures" / "heerlen" / "buurten.geojson"
    output = run(path, "--activate")
    assert "Dataset buurten: 57 buurten created" in output
    assert Buurt.objects.active().count() == 57


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_activation_shows_progress_on_a_terminal(db, tmp_path, monkeypatch):
    monkeypatch.setattr(boundaries, "ASSIGN_BATCH_SIZE", 2)
    for number in range(1, 4):
        lon, lat = factories.centre(0, 0)
        factories.make_address(None, postcode="6411NH", huisnummer=number, lon=lon, lat=lat)
    out = Terminal()
    call_command("import_boundaries", str(two_buurten(tmp_path)), "--activate", stdout=out)
    text = out.getvalue()
    assert "\rre-assigning addresses: 2 located" in text
    assert "\rre-assigning addresses: 3 located" in text
    assert "Activated buurten: 3 addresses in a buurt, 0 outside every buurt." in text


def test_activation_in_small_batches_places_every_address_or_none(db, tmp_path):
    """Batch after batch, each address gets the buurt of the new dataset that covers it, and
    one that no buurt covers any more loses its buurt."""
    run(two_buurten(tmp_path, "v1.geojson"), "--activate")
    west = Buurt.objects.get(code="BU00010001")
    inside, outside = factories.centre(1, 0), factories.centre(0, 0)
    for number in range(1, 8):
        lon, lat = outside if number == 4 else inside
        factories.make_address(west, postcode="6411NH", huisnummer=number, lon=lon, lat=lat)
    staged = two_buurten(
        tmp_path, "v2.geojson", west=factories.square(1, 0), east=factories.square(2, 0)
    )
    run(staged)
    v2 = Dataset.objects.get(name="v2")
    with transaction.atomic():
        Dataset.objects.filter(is_active=True).update(is_active=False)
        Dataset.objects.filter(pk=v2.pk).update(is_active=True)
        assert boundaries.assign_addresses(v2, batch_size=2) == (6, 1)
    placed = dict(Address.objects.values_list("huisnummer", "buurt__code"))
    assert placed == {**{n: "BU00010001" for n in (1, 2, 3, 5, 6, 7)}, 4: None}
    assert set(Address.objects.exclude(buurt=None).values_list("buurt__dataset", flat=True)) == {
        v2.pk
    }
