"""BAG address imports: stream the CSVs (plain, .gz or .zst), check each row, locate its buurt and
upsert everything in one transaction, through a staging table and set-based SQL.

An import takes one file or several (the provinces of a national load, say) and treats them as one
register: a row repeats an address when any earlier row of any of the files has it. Rows are
numbered across the files in order (a "position": the file's offset plus its line number), so one
integer says where each row came from.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import gzip
import io
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import zstandard
from django.db import connection, transaction
from psycopg.copy import QueuedLibpqWriter

from .boundaries import INDEX_BUILD_MEM, NL_BOUNDS
from .models import Address
from .parsing import MAX_HOUSE_NUMBER, POSTCODE_RE
from .spatial import active_buurt_index

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
# Skipped rows kept with their line number and reason; the rest are only counted, so memory
# stays flat however bad a very large file is.
LISTED_SKIPPED_ROWS = 1_000
STAGING_TABLE = "wp_address_import_staging"
# Memory PostgreSQL may use per hash or sort of this import's transaction.
IMPORT_WORK_MEM = "128MB"
# Memory PostgreSQL may use to sort while building an index after an initial load.
IMPORT_INDEX_MEM = INDEX_BUILD_MEM
DUPLICATES_TABLE = "wp_address_import_duplicates"
# The positions of the rows the repeat filter flagged, and every row with the address of one.
FLAGGED_TABLE = "wp_address_import_flagged"
MATCHES_TABLE = "wp_address_import_matches"
# Slots of the repeat filter (one byte each: 32 MB). With two slots per address, about 0.5 % of
# 1.2 million rows that repeat nothing are flagged as well, and about 20 % of a national
# register's 10 million; the search in the database sorts them out either way.
REPEAT_FILTER_SLOTS = 1 << 25
CHANGES_TABLE = "wp_address_import_changes"
KEY_COLUMNS = ("postcode", "huisnummer", "huisletter", "huisnummertoevoeging")
VALUE_COLUMNS = ("straat", "woonplaats", "lat", "lon", "buurt_id")
STAGED_COLUMNS = ("line", *KEY_COLUMNS, *VALUE_COLUMNS)
HOUSE_LETTER_RE = re.compile(r"^[A-Z]?$")
ADDITION_RE = re.compile(r"^[A-Z0-9]{0,4}$")
# The same checks over a whole column joined by newlines: one regular-expression pass per batch.
ALL_POSTCODES_RE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}(?:\n[1-9][0-9]{3}[A-Z]{2})*")
ALL_NUMBERS_RE = re.compile(r"[1-9][0-9]{0,4}(?:\n[1-9][0-9]{0,4})*")
ALL_LETTERS_RE = re.compile(r"[A-Z]?(?:\n[A-Z]?)*")
ALL_ADDITIONS_RE = re.compile(r"[A-Z0-9]{0,4}(?:\n[A-Z0-9]{0,4})*")
# Coordinates go on to COPY as the file has them when they hold nothing but these and Python reads
# them as numbers: then PostgreSQL reads the same numbers (float() alone would also take "1_0",
# "nan" or " 5").
DECIMAL_CHARACTERS = b"0123456789.-"
COPY_UNSAFE_RE = re.compile(r"[\\\t\r]")
# Control characters other than tab: a NUL byte in particular, which PostgreSQL refuses in text.
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Bytes that send a batch to the row-by-row check: those control characters (carriage return
# among them) and the CSV quote. None of them occurs inside a multi-byte UTF-8 character.
SUSPECT_BYTES = bytes([*range(0x09), *range(0x0B, 0x20), 0x7F, ord('"')])
# Decompressed bytes read at a time; lines are cut into batches without a Python object per line.
READ_SIZE = 1 << 22
MAX_STREET = Address._meta.get_field("straat").max_length or 100
DUPLICATE = "repeated address"
MAX_PLACE = Address._meta.get_field("woonplaats").max_length or 80


class AddressFileError(ValueError):
    """A file that cannot be imported at all; nothing was written."""


class TooManyBadRows(AddressFileError):
    """More rows were bad than the allowed share; the whole import was rolled back."""

    def __init__(self, message: str, summary: AddressImportSummary) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass(frozen=True)
class SkippedRow:
    """A skipped row: its line, and its file when the import read several."""

    line: int
    reason: str
    path: Path | None = None

    @property
    def where(self) -> str:
        return f"{self.path}, line {self.line}" if self.path is not None else f"line {self.line}"


@dataclass
class AddressImportSummary:
    """What an import did. `skipped` = bad rows + repeated addresses; `outside` = rows written
    without a buurt because no buurt of the active dataset covers them."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    duplicates: int = 0
    outside: int = 0
    dry_run: bool = False
    skipped_rows: list[SkippedRow] = field(default_factory=list)
    skipped_by_kind: Counter[str] = field(default_factory=Counter)
    # The files in import order, and the position of each one's line 0.
    paths: list[Path] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return self.bad + self.duplicates

    def start_file(self, path: Path, offset: int) -> None:
        self.paths.append(path)
        self.offsets.append(offset)

    def locate(self, position: int) -> tuple[Path | None, int]:
        """The file (None when the import read only one) and line number of a position."""
        number = bisect.bisect_right(self.offsets, position - 1) - 1
        path = self.paths[number] if len(self.paths) > 1 else None
        return path, position - self.offsets[number]

    def describe(self, position: int) -> str:
        path, line = self.locate(position)
        return SkippedRow(line, "", path).where

    def skip(self, position: int, kind: str, reason: str) -> None:
        if kind == DUPLICATE:
            self.duplicates += 1
        else:
            self.bad += 1
        self.skipped_by_kind[kind] += 1
        if len(self.skipped_rows) < LISTED_SKIPPED_ROWS:
            path, line = self.locate(position)
            self.skipped_rows.append(SkippedRow(line, reason, path))


@dataclass(frozen=True)
class ImportProgress:
    """Where a running import is: `fraction` of the (compressed) file read, or None if unknown."""

    phase: str
    rows: int
    seconds: float
    fraction: float | None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        if not self.fraction or self.fraction >= 1:
            return None
        return self.seconds * (1 - self.fraction) / self.fraction


ProgressCallback = Callable[[ImportProgress], None]


@contextlib.contextmanager
def open_address_file(path: Path) -> Iterator[tuple[IO[bytes], Callable[[], float | None]]]:
    """The file's decompressed bytes as a stream, and a function telling how much of it is read.

    Decompression streams: only a buffer's worth of the file is in memory at any time.
    """
    try:
        raw = path.open("rb")
    except FileNotFoundError as error:
        raise AddressFileError(f"{path}: no such file.") from error
    except OSError as error:
        raise AddressFileError(f"{path}: cannot be read ({error.strerror}).") from error
    size = path.stat().st_size

    def fraction() -> float | None:
        return raw.tell() / size if size else None

    with raw:
        if path.name.endswith(".zst"):
            stream: IO[bytes] = io.BufferedReader(
                zstandard.ZstdDecompressor().stream_reader(raw), buffer_size=1 << 20
            )
        elif path.name.endswith(".gz"):
            stream = gzip.GzipFile(fileobj=raw, mode="rb")
        else:
            stream = raw
        yield stream, fraction


def _read_header(path: Path, stream: IO[bytes]) -> bytes:
    with _decompression_errors(path):
        return stream.readline()


@contextlib.contextmanager
def _decompression_errors(path: Path) -> Iterator[None]:
    """Turn a damaged or mislabelled compressed file into a clear message."""
    try:
        yield
    except zstandard.ZstdError as error:
        raise AddressFileError(f"{path} is not a valid Zstandard (.zst) file: {error}.") from error
    except (gzip.BadGzipFile, EOFError) as error:
        raise AddressFileError(f"{path} is not a valid gzip (.gz) file: {error}.") from error


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
    index = active_buurt_index()
    locator = index.cell_locator() if index is not None else None
    with transaction.atomic(), connection.cursor() as cursor:
        loader = _InitialLoad.start(cursor) or _Staging(cursor)
        with loader.loading():
            offset = read = 0
            for path, size in zip(paths, sizes, strict=True):
                summary.start_file(path, offset)
                with open_address_file(path) as (stream, fraction):
                    _check_header(path, _read_header(path, stream))
                    last = 1
                    for first, block in _line_blocks(path, stream, batch_size or BATCH_SIZE):
                        last = first + _line_count(block) - 1
                        batch = _check_batch(offset + first, block, summary)
                        if len(batch):
                            located = (
                                locator.locate_many(batch.lons, batch.lats)
                                if locator is not None
                                else np.full(len(batch), -1, dtype=np.int64)
                            )
                            summary.outside += int(np.count_nonzero(located < 0))
                            loader.write(batch, located)
                        if progress is not None:
                            done = (read + size * (fraction() or 0)) / sum(sizes)
                            seconds = time.monotonic() - started
                            progress(ImportProgress("reading", summary.rows, seconds, done))
                offset += last
                read += size
        _check_bad_share(paths, summary, max_bad_share)
        if progress is not None:
            progress(ImportProgress("writing", summary.rows, time.monotonic() - started, 1.0))
        loader.finish(summary)
        summary.unchanged = summary.rows - summary.skipped - summary.created - summary.updated
        if dry_run:
            transaction.set_rollback(True)
    return summary


def _file_sizes(paths: Sequence[Path]) -> list[int]:
    """Each file's size, before anything is read: a missing third file stops the import at once."""
    if not paths:
        raise AddressFileError("No file to import.")
    seen: dict[Path, Path] = {}
    for path in paths:
        if path.resolve() in seen:
            raise AddressFileError(f"{path} is given more than once.")
        seen[path.resolve()] = path
    sizes = []
    for path in paths:
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


@dataclass
class _Batch:
    """The checked rows of one batch, column by column (STAGED_COLUMNS order, without buurt_id).

    House numbers and coordinates are kept as text for COPY (checked to be what PostgreSQL reads
    as the same numbers), and the coordinates also as numbers for the buurt lookup.
    """

    lines: Sequence[int]
    postcodes: list[str]
    numbers: list[str]
    letters: list[str]
    additions: list[str]
    streets: list[str]
    places: list[str]
    lat_texts: list[str]
    lon_texts: list[str]
    lats: np.ndarray
    lons: np.ndarray
    # No backslash, tab or carriage return in any text: fit for COPY's text format as it is.
    copy_safe: bool = True

    def __len__(self) -> int:
        return len(self.lines)


def _line_blocks(path: Path, stream: IO[bytes], batch_size: int) -> Iterator[tuple[int, bytes]]:
    """(number of the first line, `batch_size` lines as one block of bytes); line 1 is the header.

    The stream is read in large pieces and cut at every `batch_size`-th newline, found by numpy:
    no Python object per line.
    """
    first = 2
    pending = b""
    while True:
        with _decompression_errors(path):
            piece = stream.read(READ_SIZE)
        pending += piece
        if piece:
            newlines = np.flatnonzero(np.frombuffer(pending, dtype=np.uint8) == ord("\n"))
            ends = (newlines[batch_size - 1 :: batch_size] + 1).tolist()
        else:
            ends = [len(pending)] if pending else []
        start = 0
        for end in ends:
            yield first, pending[start:end]
            first += batch_size
            start = end
        pending = pending[start:]
        if not piece:
            return


def _line_count(block: bytes) -> int:
    return block.count(b"\n") + (not block.endswith(b"\n"))


def _check_batch(first: int, block: bytes, summary: AddressImportSummary) -> _Batch:
    """Check a batch of lines column by column, in C-speed passes over the whole batch.

    Real BAG files are clean, so this almost always succeeds; at the first doubt (bad encoding,
    quotes, control characters, blank lines, a line with another number of columns, any column
    that does not pass) the batch goes through the row-by-row check, which finds and reports each
    bad row with its line number.
    """
    if not block.endswith(b"\n"):
        block += b"\n"
    count = block.count(b"\n")
    if len(block.translate(None, SUSPECT_BYTES)) != len(block):
        return _check_rows(first, block, summary)
    separators = _separators(block, count)
    if separators is None:
        return _check_rows(first, block, summary)
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        return _check_rows(first, block, summary)
    # Every line has exactly ten fields: one split of the whole batch, then a column is a slice.
    fields = text[:-1].replace("\n", ";").split(";")
    streets, numbers, letters, additions, postcodes, places = (
        fields[column :: len(HEADER)] for column in range(6)
    )
    lat_texts, lon_texts = fields[8 :: len(HEADER)], fields[9 :: len(HEADER)]
    letters_text = "\n".join(letters).upper()
    additions_text = "\n".join(additions).upper()
    if not (
        ALL_POSTCODES_RE.fullmatch("\n".join(postcodes))
        and ALL_NUMBERS_RE.fullmatch("\n".join(numbers))
        and ALL_LETTERS_RE.fullmatch(letters_text)
        and ALL_ADDITIONS_RE.fullmatch(additions_text)
        and _decimals_only(lat_texts)
        and _decimals_only(lon_texts)
        and _lengths_fit(separators, 0, MAX_STREET, streets)
        and _lengths_fit(separators, 5, MAX_PLACE, places)
    ):
        return _check_rows(first, block, summary)
    try:
        lats = np.fromiter(map(float, lat_texts), dtype=np.float64, count=count)
        lons = np.fromiter(map(float, lon_texts), dtype=np.float64, count=count)
    except ValueError:  # "1.2.3", "-", an empty field
        return _check_rows(first, block, summary)
    west, south, east, north = NL_BOUNDS
    if not ((lats >= south) & (lats <= north) & (lons >= west) & (lons <= east)).all():
        return _check_rows(first, block, summary)
    summary.rows += count
    return _Batch(
        lines=range(first, first + count),
        postcodes=postcodes,
        numbers=numbers,
        letters=letters_text.split("\n"),
        additions=additions_text.split("\n"),
        streets=streets,
        places=places,
        lat_texts=lat_texts,
        lon_texts=lon_texts,
        lats=lats,
        lons=lons,
        copy_safe=b"\\" not in block and b"\t" not in block,
    )


def _decimals_only(texts: list[str]) -> bool:
    try:
        return not "".join(texts).encode("ascii").translate(None, DECIMAL_CHARACTERS)
    except UnicodeEncodeError:
        return False


def _separators(block: bytes, count: int) -> np.ndarray | None:
    """The positions of each line's nine semicolons and its newline (one row per line) when each
    of the block's `count` lines (each ending in a newline) has exactly ten semicolon-separated
    fields; else None. The separators, in order, must be nine semicolons and a newline, over and
    over."""
    data = np.frombuffer(block, dtype=np.uint8)
    positions = np.flatnonzero((data == ord(";")) | (data == ord("\n")))
    if len(positions) != len(HEADER) * count:
        return None
    positions = positions.reshape(count, len(HEADER))
    if not (data[positions[:, -1]] == ord("\n")).all():
        return None
    return positions


def _lengths_fit(separators: np.ndarray, column: int, maximum: int, values: list[str]) -> bool:
    """Whether each value of a column holds 1 to `maximum` characters, told from the separators'
    positions: a value has at least as many UTF-8 bytes as characters, so its characters are
    counted only when a value is longer than `maximum` in bytes."""
    ends = separators[:, column]
    before = separators[:, column - 1] if column else np.concatenate(([-1], separators[:-1, -1]))
    lengths = ends - before - 1
    if lengths.min() < 1:
        return False
    return bool(lengths.max() <= maximum) or max(map(len, values)) <= maximum


def _check_rows(first: int, block: bytes, summary: AddressImportSummary) -> _Batch:
    """Check each row on its own; skip and report the bad ones with line number and reason."""
    west, south, east, north = NL_BOUNDS
    skip = summary.skip
    rows: list[tuple] = []
    for line_number, line in enumerate(block.removesuffix(b"\n").split(b"\n"), start=first):
        try:
            text = line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            summary.rows += 1
            skip(line_number, "bad encoding", "not UTF-8 text")
            continue
        if not text:
            continue
        summary.rows += 1
        if CONTROL_CHARACTERS_RE.search(text):
            # PostgreSQL refuses a NUL byte in text; no real street or place holds one.
            skip(line_number, "bad encoding", "control characters (such as a NUL byte) in the text")
            continue
        fields = text.split(";") if '"' not in text else next(csv.reader([text], delimiter=";"))
        if len(fields) != len(HEADER):
            skip(
                line_number, "wrong column count", f"{len(fields)} columns instead of {len(HEADER)}"
            )
            continue
        straat, number, letter, addition, postcode, place, _gemeente, _provincie, lat, lon = fields
        postcode = postcode.replace(" ", "").upper()
        if not postcode:
            skip(line_number, "missing postcode", "no postcode")
            continue
        if not POSTCODE_RE.match(postcode):
            skip(line_number, "malformed postcode", f"malformed postcode {postcode!r}")
            continue
        if not (number.isascii() and number.isdigit()) or not 0 < int(number) <= MAX_HOUSE_NUMBER:
            skip(
                line_number,
                "bad house number",
                f"house number {number!r} is not a number from 1 to {MAX_HOUSE_NUMBER}",
            )
            continue
        letter, addition = letter.strip().upper(), addition.strip().upper()
        if not HOUSE_LETTER_RE.match(letter):
            skip(line_number, "bad house letter", f"house letter {letter!r} is not one letter")
            continue
        if not ADDITION_RE.match(addition):
            skip(
                line_number,
                "bad addition",
                f"house number addition {addition!r} is not 1-4 letters or digits",
            )
            continue
        if not straat or len(straat) > MAX_STREET or not place or len(place) > MAX_PLACE:
            skip(line_number, "bad street or place", "street or place missing or too long")
            continue
        try:
            lat_value, lon_value = float(lat), float(lon)
        except ValueError:
            skip(line_number, "bad coordinates", f"coordinates {lat!r}, {lon!r} are not numbers")
            continue
        if not (south <= lat_value <= north and west <= lon_value <= east):
            skip(
                line_number,
                "outside the Netherlands",
                f"coordinates {lat}, {lon} lie outside the Netherlands",
            )
            continue
        rows.append(
            (
                line_number,
                postcode,
                str(int(number)),
                letter,
                addition,
                straat,
                place,
                lat_value,
                lon_value,
            )
        )
    columns = list(zip(*rows, strict=True)) if rows else [()] * 9
    lats = np.array(columns[7], dtype=np.float64)
    lons = np.array(columns[8], dtype=np.float64)
    streets, places = list(columns[5]), list(columns[6])
    return _Batch(
        lines=list(columns[0]),
        postcodes=list(columns[1]),
        numbers=list(columns[2]),
        letters=list(columns[3]),
        additions=list(columns[4]),
        streets=streets,
        places=places,
        lat_texts=[repr(value) for value in columns[7]],
        lon_texts=[repr(value) for value in columns[8]],
        lats=lats,
        lons=lons,
        copy_safe=not any(COPY_UNSAFE_RE.search(value) for value in (*streets, *places)),
    )


def _copy_escaped(values: list[str]) -> Iterator[str]:
    """Values escaped for COPY's text format."""
    for value in values:
        yield value.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r")


def _postgres_import_settings(cursor: Any) -> None:
    # The duplicate search and the joins hash all the files' rows; with the default work_mem
    # (4 MB) they spill to disk. SET LOCAL ends with this transaction.
    cursor.execute(f"SET LOCAL work_mem = '{IMPORT_WORK_MEM}'")
    # The commit does not wait for the WAL to reach the disk. A server crash in the moment after
    # the commit may lose the import as a whole, never half of it; running the command again
    # redoes it. (Inside an outer transaction, that one is covered too.)
    cursor.execute("SET LOCAL synchronous_commit = off")


class _RepeatFilter:
    """Flags, in memory that does not grow with the rows, every row that may repeat the address
    of an earlier row of the import, so that the search for repeated addresses in the database
    looks only at the addresses of the flagged rows instead of grouping all the rows.

    A Bloom filter over the rows so far (two slots per address, taken from the hash of its
    postcode, number, letter and addition), and within a batch any hash that occurs twice. A
    repeat is always flagged: its address hashes like the earlier row's, which set both slots or
    is in the same batch. Some other rows are flagged too (a slot pair set by other addresses);
    the database tells them apart.
    """

    def __init__(self, slots: int | None = None) -> None:
        slots = slots or REPEAT_FILTER_SLOTS
        self.seen = np.zeros(slots, dtype=bool)
        self.mask = np.uint64(slots - 1)
        self.flagged: list[np.ndarray] = []

    def add(self, batch: _Batch) -> None:
        keys = zip(batch.postcodes, batch.numbers, batch.letters, batch.additions, strict=True)
        hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(batch)).view(np.uint64)
        first = (hashes & self.mask).astype(np.intp)
        second = ((hashes >> np.uint64(32)) & self.mask).astype(np.intp)
        flagged = self.seen[first] & self.seen[second]
        ordered = np.sort(hashes)
        twice = ordered[1:][ordered[1:] == ordered[:-1]]
        if len(twice):
            flagged |= np.isin(hashes, twice)
        self.seen[first] = True
        self.seen[second] = True
        if flagged.any():
            lines = batch.lines
            if isinstance(lines, range):
                self.flagged.append(lines.start + np.flatnonzero(flagged))
            else:
                self.flagged.append(np.asarray(lines, dtype=np.int64)[flagged])

    @property
    def positions(self) -> list[int]:
        return np.concatenate(self.flagged).tolist() if self.flagged else []


class _Loader:
    """Where checked batches go: on PostgreSQL one COPY takes every batch, fed from a queue by a
    worker thread, so the server parses batch n while this process checks and locates batch
    n + 1 (the server's work no longer adds to the Python side's). Each row goes with its position
    (`STAGED_COLUMNS` order), which is the row's line in the staging table and its id in an
    initial load."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"
        self.table = connection.ops.quote_name(Address._meta.db_table)
        self.copy: Any = None
        self.repeats = _RepeatFilter()

    @contextlib.contextmanager
    def _copying(self, sql: str) -> Iterator[None]:
        raw = self.cursor.cursor
        with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
            self.copy = copy
            try:
                yield
            finally:
                self.copy = None

    def _copy_batch(self, batch: _Batch, buurt_ids: np.ndarray) -> None:
        # One text payload per batch, joined in C: much faster than a Python call per row.
        escape = (lambda values: values) if batch.copy_safe else _copy_escaped
        payload = "\n".join(
            map(
                "\t".join,
                zip(
                    map(str, batch.lines),
                    batch.postcodes,
                    batch.numbers,
                    batch.letters,
                    batch.additions,
                    escape(batch.streets),
                    escape(batch.places),
                    batch.lat_texts,
                    batch.lon_texts,
                    np.where(buurt_ids >= 0, buurt_ids.astype(str), "\\N").tolist(),
                    strict=True,
                ),
            )
        )
        self.copy.write(payload + "\n")

    def _report_duplicates(self, summary: AddressImportSummary, source: str, line: str) -> None:
        """Find the later rows of each repeated address in `source` (rows numbered by `line`),
        report them, and keep them in DUPLICATES_TABLE (line, first_line, outside).

        Only the rows the repeat filter flagged can repeat an earlier row: their addresses are
        looked up once, every row with one of them goes into MATCHES_TABLE (a few thousand rows
        instead of all), and those are grouped. Grouping all 1.2 million rows of the four
        provinces took 1.2-1.5 s on PostgreSQL and SQLite alike."""
        keys = ", ".join(KEY_COLUMNS)
        joined = " AND ".join(f"s.{column} = f.{column}" for column in KEY_COLUMNS)
        positions = self.repeats.positions
        if not positions:
            return
        self.cursor.execute(f"CREATE TEMPORARY TABLE {FLAGGED_TABLE} (line bigint PRIMARY KEY)")
        self._write_positions(FLAGGED_TABLE, positions)
        # Without workers: in the parallel plan PostgreSQL chose for a grouping of all the rows,
        # each of three processes aggregated all the rows again (2 cores).
        if self.postgres:
            self.cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            self.cursor.execute(f"ANALYZE {FLAGGED_TABLE}")
        self.cursor.execute(
            f"CREATE TEMPORARY TABLE {MATCHES_TABLE} AS "  # noqa: S608
            f"SELECT {line} AS line, {keys}, buurt_id FROM {source} WHERE ({keys}) IN "
            f"(SELECT {keys} FROM {source} WHERE {line} IN (SELECT line FROM {FLAGGED_TABLE}))"
        )
        self.cursor.execute(
            f"CREATE TEMPORARY TABLE {DUPLICATES_TABLE} AS "  # noqa: S608
            f"SELECT s.line, f.first_line, s.buurt_id IS NULL AS outside "
            f"FROM {MATCHES_TABLE} s JOIN ("
            f"SELECT {keys}, MIN(line) AS first_line FROM {MATCHES_TABLE} "
            f"GROUP BY {keys} HAVING COUNT(*) > 1) f ON {joined} WHERE s.line <> f.first_line"
        )
        if self.postgres:
            self.cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")
        self.cursor.execute(
            f"SELECT line, first_line FROM {DUPLICATES_TABLE} ORDER BY line LIMIT %s",  # noqa: S608
            [LISTED_SKIPPED_ROWS],
        )
        listed = self.cursor.fetchall()
        self.cursor.execute(
            f"SELECT COUNT(*), COUNT(*) FILTER (WHERE outside) FROM {DUPLICATES_TABLE}"  # noqa: S608
        )
        total, outside = self.cursor.fetchone()
        if not total:
            return
        for duplicate, first_line in listed:
            kept = summary.describe(first_line)
            summary.skip(duplicate, DUPLICATE, f"same address as {kept}, which is kept")
        summary.duplicates += total - len(listed)
        summary.skipped_by_kind[DUPLICATE] += total - len(listed)
        summary.outside -= outside

    def _write_positions(self, table: str, positions: list[int]) -> None:
        if self.postgres:
            with self.cursor.cursor.copy(f"COPY {table} (line) FROM STDIN") as copy:
                copy.write("\n".join(map(str, positions)) + "\n")
        else:
            self.cursor.executemany(
                f"INSERT INTO {table} (line) VALUES (%s)",  # noqa: S608
                [(position,) for position in positions],
            )

    def drop(self) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
        self.cursor.execute(f"DROP TABLE IF EXISTS {FLAGGED_TABLE}")
        self.cursor.execute(f"DROP TABLE IF EXISTS {MATCHES_TABLE}")
        self.cursor.execute(f"DROP TABLE IF EXISTS {DUPLICATES_TABLE}")
        self.cursor.execute(f"DROP TABLE IF EXISTS {CHANGES_TABLE}")


class _Staging(_Loader):
    """The staging table of one import and the set-based SQL that turns it into addresses.

    PostgreSQL: COPY into a temporary table, then one INSERT ... ON CONFLICT that counts what it
    inserted and updated. SQLite: executemany into a temporary table, a counting query, then one
    INSERT ... ON CONFLICT.
    """

    def __init__(self, cursor: Any) -> None:
        super().__init__(cursor)
        if self.postgres:
            _postgres_import_settings(cursor)
        self.drop()
        # On SQLite the line is the rowid: the rows of flagged and repeated lines are found by it.
        line = "bigint" if self.postgres else "integer PRIMARY KEY"
        # The key codes in the address table's collation (byte order on PostgreSQL): the staged
        # rows are then sorted in its unique index's own order, and cheaply (AsciiCodeField).
        code = ' COLLATE "C"' if self.postgres else ""
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING_TABLE} (line {line}, postcode varchar(6){code}, "
            f"huisnummer integer, huisletter varchar(1){code}, "
            f"huisnummertoevoeging varchar(4){code}, straat varchar(100), woonplaats varchar(80), "
            "lat double precision, lon double precision, buurt_id bigint)"
        )

    @contextlib.contextmanager
    def loading(self) -> Iterator[None]:
        """While the files are read."""
        if not self.postgres:
            yield
            return
        columns = ", ".join(STAGED_COLUMNS)
        with self._copying(f"COPY {STAGING_TABLE} ({columns}) FROM STDIN"):
            yield

    def write(self, batch: _Batch, buurt_ids: np.ndarray) -> None:
        self.repeats.add(batch)
        if self.postgres:
            self._copy_batch(batch, buurt_ids)
            return
        placeholders = ", ".join(["%s"] * len(STAGED_COLUMNS))
        self.cursor.executemany(
            f"INSERT INTO {STAGING_TABLE} VALUES ({placeholders})",  # noqa: S608
            zip(
                batch.lines,
                batch.postcodes,
                map(int, batch.numbers),
                batch.letters,
                batch.additions,
                batch.streets,
                batch.places,
                batch.lats.tolist(),
                batch.lons.tolist(),
                [None if buurt_id < 0 else buurt_id for buurt_id in buurt_ids.tolist()],
                strict=True,
            ),
        )

    def finish(self, summary: AddressImportSummary) -> None:
        self.drop_duplicates(summary)
        summary.created, summary.updated = self.upsert()
        self.drop()

    def drop_duplicates(self, summary: AddressImportSummary) -> None:
        """Keep the first row of each address; report and drop the later ones."""
        if self.postgres:
            # Temporary tables get no automatic statistics; without them the joins below are
            # planned for a handful of rows.
            self.cursor.execute(f"ANALYZE {STAGING_TABLE}")
        self._report_duplicates(summary, STAGING_TABLE, "line")
        if summary.duplicates:
            self.cursor.execute(
                f"DELETE FROM {STAGING_TABLE} WHERE line IN (SELECT line FROM {DUPLICATES_TABLE})"  # noqa: S608
            )

    def _write_changes(self) -> tuple[int, int]:
        """PostgreSQL: one join finds the new and the changed rows (none in an unchanged
        re-import, which then ends here), then a plain INSERT and an UPDATE write them.

        Other writers wait for the end of the import (lookups do not): so no address can appear
        between the join and the INSERT, which therefore needs no ON CONFLICT. Without its
        speculative insertion and RETURNING, writing three provinces (866,511 new rows) into a
        register holding a fourth took 13.8 and 15.3 s against 17.6 and 16.8 s for one
        INSERT ... ON CONFLICT DO UPDATE (2 shared cores, load 3)."""
        keys = ", ".join(f"s.{column}" for column in KEY_COLUMNS)
        columns = (*KEY_COLUMNS, *VALUE_COLUMNS)
        match = " AND ".join(f"a.{column} = s.{column}" for column in KEY_COLUMNS)
        differs = (
            f"({', '.join('a.' + c for c in VALUE_COLUMNS)}) IS DISTINCT FROM "
            f"({', '.join('s.' + c for c in VALUE_COLUMNS)})"
        )
        self.cursor.execute(f"LOCK TABLE {self.table} IN SHARE ROW EXCLUSIVE MODE")
        self.cursor.execute(
            f"CREATE TEMPORARY TABLE {CHANGES_TABLE} AS SELECT s.line, a.id "  # noqa: S608
            f"FROM {STAGING_TABLE} s LEFT JOIN {self.table} a ON {match} "
            f"WHERE a.id IS NULL OR {differs}"
        )
        self.cursor.execute(
            f"SELECT COUNT(*) FILTER (WHERE id IS NULL), COUNT(id) FROM {CHANGES_TABLE}"  # noqa: S608
        )
        created, updated = self.cursor.fetchone()
        if not created and not updated:
            return 0, 0
        self.cursor.execute(f"ANALYZE {CHANGES_TABLE}")
        if created:
            # Rows go in in key order: the unique index then grows in place instead of being
            # touched at random (measured: half the insert time for 300,000 rows).
            self.cursor.execute(
                f"INSERT INTO {self.table} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join('s.' + c for c in columns)} FROM {STAGING_TABLE} s "
                f"JOIN {CHANGES_TABLE} c ON c.line = s.line WHERE c.id IS NULL ORDER BY {keys}"
            )
        if updated:
            assignments = ", ".join(f"{column} = s.{column}" for column in VALUE_COLUMNS)
            self.cursor.execute(
                f"UPDATE {self.table} a SET {assignments} FROM {STAGING_TABLE} s "  # noqa: S608
                f"JOIN {CHANGES_TABLE} c ON c.line = s.line WHERE a.id = c.id"
            )
        return int(created), int(updated)

    def upsert(self) -> tuple[int, int]:
        """Write new and changed addresses; returns (created, updated)."""
        if self.postgres:
            return self._write_changes()
        keys = ", ".join(KEY_COLUMNS)
        columns = ", ".join((*KEY_COLUMNS, *VALUE_COLUMNS))
        match = " AND ".join(f"a.{column} = s.{column}" for column in KEY_COLUMNS)
        assignments = ", ".join(f"{column} = excluded.{column}" for column in VALUE_COLUMNS)
        differs = " OR ".join(f"a.{column} IS NOT s.{column}" for column in VALUE_COLUMNS)
        self.cursor.execute(f"SELECT COUNT(*) FROM {self.table}")  # noqa: S608
        before = self.cursor.fetchone()[0]
        # Only new and changed rows reach the INSERT, so an unchanged re-import costs one join.
        # SQLite counts inserted and updated rows together in rowcount, and the table's growth
        # tells them apart.
        self.cursor.execute(
            f"INSERT INTO {self.table} ({columns}) "  # noqa: S608
            f"SELECT {', '.join('s.' + c for c in (*KEY_COLUMNS, *VALUE_COLUMNS))} "
            f"FROM {STAGING_TABLE} s LEFT JOIN {self.table} a ON {match} "
            f"WHERE a.id IS NULL OR {differs} ORDER BY {', '.join('s.' + c for c in KEY_COLUMNS)} "
            f"ON CONFLICT ({keys}) DO UPDATE SET {assignments}"
        )
        written = self.cursor.rowcount
        self.cursor.execute(f"SELECT COUNT(*) FROM {self.table}")  # noqa: S608
        created = self.cursor.fetchone()[0] - before
        updated = written - created
        return int(created), int(updated)


class _InitialLoad(_Loader):
    """A first load into the empty address table, PostgreSQL only: the table is locked for the
    whole import (lookups could not answer from it anyway), its unique constraint and secondary
    indexes are dropped, every checked row is COPYed straight into it with its position as id
    (no staging table, no second copy), the later rows of repeated addresses are deleted, and the
    indexes are built again from their own definitions. Building a B-tree by sorting once is
    several times cheaper than growing it row by row. The primary key stays: its index grows
    at its right edge (positions only increase) and finds the duplicates to delete."""

    @classmethod
    def start(cls, cursor: Any) -> _InitialLoad | None:
        """An initial load when the address table is empty, else None (and nothing locked)."""
        if connection.vendor != "postgresql":
            return None
        table = connection.ops.quote_name(Address._meta.db_table)
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        # Someone may have written addresses between the look and the lock.
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
        if not cursor.fetchone()[0]:
            return None
        return cls(cursor)

    def __init__(self, cursor: Any) -> None:
        super().__init__(cursor)
        _postgres_import_settings(cursor)
        self.drop()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u' ORDER BY conname",
            [Address._meta.db_table],
        )
        self.constraints = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
            "AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
            [Address._meta.db_table],
        )
        self.indexes = cursor.fetchall()
        quote = connection.ops.quote_name
        for name, _definition in self.constraints:
            cursor.execute(f"ALTER TABLE {self.table} DROP CONSTRAINT {quote(name)}")
        for name, _definition in self.indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")

    @contextlib.contextmanager
    def loading(self) -> Iterator[None]:
        columns = ", ".join(("id", *STAGED_COLUMNS[1:]))
        with self._copying(f"COPY {self.table} ({columns}) FROM STDIN"):
            yield

    def write(self, batch: _Batch, buurt_ids: np.ndarray) -> None:
        self.repeats.add(batch)
        self._copy_batch(batch, buurt_ids)

    def finish(self, summary: AddressImportSummary) -> None:
        # Statistics for the search of repeated addresses (without them it sorted the whole
        # table), and for the lookups and activations after the commit.
        self.cursor.execute(f"ANALYZE {self.table}")
        self._report_duplicates(summary, self.table, "id")
        if summary.duplicates:
            self.cursor.execute(
                f"DELETE FROM {self.table} WHERE id IN (SELECT line FROM {DUPLICATES_TABLE})"  # noqa: S608
            )
        summary.created = summary.rows - summary.skipped
        # Memory for sorting while the indexes are built (this transaction only).
        self.cursor.execute(f"SET LOCAL maintenance_work_mem = '{IMPORT_INDEX_MEM}'")
        quote = connection.ops.quote_name
        for _name, definition in self.indexes:
            self.cursor.execute(definition)
        for name, definition in self.constraints:
            self.cursor.execute(
                f"ALTER TABLE {self.table} ADD CONSTRAINT {quote(name)} {definition}"
            )
        # Ids were given, not drawn: the identity sequence goes on after the highest one.
        self.cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)) FROM {self.table}",  # noqa: S608
            [self.table],
        )
        self.drop()
