"""The postcode register: read postcode centroids (GeoNames' postal-code format or a plain CSV),
refuse those that lie where they cannot be, and give each postcode its buurt in the active dataset.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction
from pyproj import Transformer

from wijkportaal.cache import invalidate_public_pages

from ..models import Buurt, Dataset, Municipality, Postcode
from ..parsing import InvalidInput, normalise_postcode
from ..spatial import BuurtIndex
from .files import ImportFileError, open_import_file
from .summary import LISTED_SKIPPED_ROWS, RowImportSummary, SkippedRow

# A generous box around the Netherlands: a centroid outside it is a source error, not a place.
NETHERLANDS_LAT = (50.7, 53.6)
NETHERLANDS_LON = (3.3, 7.3)
# A centroid this close to another buurt than its own cannot decide between the two.
NEAR_METRES = 50.0
# Candidates for "near" are found in degrees first: 0.001 degree is at least 66 m east-west and
# 111 m north-south across the Netherlands, so no buurt within NEAR_METRES is missed.
NEAR_DEGREES = 0.001
GEONAMES_COLUMNS = 12
GEONAMES_COUNTRY = "NL"
MUNICIPALITY_CODE_RE = re.compile(r"^(?:GM)?(\d{4})$", re.IGNORECASE)
WRITE_BATCH = 1000
PROGRESS_EVERY = 10_000

# Kinds of skipped rows, as the summary counts them.
BAD_ROW = "bad row"
REPEATED = "repeated postcode"
OUTSIDE_NETHERLANDS = "outside the Netherlands"
OUTSIDE_MUNICIPALITY = "outside its municipality"

_RD_NEW = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


class PostcodeFileError(ImportFileError):
    """A file that cannot be read as a postcode register at all; nothing is written."""


@dataclass(frozen=True)
class PostcodeRow:
    line: int
    postcode: str
    lat: float
    lon: float
    woonplaats: str = ""
    gemeente_code: str = ""
    gemeente_name: str = ""


@dataclass
class PostcodeImportSummary(RowImportSummary):
    """What an import did; `outside` counts postcodes stored without a buurt: of a municipality
    the portal does not cover, or in no buurt at all."""

    def skip(self, line: int, kind: str, reason: str) -> None:
        self.skipped_by_kind[kind] += 1
        if len(self.skipped_rows) < LISTED_SKIPPED_ROWS:
            self.skipped_rows.append(SkippedRow(line, reason))


@dataclass(frozen=True)
class PostcodeProgress:
    phase: str
    rows: int


# --- Reading -------------------------------------------------------------------------------------


def read_postcode_file(path: Path, summary: PostcodeImportSummary) -> list[PostcodeRow]:
    """The rows of a GeoNames postal-code file (12 tab-separated columns, no header) or of a CSV
    with the header `postcode;lat;lon` and optional `woonplaats` and `gemeente` (a GM code or a
    name). Bad rows are skipped into `summary` with their line; a file that is neither format
    raises PostcodeFileError."""
    with open_import_file(path, PostcodeFileError) as (stream, _fraction):
        raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise PostcodeFileError(f"{path}, line {line}: not UTF-8 text.") from error
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise PostcodeFileError(f"{path}: the file holds no postcodes.")
    if "\t" in first:
        columns = first.count("\t") + 1
        if columns != GEONAMES_COLUMNS:
            raise PostcodeFileError(
                f"{path}, line 1: {columns} tab-separated columns; GeoNames' postal-code format "
                f"has {GEONAMES_COLUMNS}."
            )
        return _read_geonames(lines, summary)
    return _read_csv(path, text, summary)


def _read_geonames(lines: list[str], summary: PostcodeImportSummary) -> list[PostcodeRow]:
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        summary.rows += 1
        values = line.split("\t")
        if len(values) != GEONAMES_COLUMNS:
            summary.skip(number, BAD_ROW, f"{len(values)} columns, GeoNames has {GEONAMES_COLUMNS}")
            continue
        country, postcode, place, _, _, admin_name2, admin_code2 = values[:7]
        if country.strip().upper() != GEONAMES_COUNTRY:
            summary.skip(number, BAD_ROW, f"country {country.strip()!r}, not NL")
            continue
        name = admin_name2.strip()
        name = name.removeprefix("Gemeente ").strip()
        code = admin_code2.strip()
        row = _row(
            summary,
            number,
            postcode=postcode,
            lat=values[9],
            lon=values[10],
            woonplaats=place,
            gemeente_code=f"GM{code}" if code else "",
            gemeente_name=name,
        )
        if row is not None:
            rows.append(row)
    return rows


def _read_csv(path: Path, text: str, summary: PostcodeImportSummary) -> list[PostcodeRow]:
    reader = csv.reader(io.StringIO(text), delimiter=";")
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in ("postcode", "lat", "lon") if name not in header]
    if missing:
        raise PostcodeFileError(
            f"{path}, line 1: neither GeoNames' postal-code format (12 tab-separated columns) nor "
            "a CSV with the header postcode;lat;lon (optional: woonplaats;gemeente); "
            f"missing {', '.join(missing)}."
        )
    position = {name: header.index(name) for name in header}
    municipalities = _municipality_names()
    rows = []
    for values in reader:
        number = reader.line_num
        if not any(value.strip() for value in values):
            continue
        summary.rows += 1
        if len(values) != len(header):
            summary.skip(number, BAD_ROW, f"{len(values)} columns, the header has {len(header)}")
            continue
        named = values[position["gemeente"]].strip() if "gemeente" in position else ""
        code, name = _municipality(named, municipalities)
        row = _row(
            summary,
            number,
            postcode=values[position["postcode"]],
            lat=values[position["lat"]],
            lon=values[position["lon"]],
            woonplaats=values[position["woonplaats"]] if "woonplaats" in position else "",
            gemeente_code=code,
            gemeente_name=name,
        )
        if row is not None:
            rows.append(row)
    return rows


def _municipality_names() -> dict[str, tuple[str, str]]:
    return {
        name.casefold(): (code, name)
        for code, name in Municipality.objects.values_list("code", "name")
    }


def _municipality(named: str, known: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """(code, name) of a municipality given as a code (`GM0917`, `0917`) or a known name."""
    if not named:
        return "", ""
    match = MUNICIPALITY_CODE_RE.match(named)
    if match:
        code = f"GM{match.group(1)}"
        by_code = {value[0]: value[1] for value in known.values()}
        return code, by_code.get(code, "")
    return known.get(named.casefold(), ("", named))


def _row(
    summary: PostcodeImportSummary,
    number: int,
    *,
    postcode: str,
    lat: str,
    lon: str,
    woonplaats: str,
    gemeente_code: str,
    gemeente_name: str,
) -> PostcodeRow | None:
    try:
        normalised = normalise_postcode(postcode)
    except InvalidInput:
        summary.skip(number, BAD_ROW, f"{postcode.strip()!r} is not a Dutch postcode")
        return None
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        summary.skip(number, BAD_ROW, f"latitude {lat!r} or longitude {lon!r} is not a number")
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        summary.skip(number, BAD_ROW, "latitude or longitude is not a finite number")
        return None
    woonplaats = woonplaats.strip()
    if len(woonplaats) > _max_length("woonplaats"):
        summary.skip(number, BAD_ROW, "the place name is too long")
        return None
    return PostcodeRow(
        line=number,
        postcode=normalised,
        lat=latitude,
        lon=longitude,
        woonplaats=woonplaats,
        gemeente_code=gemeente_code,
        gemeente_name=gemeente_name[: _max_length("gemeente_name")],
    )


def _max_length(name: str) -> int:
    return int(getattr(Postcode._meta.get_field(name), "max_length", 0) or 0)


# --- Placing centroids in buurten ----------------------------------------------------------------


@dataclass
class Placement:
    """Per point: its buurt id (-1 for none), the nearby other buurt id (-1 for none), and whether
    it lies outside the municipality it names while the dataset covers that municipality."""

    buurt_ids: np.ndarray
    near_ids: np.ndarray
    outside_municipality: np.ndarray


class _DatasetBuurten:
    """The buurten of one dataset: the spatial index (code order) and each buurt's municipality."""

    def __init__(self, dataset: Dataset | None) -> None:
        index = BuurtIndex.for_dataset(dataset.pk) if dataset is not None else None
        self.ids = index.ids if index is not None else np.array([], dtype=np.int64)
        municipality_of = dict(
            Buurt.objects.filter(dataset=dataset).values_list("id", "wijk__municipality__code")
        )
        self.municipalities = np.array(
            [municipality_of[buurt_id] for buurt_id in self.ids.tolist()], dtype=object
        )
        self.geometries = index.geometries if index is not None and len(index) else None
        self.tree = index.tree if index is not None and len(index) else None
        self.covered = set(self.municipalities.tolist())

    def place(
        self, lons: Sequence[float], lats: Sequence[float], municipalities: Sequence[str]
    ) -> Placement:
        count = len(lons)
        placement = Placement(
            np.full(count, -1, dtype=np.int64),
            np.full(count, -1, dtype=np.int64),
            np.zeros(count, dtype=bool),
        )
        if self.tree is None or self.geometries is None or not count:
            return placement
        named = np.array(municipalities, dtype=object)
        # A named municipality the dataset does not cover: no buurt, whatever the point.
        placeable = np.array([code == "" or code in self.covered for code in named], dtype=bool)
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        # Box candidates first, then the exact test with the prepared buurt as the first
        # argument: a predicate inside query() would test the unprepared buurten.
        point_idx, tree_idx = self.tree.query(points)
        covered = shapely.covers(self.geometries[tree_idx], points[point_idx])
        point_idx, tree_idx = point_idx[covered], tree_idx[covered]
        own = self._own_municipality(named, point_idx, tree_idx) & placeable[point_idx]
        point_idx, tree_idx = point_idx[own], tree_idx[own]
        if len(point_idx):
            # On a shared edge the lowest tree index wins: buurten are in code order.
            best = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(best, point_idx, tree_idx)
            hit = best != np.iinfo(np.int64).max
            placement.buurt_ids[hit] = self.ids[best[hit]]
        placement.outside_municipality = (
            (named != "") & placeable & (placement.buurt_ids < 0)
        ).astype(bool)
        placed = np.flatnonzero(placement.buurt_ids >= 0)
        if len(placed):
            self._near(points, named, placed, placement)
        return placement

    def _own_municipality(
        self, named: np.ndarray, point_idx: np.ndarray, tree_idx: np.ndarray
    ) -> np.ndarray:
        wanted = named[point_idx]
        return (wanted == "") | (wanted == self.municipalities[tree_idx])

    def _near(
        self, points: np.ndarray, named: np.ndarray, placed: np.ndarray, placement: Placement
    ) -> None:
        """The closest other buurt within NEAR_METRES of each placed point, measured in RD New
        (metres) for the candidates the degree box finds; ties go to the lowest code."""
        assert self.tree is not None and self.geometries is not None
        lons, lats = shapely.get_x(points[placed]), shapely.get_y(points[placed])
        boxes = shapely.box(
            lons - NEAR_DEGREES, lats - NEAR_DEGREES, lons + NEAR_DEGREES, lats + NEAR_DEGREES
        )
        point_idx, tree_idx = self.tree.query(boxes)
        point_idx = placed[point_idx]
        other = self.ids[tree_idx] != placement.buurt_ids[point_idx]
        point_idx, tree_idx = point_idx[other], tree_idx[other]
        same = self._own_municipality(named, point_idx, tree_idx)
        point_idx, tree_idx = point_idx[same], tree_idx[same]
        # The prepared buurt first, so the test uses its index of edges.
        close = shapely.dwithin(self.geometries[tree_idx], points[point_idx], NEAR_DEGREES)
        point_idx, tree_idx = point_idx[close], tree_idx[close]
        if not len(point_idx):
            return
        candidates = np.unique(tree_idx)
        projected = dict(
            zip(
                candidates.tolist(),
                shapely.transform(
                    self.geometries[candidates], _to_rd_new, interleaved=False
                ).tolist(),
                strict=True,
            )
        )
        rd_points = shapely.transform(points[point_idx], _to_rd_new, interleaved=False)
        rd_buurten = np.array([projected[i] for i in tree_idx.tolist()], dtype=object)
        distances = shapely.distance(rd_buurten, rd_points)
        within = distances <= NEAR_METRES
        point_idx, tree_idx, distances = point_idx[within], tree_idx[within], distances[within]
        # Nearest first, then lowest code; the first row per point is its answer.
        order = np.lexsort((tree_idx, distances, point_idx))
        point_idx, tree_idx = point_idx[order], tree_idx[order]
        first = np.ones(len(point_idx), dtype=bool)
        first[1:] = point_idx[1:] != point_idx[:-1]
        placement.near_ids[point_idx[first]] = self.ids[tree_idx[first]]


def _to_rd_new(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _RD_NEW.transform(x, y)


def _as_id(value: int) -> int | None:
    return None if value < 0 else int(value)


def assign_postcodes_to_buurten(dataset: Dataset) -> tuple[int, int]:
    """Give every stored postcode its buurt (and nearby buurt) in `dataset`, as activation does
    for addresses. A postcode whose named municipality the dataset covers, but which lies outside
    it, gets no buurt. Writes only the postcodes whose buurten change.
    Returns (postcodes in a buurt, postcodes outside every buurt)."""
    with transaction.atomic():
        rows = list(
            Postcode.objects.order_by("pk").values_list(
                "pk", "lon", "lat", "gemeente_code", "buurt_id", "near_buurt_id"
            )
        )
        placement = _DatasetBuurten(dataset).place(
            [row[1] for row in rows], [row[2] for row in rows], [row[3] for row in rows]
        )
        changes: dict[tuple[int | None, int | None], list[int]] = defaultdict(list)
        for row, buurt_id, near_id in zip(
            rows, placement.buurt_ids.tolist(), placement.near_ids.tolist(), strict=True
        ):
            wanted = (_as_id(buurt_id), _as_id(near_id))
            if (row[4], row[5]) != wanted:
                changes[wanted].append(row[0])
        for (buurt_id, near_id), ids in changes.items():
            for start in range(0, len(ids), WRITE_BATCH):
                Postcode.objects.filter(pk__in=ids[start : start + WRITE_BATCH]).update(
                    buurt_id=buurt_id, near_buurt_id=near_id
                )
        if changes:
            transaction.on_commit(invalidate_public_pages)
    assigned = int((placement.buurt_ids >= 0).sum())
    return assigned, len(rows) - assigned


# --- Importing -----------------------------------------------------------------------------------


FIELDS = ("woonplaats", "gemeente_code", "gemeente_name", "lat", "lon", "buurt_id", "near_buurt_id")


def import_postcodes(
    *,
    path: Path,
    dry_run: bool = False,
    progress: Callable[[PostcodeProgress], None] | None = None,
) -> PostcodeImportSummary:
    """Import a postcode register file in one transaction: create new postcodes, update changed
    ones, leave the rest. A centroid outside the Netherlands, or outside the municipality it
    names when the active dataset covers that municipality, is skipped and reported by line;
    a postcode of a municipality the portal does not cover is stored without a buurt."""
    summary = PostcodeImportSummary(dry_run=dry_run)
    rows = read_postcode_file(path, summary)
    if progress is not None:
        progress(PostcodeProgress("read", summary.rows))
    rows = _drop_repeats(rows, summary)
    rows = _inside_netherlands(rows, summary)
    with transaction.atomic():
        buurten = _DatasetBuurten(Dataset.objects.active())
        placement = buurten.place(
            [row.lon for row in rows],
            [row.lat for row in rows],
            [row.gemeente_code for row in rows],
        )
        if progress is not None:
            progress(PostcodeProgress("placed", len(rows)))
        existing = {
            values[0]: values[1:]
            for values in Postcode.objects.values_list("postcode", "pk", *FIELDS).iterator(
                chunk_size=WRITE_BATCH
            )
        }
        new, changed = [], []
        for row, buurt_id, near_id, outside in zip(
            rows,
            placement.buurt_ids.tolist(),
            placement.near_ids.tolist(),
            placement.outside_municipality.tolist(),
            strict=True,
        ):
            if outside:
                summary.skip(
                    row.line,
                    OUTSIDE_MUNICIPALITY,
                    f"{_display(row.postcode)} at {row.lat}, {row.lon} lies outside "
                    f"{row.gemeente_name or row.gemeente_code} ({row.gemeente_code})",
                )
                continue
            values = (
                row.woonplaats,
                row.gemeente_code,
                row.gemeente_name,
                row.lat,
                row.lon,
                _as_id(buurt_id),
                _as_id(near_id),
            )
            if buurt_id < 0:
                summary.outside += 1
            stored = existing.get(row.postcode)
            if stored is None:
                summary.created += 1
                new.append(
                    Postcode(postcode=row.postcode, **dict(zip(FIELDS, values, strict=True)))
                )
            elif tuple(stored[1:]) != values:
                summary.updated += 1
                changed.append(Postcode(pk=stored[0], **dict(zip(FIELDS, values, strict=True))))
            else:
                summary.unchanged += 1
        if not dry_run:
            Postcode.objects.bulk_create(new, batch_size=WRITE_BATCH)
            Postcode.objects.bulk_update(changed, FIELDS, batch_size=WRITE_BATCH)
            if new or changed:
                transaction.on_commit(invalidate_public_pages)
        if progress is not None:
            progress(PostcodeProgress("written", len(new) + len(changed)))
    summary.skipped_rows.sort(key=lambda skipped: skipped.line)
    return summary


def _display(postcode: str) -> str:
    return f"{postcode[:4]} {postcode[4:]}"


def _drop_repeats(rows: list[PostcodeRow], summary: PostcodeImportSummary) -> list[PostcodeRow]:
    first_line: dict[str, int] = {}
    kept = []
    for row in rows:
        if row.postcode in first_line:
            summary.skip(
                row.line,
                REPEATED,
                f"{_display(row.postcode)} repeats line {first_line[row.postcode]}",
            )
            continue
        first_line[row.postcode] = row.line
        kept.append(row)
    return kept


def _inside_netherlands(
    rows: list[PostcodeRow], summary: PostcodeImportSummary
) -> list[PostcodeRow]:
    kept = []
    for row in rows:
        if (
            NETHERLANDS_LAT[0] <= row.lat <= NETHERLANDS_LAT[1]
            and NETHERLANDS_LON[0] <= row.lon <= NETHERLANDS_LON[1]
        ):
            kept.append(row)
        else:
            summary.skip(
                row.line,
                OUTSIDE_NETHERLANDS,
                f"{_display(row.postcode)} at {row.lat}, {row.lon} lies outside the Netherlands",
            )
    return kept
