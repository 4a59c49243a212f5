"""manage.py import_postcodes: both formats, the checks on each centroid, counts, and assignment.

The hand-drawn map of tests/conftest.py (municipality GM0001, "Testgemeente"):

    row 1:  [BU00010003]  [  nothing  ]
    row 0:  [BU00010001]  [BU00010002]
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from neighbourhoods.importing.boundaries import activate_dataset
from neighbourhoods.importing.postcodes import assign_postcodes_to_buurten
from neighbourhoods.models import Postcode
from tests import factories

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "heerlen"
CSV_HEADER = "postcode;lat;lon;woonplaats"


def geonames(
    postcode: str,
    at: tuple[float, float],
    *,
    place: str = "Heerlen",
    code: str = "0001",
    name: str = "Gemeente Testgemeente",
    country: str = "NL",
) -> str:
    """One line of GeoNames' postal-code format: 12 tab-separated columns."""
    lon, lat = at
    return "\t".join(
        [country, postcode, place, "Limburg", "05", name, code, "", "", f"{lat}", f"{lon}", "6"]
    )


def csv_row(postcode: str, at: tuple[float, float], place: str = "Heerlen") -> str:
    lon, lat = at
    return f"{postcode};{lat};{lon};{place}"


def write(path: Path, lines: list[str], *, header: str | None = None) -> Path:
    path.write_text("\n".join([*([header] if header else []), *lines]) + "\n", encoding="utf-8")
    return path


def run(*args: Any, stdout: io.StringIO | None = None) -> tuple[str, str]:
    out, err = stdout or io.StringIO(), io.StringIO()
    call_command("import_postcodes", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored() -> dict[str, tuple]:
    return {
        row[0]: row[1:]
        for row in Postcode.objects.values_list(
            "postcode", "woonplaats", "gemeente_code", "buurt__code", "near_buurt__code"
        )
    }


def offset(point: tuple[float, float], *, lon: float = 0.0, lat: float = 0.0) -> tuple:
    return (point[0] + lon, point[1] + lat)


def test_the_geonames_format_stores_each_postcode_in_its_buurt(buurten, tmp_path):
    path = write(
        tmp_path / "NL.txt",
        [
            geonames("6411 NH", factories.centre(0, 0)),
            geonames("6412 AA", factories.centre(1, 0), place="Hoensbroek"),
        ],
    )
    out, err = run(path)
    assert out == "2 rows: 2 created, 0 updated, 0 unchanged, 0 skipped; 0 outside every buurt.\n"
    assert err == ""
    assert stored() == {
        "6411NH": ("Heerlen", "GM0001", "BU00010001", None),
        "6412AA": ("Hoensbroek", "GM0001", "BU00010002", None),
    }
    postcode = Postcode.objects.get(postcode="6411NH")
    assert postcode.gemeente_name == "Testgemeente"
    assert (postcode.lon, postcode.lat) == pytest.approx(factories.centre(0, 0))


def test_the_csv_format_with_and_without_a_place(buurten, tmp_path):
    with_place = write(
        tmp_path / "with.csv",
        [csv_row("6411 nh", factories.centre(0, 0)), csv_row("6415DD", factories.centre(1, 1))],
        header=CSV_HEADER,
    )
    out, _ = run(with_place)
    # No municipality named: the point in no buurt is stored, outside every buurt.
    assert "2 rows: 2 created, 0 updated, 0 unchanged, 0 skipped; 1 outside every buurt." in out
    assert stored() == {
        "6411NH": ("Heerlen", "", "BU00010001", None),
        "6415DD": ("Heerlen", "", None, None),
    }
    lon, lat = factories.centre(0, 1)
    bare = write(tmp_path / "bare.csv", [f"{lat};{lon};6416AB"], header="lat;lon;postcode")
    run(bare)
    assert stored()["6416AB"] == ("", "", "BU00010003", None)


def test_a_csv_may_name_the_municipality_by_code_or_name(buurten, tmp_path):
    lon, lat = factories.centre(1, 1)  # in no buurt of GM0001
    path = write(
        tmp_path / "named.csv",
        [f"6415DD;{lat};{lon};Testgemeente", f"6415DE;{lat};{lon};GM0001"],
        header="postcode;lat;lon;gemeente",
    )
    out, err = run(path)
    assert "0 created" in out
    assert "line 2: skipped, 6415 DD at" in err
    assert "line 3: skipped, 6415 DE at" in err
    assert "skipped, outside its municipality: 2" in err


def test_bad_rows_are_reported_by_line_and_the_good_ones_imported(buurten, tmp_path):
    at = factories.centre(0, 0)
    path = write(
        tmp_path / "NL.txt",
        [
            geonames("6411 NH", at),
            geonames("6411 NJ", at)[: -len("\t6")],
            geonames("64111 A", at),
            geonames("6411 NK", at).replace("50.905", "noord"),
            geonames("6411 NL", at, country="BE"),
            geonames("6411NH", at),
            geonames("6411 NM", at),
        ],
    )
    out, err = run(path)
    assert "7 rows: 2 created, 0 updated, 0 unchanged, 5 skipped" in out
    assert "line 2: skipped, 11 columns, GeoNames has 12" in err
    assert "line 3: skipped, '64111 A' is not a Dutch postcode" in err
    assert "line 4: skipped, latitude 'noord' or longitude" in err
    assert "line 5: skipped, country 'BE', not NL" in err
    assert "line 6: skipped, 6411 NH repeats line 1" in err
    assert "skipped, bad row: 4" in err
    assert "skipped, repeated postcode: 1" in err
    assert set(stored()) == {"6411NH", "6411NM"}


def test_a_centroid_outside_the_netherlands_is_skipped(buurten, tmp_path):
    path = write(
        tmp_path / "NL.txt",
        [
            geonames("6418 GS", (3.3136, 47.9748)),  # France
            geonames("6411 EP", (5.7885, 50.676)),  # Belgium, south of 50.7
            geonames("6411 NH", factories.centre(0, 0)),
        ],
    )
    out, err = run(path)
    assert "1 created" in out and "2 skipped" in out
    assert "line 1: skipped, 6418 GS at 47.9748, 3.3136 lies outside the Netherlands" in err
    assert "line 2: skipped, 6411 EP at 50.676, 5.7885 lies outside the Netherlands" in err
    assert set(stored()) == {"6411NH"}


def test_a_centroid_outside_its_municipality_is_skipped_not_put_in_another(buurten, tmp_path):
    # A buurt of another covered municipality (GM0002) where GM0001 has none.
    factories.make_buurt(buurten["west"].dataset, "BU00020001", factories.square(1, 1))
    path = write(
        tmp_path / "NL.txt",
        [
            geonames("6411 AW", factories.centre(1, 1)),  # named GM0001, lies in GM0002
            geonames("6411 AX", (5.7, 50.8)),  # in the Netherlands' box, in no buurt
            geonames("6411 NH", factories.centre(0, 0)),
        ],
    )
    out, err = run(path)
    assert "3 rows: 1 created, 0 updated, 0 unchanged, 2 skipped; 0 outside every buurt." in out
    assert "line 1: skipped, 6411 AW at 50.915, 5.915 lies outside Testgemeente (GM0001)" in err
    assert "line 2: skipped, 6411 AX at 50.8, 5.7 lies outside Testgemeente (GM0001)" in err
    assert "skipped, outside its municipality: 2" in err
    assert set(stored()) == {"6411NH"}


def test_a_municipality_the_portal_does_not_cover_is_stored_without_a_buurt(buurten, tmp_path):
    # Its centroid even lies inside a covered buurt: the source says it belongs elsewhere.
    path = write(
        tmp_path / "NL.txt",
        [
            geonames("6301 AA", factories.centre(0, 0), code="0994", name="Gemeente Valkenburg"),
            geonames("1012 JS", (4.8936, 52.3731), code="0363", name="Gemeente Amsterdam"),
        ],
    )
    out, err = run(path)
    assert "2 rows: 2 created, 0 updated, 0 unchanged, 0 skipped; 2 outside every buurt." in out
    assert err == ""
    assert stored() == {
        "6301AA": ("Heerlen", "GM0994", None, None),
        "1012JS": ("Heerlen", "GM0363", None, None),
    }
    assert Postcode.objects.get(postcode="1012JS").gemeente_name == "Amsterdam"


def test_a_centroid_near_another_buurt_names_it(buurten, tmp_path):
    west_east_edge = factories.corner(1, 0)[0]
    west_north_edge = factories.corner(0, 1)[1]
    middle_lat = factories.centre(0, 0)[1]
    path = write(
        tmp_path / "NL.txt",
        [
            # About 21 m west of the edge with Oost (0.0003 degree of longitude here).
            geonames("6411 AA", (west_east_edge - 0.0003, middle_lat)),
            # About 70 m from it: too far to doubt.
            geonames("6411 AB", (west_east_edge - 0.001, middle_lat)),
            # On the shared edge: the lowest code holds it, the other is near.
            geonames("6411 AC", (west_east_edge, middle_lat)),
            # About 22 m south of Noord, and 42 m from Oost: Noord is the nearer.
            geonames("6411 AD", (west_east_edge - 0.0006, west_north_edge - 0.0002)),
        ],
    )
    run(path)
    assert stored() == {
        "6411AA": ("Heerlen", "GM0001", "BU00010001", "BU00010002"),
        "6411AB": ("Heerlen", "GM0001", "BU00010001", None),
        "6411AC": ("Heerlen", "GM0001", "BU00010001", "BU00010002"),
        "6411AD": ("Heerlen", "GM0001", "BU00010001", "BU00010003"),
    }


def test_dry_run_writes_nothing(buurten, tmp_path):
    path = write(tmp_path / "NL.txt", [geonames("6411 NH", factories.centre(0, 0))])
    out, _ = run(path, "--dry-run")
    assert "1 rows: 1 created" in out
    assert "Dry run: nothing was written." in out
    assert not Postcode.objects.exists()


def test_a_second_run_counts_unchanged_and_updates_what_changed(buurten, tmp_path):
    lines = [
        geonames("6411 NH", factories.centre(0, 0)),
        geonames("6412 AA", factories.centre(1, 0)),
    ]
    path = write(tmp_path / "NL.txt", lines)
    run(path)
    out, _ = run(path)
    assert "2 rows: 0 created, 0 updated, 2 unchanged, 0 skipped" in out
    write(path, [lines[0], geonames("6412 AA", factories.centre(0, 1))])
    out, _ = run(path)
    assert "2 rows: 0 created, 1 updated, 1 unchanged, 0 skipped" in out
    assert stored()["6412AA"][2] == "BU00010003"


def test_activating_a_dataset_reassigns_postcodes(buurten, tmp_path):
    path = write(
        tmp_path / "NL.txt",
        [
            geonames("6411 NH", factories.centre(0, 0)),
            geonames("6412 AA", factories.centre(1, 0)),
            geonames("6413 AA", factories.centre(0, 1)),
        ],
    )
    run(path)
    # The new dataset merges west and east into one buurt and has nothing where Noord was.
    staged = factories.make_dataset("next-year", active=False)
    merged = factories.make_buurt(
        staged, "BU00010009", factories.square(0, 0).union(factories.square(1, 0))
    )
    activate_dataset(staged)
    assert stored() == {
        "6411NH": ("Heerlen", "GM0001", merged.code, None),
        "6412AA": ("Heerlen", "GM0001", merged.code, None),
        "6413AA": ("Heerlen", "GM0001", None, None),
    }
    assert Postcode.objects.get(postcode="6411NH").buurt == merged
    # Nothing changes the second time.
    assert assign_postcodes_to_buurten(staged) == (2, 1)


def test_a_dataset_covering_a_municipality_later_gives_its_postcodes_a_buurt(db, tmp_path):
    path = write(tmp_path / "NL.txt", [geonames("6411 NH", factories.centre(0, 0))])
    out, _ = run(path)
    assert "1 outside every buurt" in out
    dataset = factories.make_dataset(active=False)
    factories.make_buurt(dataset, "BU00010001", factories.square(0, 0))
    activate_dataset(dataset)
    assert Postcode.objects.get(postcode="6411NH").buurt.code == "BU00010001"
    assert assign_postcodes_to_buurten(dataset) == (1, 0)
    assert stored()["6411NH"][2] == "BU00010001"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "holds no postcodes"),
        (b"postcode;latitude;longitude\n6411NH;50.9;5.9\n", "missing lat, lon"),
        (b"NL\t6411 NH\tHeerlen\t50.9\t5.9\n", "line 1: 5 tab-separated columns"),
        (b"postcode;lat;lon\n6411NH;50.9;5.9\n6411NJ;50.9;5.9\xff\n", "line 3: not UTF-8"),
    ],
)
def test_a_file_in_neither_format_is_refused(db, tmp_path, content, message):
    path = tmp_path / "postcodes.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as error:
        run(path)
    assert "Nothing was written." in str(error.value)
    assert not Postcode.objects.exists()


def test_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "missing.txt")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal(buurten, tmp_path):
    path = write(tmp_path / "NL.txt", [geonames("6411 NH", factories.centre(0, 0))])
    out, _ = run(path, stdout=Terminal())
    assert "\rread: 1 rows" in out
    assert "\rwritten: 1 rows" in out


def test_the_admin_lists_postcodes_read_only(admin_client, buurten, tmp_path):
    run(write(tmp_path / "NL.txt", [geonames("6411 NH", factories.centre(0, 0))]))
    response = admin_client.get(reverse("admin:neighbourhoods_postcode_changelist"))
    assert response.status_code == 200
    assert "6411 NH" in response.content.decode()
    assert admin_client.get(reverse("admin:neighbourhoods_postcode_add")).status_code == 403


def import_heerlen_boundaries() -> None:
    for name in ("wijken_2023.geojson", "buurten_2023.geojson"):
        call_command(
            "import_boundaries",
            str(FIXTURES / name),
            "--dataset",
            "heerlen-2023",
            "--activate",
            stdout=io.StringIO(),
        )


def test_the_shipped_heerlen_file_reports_the_misplaced_rows_by_line(db):
    import_heerlen_boundaries()
    out, err = run(FIXTURES / "postcodes_pc6_geonames.txt", "--verbosity", "2")
    assert out == (
        "2471 rows: 2415 created, 0 updated, 0 unchanged, 56 skipped; 0 outside every buurt.\n"
    )
    assert "skipped, outside the Netherlands: 31" in err
    assert "skipped, outside its municipality: 25" in err
    assert "line 1649: skipped, 6418 GS at 47.9748, 3.3136 lies outside the Netherlands" in err
    assert "line 17: skipped, 6411 AW at 50.7698, 5.8639 lies outside Heerlen (GM0917)" in err
    assert sum(line.startswith("line ") for line in err.splitlines()) == 56
    assert Postcode.objects.filter(buurt__isnull=True).count() == 0
    assert Postcode.objects.filter(postcode="6411NH", buurt__code="BU09173300").exists()


def test_the_shipped_file_without_boundaries_stores_heerlen_without_buurten(db):
    out, err = run(FIXTURES / "postcodes_pc6_geonames.txt")
    assert "2471 rows: 2440 created, 0 updated, 0 unchanged, 31 skipped" in out
    assert "2440 outside every buurt." in out
    assert "skipped, outside the Netherlands: 31" in err


def test_bad_csv_rows_are_reported_by_their_line(buurten, tmp_path):
    lon, lat = factories.centre(0, 0)
    path = write(
        tmp_path / "postcodes.csv",
        [f"6411NH;{lat};{lon};Heerlen", f"6411NJ;{lat};Heerlen", "", f"6411 NK;{lat};oost;Heerlen"],
        header=CSV_HEADER,
    )
    out, err = run(path)
    assert "3 rows: 1 created, 0 updated, 0 unchanged, 2 skipped" in out
    assert "line 3: skipped, 3 columns, the header has 4" in err
    assert "line 5: skipped, latitude '50.905' or longitude 'oost' is not a number" in err
