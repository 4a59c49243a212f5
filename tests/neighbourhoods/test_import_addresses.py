"""manage.py import_addresses: formats, counts, bad rows, all-or-nothing, and the portal's answers."""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path
from typing import Any

import pytest
import zstandard
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.urls import reverse

from neighbourhoods.importing import addresses
from neighbourhoods.models import Address, Buurt
from tests import factories

HEADER = "straat;huisnummer;huisletter;huisnummertoevoeging;postcode;woonplaats;gemeente;provincie;lat;lon"


def row(
    postcode: str = "6411NH",
    number: str = "13",
    letter: str = "",
    addition: str = "",
    *,
    at: tuple[float, float] | None = None,
    street: str = "Teststraat",
) -> str:
    lon, lat = at or factories.centre(0, 0)
    return f"{street};{number};{letter};{addition};{postcode};Heerlen;Heerlen;Limburg;{lat:.8f};{lon:.8f}"


# West (0, 0) and east (1, 0) hold addresses; (1, 1) is in no buurt.
ROWS = [
    row("6411NH", "13", "e", at=factories.centre(0, 0)),
    row("6411NH", "15", at=factories.centre(0, 0)),
    row("6412AA", "2", "", "2a", at=factories.centre(1, 0)),
    row("6415DD", "9", at=factories.centre(1, 1)),
]


def write(path: Path, lines: list[str], *, header: str = HEADER) -> Path:
    data = "\n".join([header, *lines]) + "\n"
    raw = data.encode("utf-8")
    if path.name.endswith(".zst"):
        path.write_bytes(zstandard.ZstdCompressor().compress(raw))
    elif path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(raw))
    else:
        path.write_bytes(raw)
    return path


def run(*args: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_addresses", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def register() -> list[tuple]:
    """Everything the register holds, to compare before and after."""
    return list(
        Address.objects.order_by(
            "postcode", "huisnummer", "huisletter", "huisnummertoevoeging"
        ).values_list(
            "postcode",
            "huisnummer",
            "huisletter",
            "huisnummertoevoeging",
            "straat",
            "woonplaats",
            "lat",
            "lon",
            "buurt_id",
        )
    )


@pytest.mark.parametrize("name", ["bag.csv", "bag.csv.gz", "bag.csv.zst"])
def test_plain_gzip_and_zstandard_files_import_alike(buurten, tmp_path, name):
    out, err = run(write(tmp_path / name, ROWS))
    assert "4 rows: 4 created, 0 updated, 0 unchanged, 0 skipped; 1 outside every buurt." in out
    assert err == ""
    stored = {a.house_number_display: a for a in Address.objects.all()}
    assert stored["13E"].buurt == buurten["west"]  # the letter is stored upper-case
    assert stored["15"].buurt == buurten["west"]
    assert stored["2-2A"].buurt == buurten["east"]
    assert stored["9"].buurt is None  # kept, and counted as outside
    assert stored["13E"].postcode == "6411NH"
    assert stored["13E"].huisnummertoevoeging == ""


def test_a_second_run_reports_everything_unchanged(buurten, tmp_path):
    path = write(tmp_path / "bag.csv", ROWS)
    run(path)
    before = register()
    out, _ = run(path)
    assert "4 rows: 0 created, 0 updated, 4 unchanged, 0 skipped" in out
    assert register() == before


def test_changed_rows_are_updated_and_new_ones_created(buurten, tmp_path):
    run(write(tmp_path / "v1.csv", ROWS))
    changed = [
        row("6411NH", "13", "E", at=factories.centre(1, 0)),  # moved to east
        row("6411NH", "15", street="Nieuwe Teststraat", at=factories.centre(0, 0)),
        ROWS[2],
        ROWS[3],
        row("6411NH", "17", at=factories.centre(0, 0)),
    ]
    out, _ = run(write(tmp_path / "v2.csv", changed))
    assert "5 rows: 1 created, 2 updated, 2 unchanged, 0 skipped" in out
    moved = Address.objects.get(postcode="6411NH", huisnummer=13)
    assert moved.buurt == buurten["east"]
    assert Address.objects.get(postcode="6411NH", huisnummer=15).straat == "Nieuwe Teststraat"


def test_dry_run_writes_nothing(buurten, tmp_path):
    lon, lat = factories.centre(1, 0)
    factories.make_address(buurten["east"], postcode="6411NH", huisnummer=15, lon=lon, lat=lat)
    before = register()
    out, _ = run(write(tmp_path / "bag.csv", ROWS), "--dry-run")
    assert "4 rows: 3 created, 1 updated, 0 unchanged" in out
    assert "Dry run: nothing was written." in out
    assert register() == before


BAD_ROWS = {
    "missing postcode": (row(postcode=""), "no postcode"),
    "malformed postcode": (row(postcode="0123AB"), "malformed postcode '0123AB'"),
    "non-numeric house number": (row(number="13a"), "house number '13a' is not a number"),
    "house letter": (row(letter="ab"), "house letter 'AB' is not one letter"),
    "addition": (row(addition="abcde"), "addition 'ABCDE' is not 1-4 letters or digits"),
    "outside the Netherlands": (row(at=(2.35, 48.85)), "lie outside the Netherlands"),
    "coordinates not numbers": (row().replace("50.90500000", "noord"), "are not numbers"),
    "too few columns": ("Teststraat;13;;;6411NH;Heerlen;50.9;5.9", "8 columns instead of 10"),
    "too many columns": (row() + ";extra", "11 columns instead of 10"),
    "NUL byte": (row(street="Test\x00straat"), "control characters (such as a NUL byte)"),
    "street too long": (row(street="S" * 101), "street or place missing or too long"),
    "no street": (row(street=""), "street or place missing or too long"),
    "place too long": (row().replace(";Heerlen;Heerlen;", f";{'P' * 81};Heerlen;"), "too long"),
}


@pytest.mark.parametrize("kind", BAD_ROWS)
def test_each_kind_of_bad_row_is_skipped_with_its_line_and_reason(buurten, tmp_path, kind):
    bad, reason = BAD_ROWS[kind]
    good = [row(postcode="6411NH", number=str(n)) for n in range(1, 200)]
    out, err = run(write(tmp_path / "bag.csv", [*good[:50], bad, *good[50:]]))
    # Line 1 is the header, the good rows are lines 2-51, so the bad row is line 52.
    reported = [line for line in err.splitlines() if line.startswith("line 52: skipped, ")]
    assert len(reported) == 1
    assert reason in reported[0]
    assert "200 rows: 199 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert Address.objects.count() == 199


def test_bad_encoding_is_a_skipped_row(buurten, tmp_path):
    path = tmp_path / "bag.csv"
    good = [row(number=str(n)) for n in range(1, 200)]
    data = (
        "\n".join([HEADER, *good[:9]]).encode()
        + "\nCaf\xe9straat;1;;;6411NH;Heerlen;Heerlen;Limburg;50.905;5.905\n".encode("latin-1")
        + "\n".join(good[9:]).encode()
        + b"\n"
    )
    path.write_bytes(data)
    out, err = run(path)
    assert "line 11: skipped, not UTF-8 text" in err
    assert "200 rows: 199 created" in out


def test_repeated_addresses_keep_the_first_row(buurten, tmp_path):
    lines = [row(number="1", street="Eerste"), row(number="2"), row(number="1", street="Tweede")]
    out, err = run(write(tmp_path / "bag.csv", lines))
    assert "line 4: skipped, same address as line 2, which is kept" in err
    assert "3 rows: 2 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert Address.objects.get(huisnummer=1).straat == "Eerste"


def test_more_bad_rows_than_allowed_aborts_with_nothing_written(buurten, tmp_path):
    lon, lat = factories.centre(1, 0)
    factories.make_address(buurten["east"], postcode="6411NH", huisnummer=15, lon=lon, lat=lat)
    before = register()
    lines = [*ROWS, row(postcode="")]  # 1 of 5 bad: 20%
    with pytest.raises(
        CommandError, match=r"1 of 5 rows are bad \(20.00%\), more than the allowed 1.00%"
    ):
        run(write(tmp_path / "bag.csv", lines))
    assert register() == before
    out, _ = run(write(tmp_path / "bag.csv", lines), "--max-bad-share", "0.25")
    assert "5 rows: 3 created, 1 updated, 0 unchanged, 1 skipped" in out


def test_an_import_that_fails_half_way_leaves_the_register_as_it_was(
    buurten, tmp_path, monkeypatch
):
    run(write(tmp_path / "v1.csv", ROWS))
    before = register()
    writes = []
    original = addresses._Staging.write

    def write_then_crash(self: Any, batch: list[tuple], buurt_ids: list[int]) -> None:
        if writes:
            raise KeyboardInterrupt  # Ctrl-C during the second batch
        writes.append(len(batch))
        original(self, batch, buurt_ids)

    monkeypatch.setattr(addresses._Staging, "write", write_then_crash)
    monkeypatch.setattr(addresses, "BATCH_SIZE", 3)
    changed = [row(number=str(n), street="Andere straat") for n in range(1, 10)]
    with pytest.raises(CommandError, match="Interrupted: nothing was written"):
        run(write(tmp_path / "v2.csv", [*changed, *ROWS]))
    assert writes == [3]
    assert register() == before


def test_an_upsert_that_fails_leaves_the_register_as_it_was(buurten, tmp_path, monkeypatch):
    run(write(tmp_path / "v1.csv", ROWS))
    before = register()

    def crash(self: Any) -> tuple[int, int]:
        raise RuntimeError("connection lost")

    monkeypatch.setattr(addresses._Staging, "upsert", crash)
    with pytest.raises(RuntimeError):
        run(write(tmp_path / "v2.csv", [row(number="99"), *ROWS[1:]]))
    assert register() == before


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "bag.csv",
            b"postcode,huisnummer\n6411NH,13\n",
            "does not start with the BAG address header",
        ),
        ("bag.csv.zst", b"this is not zstandard", "is not a valid Zstandard (.zst) file"),
        ("bag.csv.gz", b"this is not gzip", "is not a valid gzip (.gz) file"),
    ],
)
def test_a_file_that_is_not_a_bag_csv_is_refused(buurten, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(expected)):
        run(path)
    assert not Address.objects.exists()


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nowhere.csv.zst")


def test_without_an_active_dataset_every_address_is_outside(db, tmp_path):
    out, _ = run(write(tmp_path / "bag.csv", ROWS))
    assert "4 rows: 4 created, 0 updated, 0 unchanged, 0 skipped; 4 outside every buurt." in out


def test_progress_is_reported_to_a_callback_and_the_pipe_stays_quiet(buurten, tmp_path):
    path = write(tmp_path / "bag.csv", [row(number=str(n)) for n in range(1, 11)])
    seen: list[addresses.ImportProgress] = []
    addresses.import_addresses(paths=[path], batch_size=4, progress=seen.append)
    assert [p.rows for p in seen if p.phase == "reading"] == [4, 8, 10]
    assert seen[-1].phase == "writing"
    out, err = run(path)
    assert out.count("\n") == 1 and "\r" not in out  # only the summary in a pipe
    assert err == ""


def test_imported_addresses_answer_in_the_portal(buurten, client, tmp_path):
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(officer, buurten["west"])
    run(write(tmp_path / "bag.csv", ROWS))
    response = client.post(reverse("officers:search"), {"postcode": "6411 nh", "huisnummer": "13e"})
    assert response["Location"].startswith(
        reverse("officers:profile", kwargs={"slug": "anna-voorbeeld"})
    )
    response = client.post(
        reverse("officers:search"), {"postcode": "6415DD", "huisnummer": "9"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("officers:outside-area")
    assert response.status_code == 200


def test_backslashes_and_tabs_in_names_are_stored_as_they_are(buurten, tmp_path):
    lines = [row(number="1", street="Achter\\de Kerk"), row(number="2", street="Kerk\tpad")]
    run(write(tmp_path / "bag.csv", lines))
    assert sorted(Address.objects.values_list("straat", flat=True)) == [
        "Achter\\de Kerk",
        "Kerk\tpad",
    ]
    out, _ = run(write(tmp_path / "bag.csv", lines))
    assert "2 unchanged" in out


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_line(buurten, tmp_path, monkeypatch):
    monkeypatch.setattr(addresses, "BATCH_SIZE", 4)
    out = Terminal()
    path = write(tmp_path / "bag.csv", [row(number=str(n)) for n in range(1, 11)])
    call_command("import_addresses", str(path), stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "\rreading: 4 rows, " in text
    assert "\rreading: 8 rows, " in text
    assert "rows/s" in text
    assert text.rstrip().endswith(
        "10 rows: 10 created, 0 updated, 0 unchanged, 0 skipped; 0 outside every buurt."
    )


def address_indexes() -> dict[str, Any]:
    """The address table's indexes and constraints as the database describes them."""
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, Address._meta.db_table)


def test_an_initial_load_stores_the_same_rows_and_counts_as_an_upsert(buurten, tmp_path):
    """A file loaded into an empty register and into one that holds another address stores the
    same rows and reports the same counts."""
    lines = [*ROWS, ROWS[0].replace("Teststraat", "Later"), row("6416AB", "3", "b", "x1")]
    path = write(tmp_path / "bag.csv", lines)
    indexes = address_indexes()
    initial, _ = run(path)
    loaded = register()
    assert "6 rows: 5 created, 0 updated, 0 unchanged, 1 skipped; 1 outside every buurt." in initial
    assert address_indexes() == indexes

    Address.objects.all().delete()
    lon, lat = factories.centre(0, 0)
    other = factories.make_address(
        buurten["west"], postcode="9999ZZ", huisnummer=1, lon=lon, lat=lat
    )
    upserted, _ = run(path)
    other.delete()
    assert upserted == initial
    assert register() == loaded
    # The unique constraint still guards the register, and a re-import still matches.
    again, _ = run(path)
    assert "6 rows: 0 created, 0 updated, 5 unchanged, 1 skipped" in again


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="an empty register is loaded directly on PostgreSQL"
)
def test_a_load_into_an_empty_register_that_fails_half_way_leaves_it_empty_and_indexed(
    buurten, tmp_path, monkeypatch
):
    indexes = address_indexes()
    # Fails after the rows are written, before the indexes are built again.
    monkeypatch.setattr(addresses, "INDEX_BUILD_MEM", "not a size")
    with pytest.raises(DatabaseError):
        run(write(tmp_path / "bag.csv", ROWS))
    assert not Address.objects.exists()
    assert address_indexes() == indexes
    monkeypatch.undo()
    out, _ = run(write(tmp_path / "bag.csv", ROWS))
    assert "4 rows: 4 created" in out


def test_stored_buurten_are_buurten_of_the_active_dataset_and_deleting_one_unsets_it(
    buurten, tmp_path
):
    """buurt_id has no foreign key in the database: the importer and activation only ever write
    ids of the active dataset's buurten, and Django sets it to NULL when a buurt goes."""
    run(write(tmp_path / "bag.csv", ROWS))
    stored = Address.objects.exclude(buurt=None)
    assert stored.count() == 3
    assert not stored.exclude(buurt__in=Buurt.objects.filter(dataset__is_active=True)).exists()

    buurten["west"].delete()
    assert Address.objects.filter(buurt=None).count() == 3
    assert not Address.objects.exclude(buurt=None).exclude(buurt__in=Buurt.objects.all()).exists()
    buurten["east"].delete()
    assert Address.objects.filter(buurt=None).count() == 4


def test_several_files_are_one_import_and_repeats_across_files_are_reported_with_the_file(
    buurten, tmp_path
):
    first = write(tmp_path / "a.csv", [row(number="1", street="Eerste"), row(number="2")])
    second = write(
        tmp_path / "b.csv.zst",
        [row(number="3"), row(number="1", street="Tweede"), row(postcode="")],
    )
    out, err = run(first, second, "--max-bad-share", "0.5")
    assert f"{second}, line 3: skipped, same address as {first}, line 2, which is kept" in err
    assert f"{second}, line 4: skipped, no postcode" in err
    assert "5 rows: 3 created, 0 updated, 0 unchanged, 2 skipped; 0 outside every buurt." in out
    assert Address.objects.get(huisnummer=1).straat == "Eerste"
    again, _ = run(first, second, "--max-bad-share", "0.5")
    assert "5 rows: 0 created, 0 updated, 3 unchanged, 2 skipped" in again


def test_a_missing_or_repeated_file_among_several_stops_before_anything_is_read(buurten, tmp_path):
    path = write(tmp_path / "bag.csv", ROWS)
    with pytest.raises(
        CommandError, match=re.escape("nowhere.csv: no such file. Nothing was written.")
    ):
        run(path, tmp_path / "nowhere.csv")
    with pytest.raises(CommandError, match="is given more than once"):
        run(path, tmp_path / "." / "bag.csv")
    assert not Address.objects.exists()


def test_a_bad_second_file_leaves_the_register_as_it_was(buurten, tmp_path):
    run(write(tmp_path / "v1.csv", ROWS))
    before = register()
    changed = write(tmp_path / "v2.csv", [row(number=str(n), street="Andere") for n in range(1, 9)])
    broken = tmp_path / "v3.csv.zst"
    broken.write_bytes(b"this is not zstandard")
    with pytest.raises(CommandError, match="is not a valid Zstandard"):
        run(changed, broken)
    assert register() == before


def test_progress_over_several_files_counts_every_row(buurten, tmp_path):
    paths = [
        write(tmp_path / f"{n}.csv", [row(number=str(10 * n + k)) for k in range(1, 6)])
        for n in range(3)
    ]
    seen: list[addresses.ImportProgress] = []
    addresses.import_addresses(paths=paths, batch_size=4, progress=seen.append)
    reading = [p for p in seen if p.phase == "reading"]
    assert [p.rows for p in reading] == [4, 5, 9, 10, 14, 15]
    assert [round(p.fraction, 2) for p in reading][1::2] == [0.33, 0.67, 1.0]


def test_after_an_initial_load_new_addresses_get_ids_of_their_own(buurten, tmp_path):
    run(write(tmp_path / "v1.csv", ROWS))
    more = [row("6416AB", str(n), at=factories.centre(0, 0)) for n in range(1, 11)]
    out, _ = run(write(tmp_path / "v2.csv", [*ROWS, *more]))
    assert "14 rows: 10 created, 0 updated, 4 unchanged" in out
    lon, lat = factories.centre(0, 0)
    factories.make_address(buurten["west"], postcode="6417AB", huisnummer=1, lon=lon, lat=lat)
    assert Address.objects.count() == 15


def test_a_dry_run_into_an_empty_register_leaves_it_empty_and_indexed(buurten, tmp_path):
    indexes = address_indexes()
    out, _ = run(write(tmp_path / "bag.csv", [*ROWS, ROWS[0]]), "--dry-run")
    assert "5 rows: 4 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert not Address.objects.exists()
    assert address_indexes() == indexes


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has one writer and WAL readers anyway"
)
def test_lookups_go_on_while_an_import_writes_into_a_register_with_addresses(
    buurten, tmp_path, monkeypatch
):
    import psycopg

    lon, lat = factories.centre(1, 0)
    factories.make_address(buurten["east"], postcode="6411NH", huisnummer=15, lon=lon, lat=lat)
    seen = []
    original = addresses._Staging.upsert

    def upsert_then_look_from_elsewhere(self: Any) -> tuple[int, int]:
        written = original(self)  # the import's locks are held until its transaction ends
        settings = connection.settings_dict
        with psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            host=settings["HOST"],
            port=settings["PORT"] or None,
            password=settings["PASSWORD"] or None,
            autocommit=True,
        ) as other:
            other.execute("SET lock_timeout = '2s'")
            seen.append(other.execute("SELECT COUNT(*) FROM neighbourhoods_address").fetchone())
        return written

    monkeypatch.setattr(addresses._Staging, "upsert", upsert_then_look_from_elsewhere)
    out, _ = run(write(tmp_path / "bag.csv", ROWS))
    assert "4 rows: 3 created, 1 updated" in out
    assert seen == [(0,)]  # not blocked; the test's own transaction is not committed


def test_repeated_addresses_are_found_across_batches_and_files(buurten, tmp_path, monkeypatch):
    """Only the first row of each address is kept, whichever batch or file repeats it."""
    monkeypatch.setattr(addresses, "BATCH_SIZE", 2)
    first = write(
        tmp_path / "a.csv",
        [row(number="1", street="Eerste"), row(number="2"), row(number="3"), row(number="1")],
    )
    second = write(tmp_path / "b.csv", [row(number="4"), row(number="2", street="Later")])
    out, err = run(first, second)
    assert "line 5: skipped, same address as" in err
    assert f"{second}, line 3: skipped, same address as {first}, line 3, which is kept" in err
    assert "6 rows: 4 created, 0 updated, 0 unchanged, 2 skipped" in out
    assert Address.objects.get(huisnummer=1).straat == "Eerste"
    assert Address.objects.get(huisnummer=2).straat == "Teststraat"
    again, _ = run(first, second)
    assert "6 rows: 0 created, 0 updated, 4 unchanged, 2 skipped" in again


def test_a_street_of_the_longest_length_in_multibyte_letters_is_kept(buurten, tmp_path):
    """The length check counts characters, not UTF-8 bytes: 100 letters é are 200 bytes."""
    longest = "é" * 100
    good = [row(number=str(n)) for n in range(1, 50)]
    out, err = run(write(tmp_path / "bag.csv", [*good, row(number="99", street=longest)]))
    assert "50 rows: 50 created, 0 updated, 0 unchanged, 0 skipped" in out
    assert err == ""
    assert Address.objects.get(huisnummer=99).straat == longest
