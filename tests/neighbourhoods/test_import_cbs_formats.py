"""manage.py import_boundaries on the CBS Wijk- en buurtkaart as CBS publishes it: GeoPackage (one
layer per level) and shapefile, in RD New, with a water-only buurt.

The files are written in each test with hand-drawn 500 m squares in RD coordinates near Heerlen.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.core.management import CommandError, call_command
from pyproj import Transformer

from neighbourhoods.models import Buurt, Dataset, Municipality, Wijk
from neighbourhoods.spatial import find_buurt_for_point

# South-west corner of the drawing, in RD New metres (Heerlen), and a square's side.
RD_WEST, RD_SOUTH, SIDE = 195_000.0, 320_000.0, 500.0
TO_WGS84 = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)


def rd_square(col: int, row: int, cols: int = 1) -> shapely.Polygon:
    x, y = RD_WEST + col * SIDE, RD_SOUTH + row * SIDE
    return shapely.box(x, y, x + cols * SIDE, y + SIDE)


def centre_wgs84(col: int, row: int) -> tuple[float, float]:
    return TO_WGS84.transform(RD_WEST + (col + 0.5) * SIDE, RD_SOUTH + (row + 0.5) * SIDE)


# Three buurten in a row: Centrum, Zuid and a water buurt (a pond) in wijk 01 of Heerlen.
BUURTEN = [
    ("BU09170101", "Centrum", "NEE", rd_square(0, 0)),
    ("BU09170102", "Zuid", "NEE", rd_square(1, 0)),
    ("BU09170109", "Vijver", "JA", rd_square(2, 0)),
]


def layer_data(level: str) -> tuple[list[shapely.Polygon], dict[str, list[str]]]:
    """Geometries and fields of one level in the CBS schema."""
    if level == "buurten":
        return [shape for *_, shape in BUURTEN], {
            "buurtcode": [code for code, *_ in BUURTEN],
            "buurtnaam": [name for _, name, *_ in BUURTEN],
            "wijkcode": ["WK091701"] * 3,
            "gemeentecode": ["GM0917"] * 3,
            "gemeentenaam": ["Heerlen"] * 3,
            "water": [water for _, _, water, _ in BUURTEN],
        }
    if level == "wijken":
        return [rd_square(0, 0, cols=3)], {
            "wijkcode": ["WK091701"],
            "wijknaam": ["Wijk 01 Heerlen-Centrum"],
            "gemeentecode": ["GM0917"],
            "gemeentenaam": ["Heerlen"],
            "water": ["NEE"],
        }
    return [rd_square(0, 0, cols=3)], {
        "gemeentecode": ["GM0917"],
        "gemeentenaam": ["Heerlen"],
        "water": ["NEE"],
    }


def write_layer(path: Path, level: str, *, layer: str | None = None, driver: str = "GPKG") -> None:
    shapes, fields = layer_data(level)
    with warnings.catch_warnings():
        # Shapefile field names are cut to 10 characters, as in CBS's own shapefiles.
        warnings.simplefilter("ignore", RuntimeWarning)
        _write(path, shapes, fields, layer=layer, driver=driver)


def _write(
    path: Path,
    shapes: list[shapely.Polygon],
    fields: dict[str, list[str]],
    *,
    layer: str | None,
    driver: str,
) -> None:
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(np.array(shapes, dtype=object)),
        field_data=[np.array(values, dtype=object) for values in fields.values()],
        fields=list(fields),
        layer=layer,
        driver=driver,
        geometry_type="Polygon",
        crs="EPSG:28992",
        append=path.exists() and driver == "GPKG",
    )


def geopackage(
    tmp_path: Path, layers: tuple[str, ...] = ("gemeenten", "wijken", "buurten")
) -> Path:
    path = tmp_path / "wijkenbuurten_2023.gpkg"
    for level in layers:
        write_layer(path, level, layer=level)
    return path


def run(*args: Any) -> str:
    out = io.StringIO()
    call_command("import_boundaries", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def test_a_geopackage_imports_gemeenten_wijken_and_buurten_by_their_layer_names(db, tmp_path):
    output = run(geopackage(tmp_path), "--activate")

    assert Municipality.objects.get(code="GM0917").name == "Heerlen"
    wijk = Wijk.objects.get(code="WK091701")
    assert wijk.name == "Wijk 01 Heerlen-Centrum"
    assert wijk.dataset.name == "wijkenbuurten_2023"
    assert Dataset.objects.get(is_active=True) == wijk.dataset
    assert sorted(Buurt.objects.values_list("code", "name", "is_water")) == [
        ("BU09170101", "Centrum", False),
        ("BU09170102", "Zuid", False),
        ("BU09170109", "Vijver", True),
    ]
    assert "3 buurten created" in output
    assert "1 of the buurten are water" in output
    assert "1 wijken created" in output


def test_rd_new_squares_land_where_they_were_drawn(db, tmp_path):
    run(geopackage(tmp_path), "--activate")

    for col, code in enumerate(["BU09170101", "BU09170102", "BU09170109"]):
        lon, lat = centre_wgs84(col, 0)
        found = find_buurt_for_point(lon=lon, lat=lat)
        assert found is not None
        assert found.code == code


def test_layer_option_imports_only_that_layer(db, tmp_path):
    output = run(geopackage(tmp_path), "--layer", "buurten", "--dataset", "cbs-2023")

    assert Buurt.objects.filter(dataset__name="cbs-2023").count() == 3
    # The wijk is made from the buurten's properties; no wijk layer was read.
    assert Wijk.objects.get(code="WK091701").name == "WK091701"
    assert "3 buurten created" in output
    assert "wijken created" not in output


def test_an_unknown_layer_is_refused_naming_the_layers(db, tmp_path):
    with pytest.raises(CommandError, match=r"no layer 'buurt'.*gemeenten, wijken, buurten"):
        run(geopackage(tmp_path), "--layer", "buurt")
    assert not Buurt.objects.exists()


def test_unrecognised_layer_names_ask_for_layer(db, tmp_path):
    path = tmp_path / "export.gpkg"
    write_layer(path, "buurten", layer="laag_a")
    write_layer(path, "wijken", layer="laag_b")
    with pytest.raises(CommandError, match="--layer"):
        run(path)
    assert not Buurt.objects.exists()


def test_a_shapefile_of_buurten_imports_with_its_water_buurt(db, tmp_path):
    path = tmp_path / "buurt_2023_v1.shp"
    write_layer(path, "buurten", driver="ESRI Shapefile")

    output = run(path, "--activate")

    assert Dataset.objects.get(is_active=True).name == "buurt_2023_v1"
    # Shapefile field names are cut to 10 characters: gemeentena(am).
    assert Municipality.objects.get(code="GM0917").name == "Heerlen"
    assert Buurt.objects.get(code="BU09170109").is_water
    assert not Buurt.objects.get(code="BU09170101").is_water
    assert "3 buurten created, 0 updated, 0 unchanged. 1 of the buurten are water." in output
    lon, lat = centre_wgs84(1, 0)
    assert find_buurt_for_point(lon=lon, lat=lat).code == "BU09170102"


def test_a_second_import_of_the_same_geopackage_changes_nothing(db, tmp_path):
    path = geopackage(tmp_path)
    run(path)
    output = run(path)
    assert "0 buurten created, 0 updated, 3 unchanged" in output


def test_a_bad_feature_in_a_geopackage_writes_nothing(db, tmp_path):
    path = tmp_path / "bad.gpkg"
    shapes, fields = layer_data("buurten")
    fields["buurtnaam"][1] = "x" * 200
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(np.array(shapes, dtype=object)),
        field_data=[np.array(values, dtype=object) for values in fields.values()],
        fields=list(fields),
        layer="buurten",
        driver="GPKG",
        geometry_type="Polygon",
        crs="EPSG:28992",
    )
    with pytest.raises(CommandError, match=r"Feature 2 \(BU09170102\).*200 characters"):
        run(path)
    assert not Buurt.objects.exists()


def test_a_file_that_is_not_a_geopackage_is_refused(db, tmp_path):
    path = tmp_path / "kapot.gpkg"
    path.write_bytes(b"not a database")
    with pytest.raises(CommandError, match="cannot be read as GeoPackage or shapefile"):
        run(path)


def test_a_geopackage_without_activate_says_once_that_it_is_not_activated(db, tmp_path):
    path = geopackage(tmp_path)
    output = run(path, "--dry-run")
    assert output.count("Dry run: nothing was written.") == 1
    assert not Buurt.objects.exists()
    output = run(path)
    assert output.count("Not activated") == 1
