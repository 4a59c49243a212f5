"""BAG address imports: read the CSVs, check each row, locate its buurt, and upsert everything in
one transaction through a staging table and set-based SQL.

An import takes one file or several (the provinces of a national load, say) and treats them as one
register: a row repeats an address when any earlier row of any of the files has it. Rows are
numbered across the files in order (a "position": the file's offset plus its line number), so one
integer says where each row came from.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from django.db import connection, transaction
from psycopg.copy import QueuedLibpqWriter

from ..models import Address, Dataset
from ..parsing import MAX_HOUSE_NUMBER, normalise_postcode
from ..spatial import BuurtIndex, CellLocator
from ..streets import register_changed
from .boundaries import INDEX_BUILD_MEM, NL_BOUNDS
from .files import ImportFileError, open_import_file
from .summary import LISTED_SKIPPED_ROWS, ImportProgress, RowImportSummary, SkippedRow

HEADER = (
    "straat",
    "huisnummer",
    "huisletter",
    "huisnummertoevoeging",
    "postcode",
    "woonplaats",
    "gemeente",
    "provincie",
    "lat",
    "lon",
)
BATCH_SIZE = 50_000
DEFAULT_MAX_BAD_SHARE = 0.01
STAGING_TABLE = "wp_address_import_staging"
DUPLICATES_TABLE = "wp_address_import_duplicates"
KEY_COLUMNS = ("postcode", "huisnummer", "huisletter", "huisnummertoevoeging")
VALUE_COLUMNS = ("straat", "woonplaats", "lat", "lon", "buurt_id")
STAGED_COLUMNS = ("line", *KEY_COLUMNS, *VALUE_COLUMNS)
HOUSE_LETTER_RE = re.compile(r"^[A-Z]?$")
ADDITION_RE = re.compile(r"^[A-Z0-9]{0,4}$")
# Control characters other than tab: a NUL byte in particular, which PostgreSQL refuses in text.
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_STREET = Address._meta.get_field("straat").max_length or 100
MAX_PLACE = Address._meta.get_field("woonplaats").max_length or 80
DUPLICATE = "repeated address"

# One checked row: position, postcode, number, letter, addition, street, place, lat, lon.
Row = tuple[int, str, int, str, str, str, str, float, float]


class AddressFileError(ImportFileError):
    """A file that cannot be imported at all; nothing was written."""


class TooManyBadRows(AddressFileError):
    """More rows were bad than the allowed share; the whole import was rolled back."""

    def __init__(self, message: str, summary: AddressImportSummary) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass
class AddressImportSummary(RowImportSummary):
    """What an import did. `skipped` = bad rows + repeated addresses; `outside` = rows written
    without a buurt because no buurt of the active dataset covers them."""

    bad: int = 0
    duplicates: int = 0
    # The files in import order, and the position of each one's line 0.
    paths: list[Path] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)

    def start_file(self, path: Path, offset: int) -> None:
        self.paths.append(path)
        self.offsets.append(offset)

    def describe(self, position: int) -> str:
        """Where a position is: "line N", or "FILE, line N" when the import read several."""
        number = bisect.bisect_right(self.offsets, position - 1) - 1
        path = self.paths[number] if len(self.paths) > 1 else None
        return SkippedRow(position - self.offsets[number], "", path).where

    def skip(self, position: int, kind: str, reason: str) -> None:
        if kind == DUPLICATE:
            self.duplicates += 1
        else:
            self.bad += 1
        self.skipped_by_kind[kind] += 1
        if len(self.skipped_rows) < LISTED_SKIPPED_ROWS:
            number = bisect.bisect_right(self.offsets, position - 1) - 1
            path = self.paths[number] if len(self.paths) > 1 else None
            self.skipped_rows.append(SkippedRow(position - self.offsets[number], reason, path))


ProgressCallback = Callable[[ImportProgress], None]


def import_addresses(
    *,
    paths: Sequence[Path],
    dry_run: bool = False,
    max_bad_share: float = DEFAULT_MAX_BAD_SHARE,
    batch_size: int | None = None,
    progress: ProgressCallback | None = None,
) -> AddressImportSummary:
    """Import BAG address CSVs in one transaction: all of them, or (on an error, too many bad rows
    or an interrupt) nothing. A dry run does the same work and rolls back."""
    sizes = _file_sizes(paths)
    summary = AddressImportSummary(dry_run=dry_run)
    started = time.monotonic()

    def report(phase: str, fraction: float) -> None:
        if progress is not None:
            progress(ImportProgress(phase, summary.rows, time.monotonic() - started, fraction))

    active = Dataset.objects.active()
    locator = BuurtIndex.for_dataset(active.pk).cell_locator() if active is not None else None
    with transaction.atomic(), connection.cursor() as cursor:
        staging = _Staging(cursor)
        # Nothing else may use the connection while its COPY is open.
        with staging.loading():
            _read_files(paths, sizes, staging, locator, summary, batch_size or BATCH_SIZE, report)
        _check_bad_share(paths, summary, max_bad_share)
        report("writing", 1.0)
        staging.drop_duplicates(summary)
        summary.outside = staging.outside()
        summary.created, summary.updated = staging.upsert()
        staging.drop()
        summary.unchanged = summary.rows - summary.skipped - summary.created - summary.updated
        if dry_run:
            transaction.set_rollback(True)
        elif summary.created or summary.updated:
            # Street search keeps lists of streets; renamed and new streets count from the commit.
            transaction.on_commit(register_changed)
    return summary


def _read_files(
    paths: Sequence[Path],
    sizes: list[int],
    staging: _Staging,
    locator: CellLocator | None,
    summary: AddressImportSummary,
    batch_size: int,
    report: Callable[[str, float], None],
) -> None:
    """Check every row of the files, locate it and stage it, batch by batch."""
    offset = read = 0
    for path, size in zip(paths, sizes, strict=True):
        summary.start_file(path, offset)
        with open_import_file(path, AddressFileError) as (stream, fraction):
            _check_header(path, stream.readline())
            last = 1
            for first, lines in _batches(stream, batch_size):
                last = first + len(lines) - 1
                rows = _check_rows(offset + first, lines, summary)
                if rows:
                    staging.write(rows, _locate(locator, rows))
                report("reading", (read + size * (fraction() or 0)) / sum(sizes))
        offset += last
        read += size


def _file_sizes(paths: Sequence[Path]) -> list[int]:
    """Each file's size, before anything is read: a missing third file stops the import at once."""
    if not paths:
        raise AddressFileError("No file to import.")
    seen: set[Path] = set()
    sizes = []
    for path in paths:
        if path.resolve() in seen:
            raise AddressFileError(f"{path} is given more than once.")
        seen.add(path.resolve())
        try:
            sizes.append(path.stat().st_size)
        except FileNotFoundError as error:
            raise AddressFileError(f"{path}: no such file.") from error
        except OSError as error:
            raise AddressFileError(f"{path}: cannot be read ({error.strerror}).") from error
    return sizes


def _check_header(path: Path, first_line: bytes) -> None:
    text = first_line.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    if tuple(text.split(";")) != HEADER:
        raise AddressFileError(
            f"{path} does not start with the BAG address header {';'.join(HEADER)!r} "
            f"(found {text[:120]!r}). Is it a semicolon-separated BAG address CSV?"
        )


def _check_bad_share(
    paths: Sequence[Path], summary: AddressImportSummary, max_bad_share: float
) -> None:
    if summary.rows and summary.bad > max_bad_share * summary.rows:
        where = ", ".join(map(str, paths))
        raise TooManyBadRows(
            f"{where}: {summary.bad} of {summary.rows} rows are bad "
            f"({summary.bad / summary.rows:.2%}), more than the allowed {max_bad_share:.2%}. "
            f"Nothing was written. Fix the file, or allow more with --max-bad-share.",
            summary,
        )


def _batches(stream: IO[bytes], batch_size: int) -> Iterator[tuple[int, list[bytes]]]:
    """(line number of the first line, up to `batch_size` lines); line 1 is the header."""
    first = 2
    lines: list[bytes] = []
    for line in stream:
        lines.append(line)
        if len(lines) == batch_size:
            yield first, lines
            first += batch_size
            lines = []
    if lines:
        yield first, lines


def _check_rows(first: int, lines: list[bytes], summary: AddressImportSummary) -> list[Row]:
    """Check each row; skip and report the bad ones with their line number and reason."""
    west, south, east, north = NL_BOUNDS
    skip = summary.skip
    rows: list[Row] = []
    for position, line in enumerate(lines, start=first):
        try:
            text = line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            summary.rows += 1
            skip(position, "bad encoding", "not UTF-8 text")
            continue
        if not text:
            continue
        summary.rows += 1
        if CONTROL_CHARACTERS_RE.search(text):
            skip(position, "bad encoding", "control characters (such as a NUL byte) in the text")
            continue
        fields = text.split(";") if '"' not in text else next(csv.reader([text], delimiter=";"))
        if len(fields) != len(HEADER):
            skip(position, "wrong column count", f"{len(fields)} columns instead of {len(HEADER)}")
            continue
        straat, number, letter, addition, postcode, place, _gemeente, _provincie, lat, lon = fields
        if not postcode.strip():
            skip(position, "missing postcode", "no postcode")
            continue
        try:
            postcode = normalise_postcode(postcode)
        except ValueError:
            skip(position, "malformed postcode", f"malformed postcode {postcode.strip().upper()!r}")
            continue
        if not (
            number.isascii()
            and number.isdigit()
            # Short before int(): Python refuses to convert thousands of digits.
            and len(number) <= len(str(MAX_HOUSE_NUMBER))
            and 0 < int(number) <= MAX_HOUSE_NUMBER
        ):
            skip(
                position,
                "bad house number",
                f"house number {number!r} is not a number from 1 to {MAX_HOUSE_NUMBER}",
            )
            continue
        letter, addition = letter.strip().upper(), addition.strip().upper()
        if not HOUSE_LETTER_RE.match(letter):
            skip(position, "bad house letter", f"house letter {letter!r} is not one letter")
            continue
        if not ADDITION_RE.match(addition):
            skip(
                position,
                "bad addition",
                f"house number addition {addition!r} is not 1-4 letters or digits",
            )
            continue
        if not straat or len(straat) > MAX_STREET or not place or len(place) > MAX_PLACE:
            skip(position, "bad street or place", "street or place missing or too long")
            continue
        try:
            lat_value, lon_value = float(lat), float(lon)
        except ValueError:
            skip(position, "bad coordinates", f"coordinates {lat!r}, {lon!r} are not numbers")
            continue
        if not (south <= lat_value <= north and west <= lon_value <= east):
            skip(
                position,
                "outside the Netherlands",
                f"coordinates {lat}, {lon} lie outside the Netherlands",
            )
            continue
        rows.append(
            (position, postcode, int(number), letter, addition, straat, place, lat_value, lon_value)
        )
    return rows


def _locate(locator: CellLocator | None, rows: list[Row]) -> list[int | None]:
    """Each row's buurt id in the active dataset, None where no buurt covers it."""
    if locator is None:
        return [None] * len(rows)
    lats = np.fromiter((row[7] for row in rows), dtype=np.float64, count=len(rows))
    lons = np.fromiter((row[8] for row in rows), dtype=np.float64, count=len(rows))
    return [
        None if buurt_id < 0 else buurt_id for buurt_id in locator.locate_many(lons, lats).tolist()
    ]


class _Staging:
    """Where the checked rows go, and the set-based SQL that turns them into addresses.

    Usually a temporary staging table, from which one UPDATE and one INSERT write the changed
    and the new addresses. Into an empty register on PostgreSQL the rows go straight into the
    address table instead, locked for the import, without its secondary indexes and unique
    constraint, which are built afterwards from their own definitions: writing the rows once and
    building each index by sorting is what keeps a first load within its time floor.
    """

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"
        self.table = connection.ops.quote_name(Address._meta.db_table)
        self.copy: Any = None
        self.dropped: tuple[list[tuple[str, str]], list[tuple[str, str]]] | None = None
        if self.postgres:
            # The duplicate search and the joins hash or sort every staged row; SET LOCAL ends
            # with this transaction.
            cursor.execute("SET LOCAL work_mem = '128MB'")
            # A server crash just after the commit may lose the import as a whole, never half
            # of it, and running the command again redoes it.
            cursor.execute("SET LOCAL synchronous_commit = off")
        self.drop()
        self.direct = self.postgres and self._lock_if_empty()
        # Rows are numbered by their position: the staging table's line, or the address id.
        self.target, self.line = (self.table, "id") if self.direct else (STAGING_TABLE, "line")
        if self.direct:
            self._drop_indexes()
            return
        # The key codes in the address table's collation (byte order on PostgreSQL), so that
        # the joins on them can use its unique index.
        code = ' COLLATE "C"' if self.postgres else ""
        # On SQLite the line is the rowid, which makes the rows of repeated lines cheap to find.
        line = "bigint" if self.postgres else "integer PRIMARY KEY"
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING_TABLE} (line {line}, postcode varchar(6){code}, "
            f"huisnummer integer, huisletter varchar(1){code}, "
            f"huisnummertoevoeging varchar(4){code}, straat varchar(100), woonplaats varchar(80), "
            "lat double precision, lon double precision, buurt_id bigint)"
        )

    def _lock_if_empty(self) -> bool:
        """Whether the register is empty; if so, it is locked until the import ends (lookups
        could not answer from it anyway)."""
        empty = f"SELECT NOT EXISTS (SELECT 1 FROM {self.table})"  # noqa: S608
        self.cursor.execute(empty)
        if not self.cursor.fetchone()[0]:
            return False
        self.cursor.execute(f"LOCK TABLE {self.table} IN ACCESS EXCLUSIVE MODE")
        # Someone may have written addresses between the look and the lock.
        self.cursor.execute(empty)
        return bool(self.cursor.fetchone()[0])

    @contextlib.contextmanager
    def loading(self) -> Iterator[None]:
        """While the files are read: on PostgreSQL one COPY takes every row, sent by a thread of
        its own, so that the server stores a batch while the next one is checked."""
        if not self.postgres:
            yield
            return
        raw = self.cursor.cursor
        columns = ", ".join((self.line, *STAGED_COLUMNS[1:]))
        # COPY, because one statement per row would cost more than reading the file.
        sql = f"COPY {self.target} ({columns}) FROM STDIN"
        with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as self.copy:
            yield

    def write(self, rows: list[Row], buurt_ids: list[int | None]) -> None:
        if self.postgres:
            for row, buurt_id in zip(rows, buurt_ids, strict=True):
                self.copy.write_row((*row, buurt_id))
            return
        placeholders = ", ".join(["%s"] * len(STAGED_COLUMNS))
        self.cursor.executemany(
            f"INSERT INTO {STAGING_TABLE} VALUES ({placeholders})",  # noqa: S608
            [(*row, buurt_id) for row, buurt_id in zip(rows, buurt_ids, strict=True)],
        )

    def drop_duplicates(self, summary: AddressImportSummary) -> None:
        """Keep the first row of each address; report and drop the later ones."""
        if self.postgres:
            # A table written in this transaction has no statistics yet; without them the
            # joins below are planned for a handful of rows.
            self.cursor.execute(f"ANALYZE {self.target}")
        keys = ", ".join(KEY_COLUMNS)
        self.cursor.execute(
            f"CREATE TEMPORARY TABLE {DUPLICATES_TABLE} AS "  # noqa: S608
            f"SELECT line, first_line FROM (SELECT {self.line} AS line, MIN({self.line}) "
            f"OVER (PARTITION BY {keys}) AS first_line FROM {self.target}) AS ranked "
            "WHERE line <> first_line"
        )
        self.cursor.execute(
            f"SELECT line, first_line FROM {DUPLICATES_TABLE} ORDER BY line LIMIT %s",  # noqa: S608
            [LISTED_SKIPPED_ROWS],
        )
        listed = self.cursor.fetchall()
        self.cursor.execute(f"SELECT COUNT(*) FROM {DUPLICATES_TABLE}")  # noqa: S608
        (total,) = self.cursor.fetchone()
        if not total:
            return
        for duplicate, first_line in listed:
            kept = summary.describe(first_line)
            summary.skip(duplicate, DUPLICATE, f"same address as {kept}, which is kept")
        summary.duplicates += total - len(listed)
        summary.skipped_by_kind[DUPLICATE] += total - len(listed)
        self.cursor.execute(
            f"DELETE FROM {self.target} WHERE {self.line} IN "  # noqa: S608
            f"(SELECT line FROM {DUPLICATES_TABLE})"
        )

    def outside(self) -> int:
        self.cursor.execute(f"SELECT COUNT(*) FROM {self.target} WHERE buurt_id IS NULL")  # noqa: S608
        return int(self.cursor.fetchone()[0])

    def upsert(self) -> tuple[int, int]:
        """Write the changed and the new addresses; returns (created, updated).

        Other writers wait for the end of the import (lookups do not), so no address can
        appear between the UPDATE and the INSERT.
        """
        if self.direct:
            return self._finish_direct_load(), 0
        keys = ", ".join(f"s.{column}" for column in KEY_COLUMNS)
        columns = (*KEY_COLUMNS, *VALUE_COLUMNS)
        match = " AND ".join(f"a.{column} = s.{column}" for column in KEY_COLUMNS)
        distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        differs = " OR ".join(f"a.{column} {distinct} s.{column}" for column in VALUE_COLUMNS)
        assignments = ", ".join(f"{column} = s.{column}" for column in VALUE_COLUMNS)
        if self.postgres:
            self.cursor.execute(f"LOCK TABLE {self.table} IN SHARE ROW EXCLUSIVE MODE")
        self.cursor.execute(
            f"UPDATE {self.table} AS a SET {assignments} FROM {STAGING_TABLE} AS s "  # noqa: S608
            f"WHERE {match} AND ({differs})"
        )
        updated = self.cursor.rowcount
        # In key order, so that the unique index grows in place instead of at random.
        self.cursor.execute(
            f"INSERT INTO {self.table} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join('s.' + c for c in columns)} FROM {STAGING_TABLE} AS s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {self.table} AS a WHERE {match}) ORDER BY {keys}"
        )
        return self.cursor.rowcount, updated

    def _drop_indexes(self) -> None:
        """Drop the address table's unique constraints and secondary indexes, keeping their
        definitions; the primary key stays, as it grows at its right edge."""
        quote = connection.ops.quote_name
        self.cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u' ORDER BY conname",
            [Address._meta.db_table],
        )
        constraints = self.cursor.fetchall()
        self.cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
            "AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
            [Address._meta.db_table],
        )
        indexes = self.cursor.fetchall()
        for name, _definition in constraints:
            self.cursor.execute(f"ALTER TABLE {self.table} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            self.cursor.execute(f"DROP INDEX {quote(name)}")
        self.dropped = (constraints, indexes)

    def _finish_direct_load(self) -> int:
        """Build the dropped indexes and constraints again; returns the addresses written."""
        assert self.dropped is not None
        constraints, indexes = self.dropped
        quote = connection.ops.quote_name
        # Sort memory for the builds (this transaction only).
        self.cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEM}'")
        for _name, definition in indexes:
            self.cursor.execute(definition)
        for name, definition in constraints:
            self.cursor.execute(
                f"ALTER TABLE {self.table} ADD CONSTRAINT {quote(name)} {definition}"
            )
        # Ids were the rows' positions, not drawn: the sequence goes on after the highest.
        self.cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)), COUNT(*) "  # noqa: S608
            f"FROM {self.table}",
            [Address._meta.db_table],
        )
        return int(self.cursor.fetchone()[1])

    def drop(self) -> None:
        for table in (STAGING_TABLE, DUPLICATES_TABLE):
            self.cursor.execute(f"DROP TABLE IF EXISTS {table}")
