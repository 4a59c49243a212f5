"""Benchmark of the BAG address import on PostgreSQL and SQLite (a benchmark, not a test).

Imports the four provinces in SHARED_DATA_DIR/bag (1.2 million real addresses) against a synthetic
boundary set: Voronoi cells around every 400th address, codes BU99xxxxxx, clearly not CBS. Each
step runs in its own process so that its peak memory (ru_maxrss) is its own. It measures two ways
of loading the same files: all four in one import (into the empty register, then the
unchanged re-import of all four), and, after emptying the register, file after file (the first
file into the empty register, the others upserts into a register that already holds addresses), again
followed by an unchanged re-import file after file. Prints addresses/s, importer CPU and peak
memory, the time to activate a second boundary set (re-assigning every address) and, on
PostgreSQL, three floors measured in the same run: the ratio to a plain COPY of the same files into
a bare text table; a plain COPY of the stored rows into a table with the address table's indexes
(what any importer that keeps those indexes row by row must at least spend); and the stored rows
COPYed in binary into a table without indexes, which are then built (the server's work that no
importer can leave out: the highest ratio to the plain COPY that any importer can reach here).

    .venv/bin/python -m bench.import_addresses [--databases postgresql sqlite] [--pg-url URL]
    .venv/bin/python -m bench.import_addresses --floors [--pg-url URL]

`--floors` measures only what the import floors name, on PostgreSQL: one import of the four files
into the empty register three times (the median counts), then two activations.

It uses its own databases (PostgreSQL `wp_bench_imports`, a SQLite file in a temporary folder),
never the development database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROVINCES = ("Groningen", "Friesland", "Drenthe", "Flevoland")
ADDRESSES_PER_CELL = 400
# Sort memory for the index builds of the bulk floor.
INDEX_BUILD_MEM = "256MB"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/wp_bench_imports"


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkportaal.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time of this process (not of the database server): what the load of others cannot inflate."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _bag_files(data_dir: Path) -> list[Path]:
    provinces = os.environ.get("BENCH_PROVINCES", ",".join(PROVINCES)).split(",")
    return [data_dir / f"{province}.csv.zst" for province in provinces]


# --- steps, each run in a child process -------------------------------------------------------


def step_prepare(database_url: str, data_dir: Path) -> dict[str, Any]:
    """Empty schema, then two synthetic boundary sets: `bench-a` active, `bench-b` staged."""
    _django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    sample_a, sample_b = _sample_points(_bag_files(data_dir))
    cells = {}
    for name, sample in (("bench-a", sample_a), ("bench-b", sample_b)):
        cells[name] = _import_voronoi(name, sample, activate=name == "bench-a")
    return {"cells": cells, "seconds": time.monotonic() - started}


def _sample_points(files: list[Path]) -> tuple[Any, Any]:
    """Every 400th address (and, for the second set, every 400th starting halfway), streamed."""
    import numpy as np

    from neighbourhoods.importing.files import open_import_file

    a, b = [], []
    for path in files:
        with open_import_file(path) as (stream, _fraction):
            next(stream)
            for number, line in enumerate(stream):
                phase = number % ADDRESSES_PER_CELL
                if phase in (0, ADDRESSES_PER_CELL // 2):
                    fields = line.decode("utf-8").rstrip("\n").split(";")
                    (a if phase == 0 else b).append((float(fields[9]), float(fields[8])))
    return np.array(a), np.array(b)


def _import_voronoi(name: str, points: Any, *, activate: bool) -> int:
    import numpy as np
    import shapely

    from neighbourhoods.importing.boundaries import BoundaryFeature, import_boundaries

    # Drop repeated points (flats share a location); a Voronoi diagram needs distinct sites.
    sites = shapely.points(np.unique(points, axis=0))
    envelope = shapely.box(*shapely.MultiPoint(sites).bounds).buffer(0.05, join_style="mitre")
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.MultiPoint(sites), extend_to=envelope)
    )
    cells = shapely.intersection(cells, envelope)
    features = [
        BoundaryFeature(
            level="BU",
            code=f"BU99{number:06d}",
            name=f"Synthetische cel {number}",
            geometry=shapely.normalize(cell),
            wijk_name=f"Synthetische wijk {number // 100}",
            gemeente_name="Synthetische gemeente",
        )
        for number, cell in enumerate(cells)
        if not cell.is_empty
    ]
    import_boundaries(features=features, dataset_name=name, source="benchmark", activate=activate)
    return len(features)


def step_import(database_url: str, paths: str) -> dict[str, Any]:
    """One import of the given files (separated by os.pathsep)."""
    _django(database_url)
    from neighbourhoods.importing.addresses import import_addresses

    files = [Path(path) for path in paths.split(os.pathsep)]
    cpu_before = _cpu_seconds()
    started = time.monotonic()
    summary = import_addresses(paths=files)
    seconds = time.monotonic() - started
    return {
        "file": files[0].name if len(files) == 1 else f"all {len(files)} as one",
        "rows": summary.rows,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "skipped": summary.skipped,
        "outside": summary.outside,
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu_before,
        "load": os.getloadavg()[0],
        "peak_rss_mb": _peak_rss_mb(),
    }


def step_empty(database_url: str, _argument: str) -> dict[str, Any]:
    """Empty the address register (the boundary sets stay) for the next load into an empty register."""
    _django(database_url)
    from django.db import connection

    from neighbourhoods.models import Address

    deleted = Address.objects.count()
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Address._meta.db_table)
        empty = "DELETE FROM" if connection.vendor == "sqlite" else "TRUNCATE"
        cursor.execute(f"{empty} {table}")
    return {"deleted": deleted}


def step_activate(database_url: str, name: str) -> dict[str, Any]:
    _django(database_url)
    from neighbourhoods.importing.boundaries import activate_dataset
    from neighbourhoods.models import Dataset

    cpu_before = _cpu_seconds()
    started = time.monotonic()
    assigned, outside = activate_dataset(Dataset.objects.get(name=name))
    return {
        "assigned": assigned,
        "outside": outside,
        "seconds": time.monotonic() - started,
        "cpu_seconds": _cpu_seconds() - cpu_before,
        "load": os.getloadavg()[0],
        "peak_rss_mb": _peak_rss_mb(),
    }


def step_plain_copy(database_url: str, data_dir: Path) -> dict[str, Any]:
    """The floor: the same decompressed bytes COPYed into a bare table of text columns."""
    import psycopg
    import zstandard

    columns = ", ".join(f"c{i} text" for i in range(10))
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        cursor = conn.cursor()
        cursor.execute(f"CREATE TEMPORARY TABLE bench_plain_copy ({columns})")
        started = time.monotonic()
        for path in _bag_files(data_dir):
            with path.open("rb") as raw:
                reader = zstandard.ZstdDecompressor().stream_reader(raw)
                sql = "COPY bench_plain_copy FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)"
                with cursor.copy(sql) as copy:
                    while chunk := reader.read(1 << 20):
                        copy.write(chunk)
        seconds = time.monotonic() - started
        cursor.execute("SELECT COUNT(*) FROM bench_plain_copy")
        rows = cursor.fetchone()[0]
    return {"rows": rows, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def step_indexed_copy(database_url: str, created: str) -> dict[str, Any]:
    """The floor for any importer that keeps the address table's indexes: the rows the import
    stored (clean, without duplicates, in key order), file by file as the import wrote them,
    COPYed into a new table with the address table's columns, indexes and constraints. Only the
    COPY into that table is timed."""
    import psycopg

    columns = (
        "postcode, huisnummer, huisletter, huisnummertoevoeging, straat, woonplaats, lat, lon, "
        "buurt_id"
    )
    counts = [int(count) for count in created.split(",")]
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        cursor = conn.cursor()
        cursor.execute(
            "CREATE TABLE bench_indexed_copy (LIKE neighbourhoods_address INCLUDING DEFAULTS "
            "INCLUDING IDENTITY INCLUDING INDEXES INCLUDING CONSTRAINTS)"
        )
        seconds = 0.0
        first = 0
        for count in counts:
            # The import gave each file's new rows consecutive ids.
            select = (
                f"SELECT {columns} FROM (SELECT *, row_number() OVER (ORDER BY id) AS n "  # noqa: S608
                f"FROM neighbourhoods_address) a WHERE n > {first} AND n <= {first + count} "
                "ORDER BY postcode, huisnummer, huisletter, huisnummertoevoeging"
            )
            data = bytearray()
            with cursor.copy(f"COPY ({select}) TO STDOUT") as copy:
                for chunk in copy:
                    data += chunk
            started = time.monotonic()
            with cursor.copy(f"COPY bench_indexed_copy ({columns}) FROM STDIN") as copy:
                copy.write(data)
            seconds += time.monotonic() - started
            first += count
        cursor.execute("SELECT COUNT(*) FROM bench_indexed_copy")
        rows = cursor.fetchone()[0]
        conn.rollback()
    return {"rows": rows, "seconds": seconds, "load": os.getloadavg()[0]}


def step_bulk_floor(database_url: str, _argument: str) -> dict[str, Any]:
    """The floor for any importer that ends with the indexed register: the rows the import
    stored, already in PostgreSQL's binary COPY format (no reading, checking, buurt lookup or
    text to parse), COPYed in one go into a new table with the address table's columns and
    checks but no index, then all its indexes and unique constraints built from their own
    definitions. The COPY and the builds are timed: only the
    server's work that no importer can leave out, so its ratio to the plain COPY is the most any
    importer can reach on this machine."""
    _django(database_url)
    import psycopg

    from neighbourhoods.models import Address

    source = Address._meta.db_table
    columns = ", ".join(field.column for field in Address._meta.concrete_fields)
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        cursor = conn.cursor()
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid), k.conname, "
            "pg_get_constraintdef(k.oid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass ORDER BY i.indisprimary DESC, c.relname",
            [source],
        )
        indexes = cursor.fetchall()
        data = bytearray()
        select = f"SELECT {columns} FROM {source} ORDER BY id"  # noqa: S608
        with cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT binary)") as copy:
            for chunk in copy:
                data += chunk
        cursor.execute(
            f"CREATE TABLE bench_bulk_floor (LIKE {source} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING CONSTRAINTS)"
        )
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEM}'")
        started = time.monotonic()
        with cursor.copy(f"COPY bench_bulk_floor ({columns}) FROM STDIN (FORMAT binary)") as copy:
            copy.write(data)
        copied = time.monotonic() - started
        for index, definition, constraint, constraint_definition in indexes:
            if constraint:
                cursor.execute(
                    f"ALTER TABLE bench_bulk_floor ADD CONSTRAINT bench_{constraint} "
                    f"{constraint_definition}"
                )
            else:
                on = f" ON public.{source} USING "
                cursor.execute(
                    definition.replace(f" {index} ", f" bench_{index} ").replace(
                        on, " ON bench_bulk_floor USING "
                    )
                )
        seconds = time.monotonic() - started
        cursor.execute("SELECT COUNT(*) FROM bench_bulk_floor")
        rows = cursor.fetchone()[0]
        conn.rollback()
    return {
        "rows": rows,
        "seconds": seconds,
        "copy_seconds": copied,
        "indexes": len(indexes),
        "load": os.getloadavg()[0],
    }


STEPS = {
    "prepare": step_prepare,
    "import": step_import,
    "empty": step_empty,
    "activate": step_activate,
    "plain-copy": step_plain_copy,
    "indexed-copy": step_indexed_copy,
    "bulk-floor": step_bulk_floor,
}


# --- the driver ---------------------------------------------------------------------------------


def _child(step: str, database_url: str, argument: str) -> dict[str, Any]:
    result = subprocess.run(
        # As a module, not as a script: a script's folder goes first on sys.path, and
        # bench/http.py would then hide the standard library's http package.
        [sys.executable, "-m", "bench.import_addresses", "--step", step, database_url, argument],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _reset_postgres(database_url: str) -> None:
    import psycopg

    url = database_url.replace("postgres://", "postgresql://", 1)
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def run_database(vendor: str, database_url: str, data_dir: Path) -> dict[str, Any]:
    files = _bag_files(data_dir)
    prepared = _child("prepare", database_url, str(data_dir))
    together = os.pathsep.join(map(str, files))
    one = _child("import", database_url, together)
    one_again = _child("import", database_url, together)
    _child("empty", database_url, "-")
    first = [_child("import", database_url, str(path)) for path in files]
    again = [_child("import", database_url, str(path)) for path in files]
    activation = _child("activate", database_url, "bench-b")
    result = {
        "vendor": vendor,
        "cells": prepared["cells"],
        "one": [one],
        "one_again": [one_again],
        "first": first,
        "again": again,
        "activation": activation,
    }
    if vendor == "postgresql":
        result["plain_copy"] = _child("plain-copy", database_url, str(data_dir))
        created = ",".join(str(item["created"]) for item in first)
        result["indexed_copy"] = _child("indexed-copy", database_url, created)
        result["bulk_floor"] = _child("bulk-floor", database_url, "-")
    return result


def run_floors(database_url: str, data_dir: Path) -> list[str]:
    """One import of all the files into the empty register, three times, and two activations."""
    import statistics

    _child("prepare", database_url, str(data_dir))
    together = os.pathsep.join(map(str, _bag_files(data_dir)))
    lines, rates = ["== postgresql: floors"], []
    for _run in range(3):
        _child("empty", database_url, "-")
        item = _child("import", database_url, together)
        rates.append(item["rows"] / item["seconds"])
        lines.append(
            f"  one import {item['rows']:,} rows {item['seconds']:6.1f} s {rates[-1]:>9,.0f} "
            f"rows/s  peak {item['peak_rss_mb']:4.0f} MB  cpu {item['cpu_seconds']:4.1f} s  "
            f"load {item['load']:4.1f}"
        )
    lines.append(f"  median of {len(rates)}: {statistics.median(rates):,.0f} rows/s")
    for name in ("bench-b", "bench-a"):
        item = _child("activate", database_url, name)
        lines.append(
            f"  activation of {name}: {item['assigned'] + item['outside']:,} addresses in "
            f"{item['seconds']:.1f} s  peak {item['peak_rss_mb']:.0f} MB  load {item['load']:.1f}"
        )
    return lines


def _total(imports: list[dict[str, Any]], key: str) -> float:
    return sum(item[key] for item in imports)


def report(result: dict[str, Any]) -> list[str]:
    vendor = result["vendor"]
    lines = [f"== {vendor}: {result['cells']['bench-a']} synthetic cells (bench-a)"]
    for label, imports in (
        ("one import", result["one"]),
        ("re-import", result["one_again"]),
        ("file by file", result["first"]),
        ("re-import", result["again"]),
    ):
        for item in imports:
            lines.append(
                f"  {label:12} {item['file']:20} {item['rows']:>9,} rows {item['seconds']:7.1f} s "
                f"{item['rows'] / item['seconds']:>9,.0f} rows/s  peak {item['peak_rss_mb']:5.0f} MB  "
                f"cpu {item['cpu_seconds']:5.1f} s  load {item['load']:4.1f}  "
                f"created {item['created']:,} updated {item['updated']:,} "
                f"unchanged {item['unchanged']:,} skipped {item['skipped']:,} "
                f"outside {item['outside']:,}"
            )
        if len(imports) == 1:
            continue
        rows, seconds = _total(imports, "rows"), _total(imports, "seconds")
        peak = max(item["peak_rss_mb"] for item in imports)
        changes = _total(imports, "created") + _total(imports, "updated")
        cpu = _total(imports, "cpu_seconds")
        lines.append(
            f"  {label:12} {'all, one after another':22} {rows:>7,.0f} rows {seconds:7.1f} s "
            f"{rows / seconds:>9,.0f} rows/s  peak {peak:5.0f} MB  cpu {cpu:5.1f} s  "
            f"changes {changes:,.0f}"
        )
    activation = result["activation"]
    lines.append(
        f"  activation of bench-b: {activation['assigned'] + activation['outside']:,} addresses "
        f"re-assigned in {activation['seconds']:.1f} s (cpu {activation['cpu_seconds']:.1f} s, "
        f"load {activation['load']:.1f}), peak {activation['peak_rss_mb']:.0f} MB"
    )
    if "plain_copy" in result:
        plain = result["plain_copy"]
        plain_rate = plain["rows"] / plain["seconds"]
        one = _total(result["one"], "rows") / _total(result["one"], "seconds")
        by_file = _total(result["first"], "rows") / _total(result["first"], "seconds")
        lines.append(
            f"  plain COPY of the same files into a bare text table: {plain['rows']:,} rows in "
            f"{plain['seconds']:.1f} s = {plain_rate:,.0f} rows/s; import / plain COPY = "
            f"{one / plain_rate:.2f} (one import), {by_file / plain_rate:.2f} (file by file)"
        )
    if "indexed_copy" in result:
        floor = result["indexed_copy"]
        lines.append(
            f"  plain COPY of the stored rows, file by file, into a table with the address table's "
            f"indexes: {floor['rows']:,} rows in {floor['seconds']:.1f} s = "
            f"{floor['rows'] / floor['seconds']:,.0f} rows/s (load {floor['load']:.1f})"
        )
    if "bulk_floor" in result and "plain_copy" in result:
        floor = result["bulk_floor"]
        rate = floor["rows"] / floor["seconds"]
        lines.append(
            f"  the stored rows in binary COPY format, one COPY into a table without indexes, then "
            f"its {floor['indexes']} indexes built (the server's work alone): "
            f"{floor['rows']:,} rows in {floor['seconds']:.1f} s (COPY {floor['copy_seconds']:.1f} "
            f"s) = {rate:,.0f} rows/s = {rate / plain_rate:.2f} of the plain COPY, the most any "
            f"importer that keeps these indexes can reach here (load {floor['load']:.1f})"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["postgresql", "sqlite"])
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data")) / "bag",
    )
    parser.add_argument("--floors", action="store_true", help="only the import floors")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("arguments", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        database_url, argument = args.arguments
        step = STEPS[args.step]
        value = Path(argument) if args.step in ("prepare", "plain-copy") else argument
        print(json.dumps(step(database_url, value)))
        return
    missing = [path for path in _bag_files(args.data_dir) if not path.exists()]
    if missing:
        sys.exit(f"BAG files not found: {', '.join(map(str, missing))}. Set SHARED_DATA_DIR.")
    print(
        f"Benchmark {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if args.floors:
        _reset_postgres(args.pg_url)
        for line in run_floors(args.pg_url, args.data_dir):
            print(line, flush=True)
        return
    with tempfile.TemporaryDirectory(prefix="wp-bench-") as folder:
        for vendor in args.databases:
            if vendor == "postgresql":
                _reset_postgres(args.pg_url)
                url = args.pg_url
            else:
                url = f"sqlite:///{folder}/bench.sqlite3"
            for line in report(run_database(vendor, url, args.data_dir)):
                print(line, flush=True)


if __name__ == "__main__":
    main()
