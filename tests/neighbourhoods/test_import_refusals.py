"""Imports refuse what they cannot trust: compressed files cut short, names no column can hold,
nesting no parser should follow; and street search sees what an import changed at once."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
import zstandard
from django.core.management import CommandError, call_command
from shapely.geometry import mapping

from neighbourhoods.models import Address, Buurt, Postcode
from neighbourhoods.streets import served_places, streets_in
from tests import factories

ADDRESS_HEADER = (
    "straat;huisnummer;huisletter;huisnummertoevoeging;postcode;woonplaats;gemeente;provincie;"
    "lat;lon"
)
# Points along the cut: early, around the 40% of the reported failure, late, and one byte short.
CUTS = [0.1, 0.4, 0.8, -1]


def compress(name: str, raw: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(raw) if name.endswith(".zst") else gzip.compress(raw)


def cut(data: bytes, share: float) -> bytes:
    return data[:-1] if share < 0 else data[: int(len(data) * share)]


def run(command: str, *args: Any) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue()


def address_rows(count: int, street: str = "Teststraat") -> bytes:
    lon, lat = factories.centre(0, 0)
    lines = [ADDRESS_HEADER] + [
        f"{street};{number};;;6411NH;Heerlen;Heerlen;Limburg;{lat:.8f};{lon:.8f}"
        for number in range(1, count + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("share", CUTS)
@pytest.mark.parametrize("name", ["bag.csv.gz", "bag.csv.zst"])
def test_a_truncated_address_file_is_refused_and_writes_nothing(buurten, tmp_path, name, share):
    path = tmp_path / name
    path.write_bytes(cut(compress(name, address_rows(20_000)), share))
    with pytest.raises(CommandError, match=r"is not a valid .*Nothing was written") as error:
        run("import_addresses", path)
    assert name in str(error.value)
    assert not Address.objects.exists()


@pytest.mark.parametrize("name", ["bag.csv.gz", "bag.csv.zst"])
def test_a_whole_compressed_address_file_imports(buurten, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(compress(name, address_rows(20_000)))
    run("import_addresses", path)
    assert Address.objects.count() == 20_000


def test_a_zstandard_file_of_several_frames_imports_whole(buurten, tmp_path):
    rows = address_rows(1_000).splitlines(keepends=True)
    path = tmp_path / "bag.csv.zst"
    compressor = zstandard.ZstdCompressor()
    path.write_bytes(
        compressor.compress(b"".join(rows[:500])) + compressor.compress(b"".join(rows[500:]))
    )
    run("import_addresses", path)
    assert Address.objects.count() == 1_000


def buurt_collection(count: int) -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"code": f"BU0001{number:04d}", "name": f"Buurt {number}"},
            "geometry": mapping(factories.square(number % 40, number // 40)),
        }
        for number in range(count)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@pytest.mark.parametrize("share", CUTS)
@pytest.mark.parametrize("name", ["buurten.geojson.gz", "buurten.geojson.zst"])
def test_a_truncated_boundary_file_is_refused_and_writes_nothing(db, tmp_path, name, share):
    path = tmp_path / name
    path.write_bytes(cut(compress(name, buurt_collection(200)), share))
    with pytest.raises(CommandError, match=r"is not a valid .*Nothing was written"):
        run("import_boundaries", path)
    assert not Buurt.objects.exists()


@pytest.mark.parametrize("share", CUTS)
@pytest.mark.parametrize("name", ["postcodes.csv.gz", "postcodes.csv.zst"])
def test_a_truncated_postcode_file_is_refused_and_writes_nothing(buurten, tmp_path, name, share):
    lon, lat = factories.centre(0, 0)
    lines = ["postcode;lat;lon"] + [
        f"{6411 + number // 26:04d}{chr(65 + number % 26)}A;{lat};{lon}" for number in range(2_000)
    ]
    path = tmp_path / name
    path.write_bytes(cut(compress(name, ("\n".join(lines) + "\n").encode()), share))
    with pytest.raises(CommandError, match=r"is not a valid .*Nothing was written"):
        run("import_postcodes", path)
    assert not Postcode.objects.exists()


def one_buurt(tmp_path: Path, **properties: Any) -> Path:
    feature = {
        "type": "Feature",
        "properties": {"code": "BU00010001", "name": "West", **properties},
        "geometry": mapping(factories.square(0, 0)),
    }
    path = tmp_path / "buurten.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"name": "W" * 151}, "the name is 151 characters long; at most 150 fit"),
        ({"name": "We\x00st"}, "the name holds control characters"),
        ({"gemeentenaam": "H" * 101}, "the municipality name is 101 characters long"),
        ({"gemeentenaam": "Heer\x00len"}, "the municipality name holds control characters"),
        ({"wijknaam": "Wijk\x00"}, "the wijk name holds control characters"),
        ({"code": "BU0001000" + "1" * 300}, "is not a CBS code"),
    ],
)
def test_a_name_no_column_can_hold_is_a_feature_message(db, tmp_path, properties, message):
    with pytest.raises(
        CommandError, match=rf"Feature 1 \(BU.*\): .*{message}.*Nothing was written"
    ):
        run("import_boundaries", one_buurt(tmp_path, **properties))
    assert not Buurt.objects.exists()


def test_a_municipality_code_too_long_for_its_column_is_refused(db, tmp_path):
    feature = {
        "type": "Feature",
        "properties": {"code": "GM09170000", "name": "Heerlen"},
        "geometry": mapping(factories.square(0, 0)),
    }
    path = tmp_path / "gemeenten.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(CommandError, match="too long for a municipality code"):
        run("import_boundaries", path)


@pytest.mark.parametrize("where", ["geometry", "properties"])
def test_absurdly_deep_nesting_is_a_message(db, tmp_path, where):
    deep = "[" * 100_000 + "]" * 100_000
    feature = (
        f'{{"type": "Feature", "properties": {{"code": "BU00010001", "name": {deep}}}, '
        f'"geometry": {json.dumps(mapping(factories.square(0, 0)))}}}'
        if where == "properties"
        else f'{{"type": "Feature", "properties": {{}}, "geometry": {{"type": "Polygon", '
        f'"coordinates": {deep}}}}}'
    )
    path = tmp_path / "buurten.geojson"
    path.write_text(f'{{"type": "FeatureCollection", "features": [{feature}]}}')
    with pytest.raises(CommandError, match=r"nested too deeply.*Nothing was written"):
        run("import_boundaries", path)


def test_street_search_knows_renamed_and_new_streets_right_after_an_import(
    buurten, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "bag.csv"
    path.write_bytes(address_rows(3))
    with django_capture_on_commit_callbacks(execute=True):
        run("import_addresses", path)
    assert streets_in("Heerlen") == ["Teststraat"]
    assert served_places() == ["Heerlen"]

    # Same addresses, the street renamed: an update only, no new id.
    path.write_bytes(address_rows(3, street="Nieuwe Straat"))
    with django_capture_on_commit_callbacks(execute=True):
        run("import_addresses", path)
    assert streets_in("Heerlen") == ["Nieuwe Straat"]


def test_a_dry_run_leaves_the_street_lists_alone(
    buurten, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "bag.csv"
    path.write_bytes(address_rows(3))
    with django_capture_on_commit_callbacks(execute=True):
        run("import_addresses", path)
    assert streets_in("Heerlen") == ["Teststraat"]
    path.write_bytes(address_rows(3, street="Nieuwe Straat"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run("import_addresses", path, "--dry-run")
    assert callbacks == []
    assert streets_in("Heerlen") == ["Teststraat"]


def test_a_dataset_name_too_long_for_its_column_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match=r"at most 100 fit\. Name it with --dataset"):
        run("import_boundaries", one_buurt(tmp_path), "--dataset", "d" * 101)
    assert not Buurt.objects.exists()
