"""Which buurt covers a point: one point at a time through an STRtree of the buurten's boxes and
the few boundaries it names, millions at once (imports, activation) through an STRtree of the
boundaries. The only module that knows shapely's index."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import shapely

from .models import Buurt, Dataset


class BuurtIndex:
    """An STRtree over the buurten of one dataset, with *covers* semantics.

    Geometries are held in code order, so when a point lies on a shared edge, the lowest index
    among the matches is the buurt with the lowest code: a deterministic tie-break.
    """

    def __init__(self, codes: Sequence[str], ids: Sequence[int], geometries: Sequence) -> None:
        order = sorted(range(len(codes)), key=lambda i: codes[i])
        self.codes = [codes[i] for i in order]
        self.ids = np.array([ids[i] for i in order], dtype=np.int64)
        self.geometries = np.array([geometries[i] for i in order], dtype=object)
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)

    @classmethod
    def for_dataset(cls, dataset_id: int) -> BuurtIndex:
        rows = Buurt.objects.filter(dataset_id=dataset_id, boundary__isnull=False).values_list(
            "code", "id", "boundary"
        )
        codes, ids, boundaries = [], [], []
        for code, pk, boundary in rows:
            codes.append(code)
            ids.append(pk)
            boundaries.append(bytes(boundary or b""))
        geometries = shapely.from_wkb(boundaries) if boundaries else []
        return cls(codes, ids, list(geometries))

    def __len__(self) -> int:
        return len(self.codes)

    def locate_many(self, lons: Sequence[float], lats: Sequence[float]) -> np.ndarray:
        """Buurt ids for many points at once (vectorised); -1 where no buurt covers the point."""
        result = np.full(len(lons), -1, dtype=np.int64)
        if not len(lons) or not len(self.codes):
            return result
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        # Box candidates first, then the exact test with the prepared buurt as the first argument:
        # a predicate inside query() would prepare the points instead and test unprepared buurten.
        point_idx, tree_idx = self.tree.query(points)
        covered = shapely.covers(self.geometries[tree_idx], points[point_idx])
        point_idx, tree_idx = point_idx[covered], tree_idx[covered]
        if len(point_idx):
            # Several matches for one point (a shared edge): keep the lowest tree index = lowest code.
            best = np.full(len(lons), np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(best, point_idx, tree_idx)
            hit = best != np.iinfo(np.int64).max
            result[hit] = self.ids[best[hit]]
        return result

    def locate(self, lon: float, lat: float) -> int | None:
        buurt_id = int(self.locate_many([lon], [lat])[0])
        return None if buurt_id < 0 else buurt_id

    def cell_locator(self) -> CellLocator:
        return CellLocator(self)


# Grid cells of a CellLocator, in degrees: small beside a buurt, so most cells lie inside one.
LOCATOR_CELL = 0.002
# Cells are tested a little larger than they are, so that a point's rounding into its cell can
# never take it outside what was tested (the margin is far above floating-point rounding).
LOCATOR_MARGIN = 1e-9
_OUTSIDE, _MIXED = -1, -2


class CellLocator:
    """Locates many points with a BuurtIndex (the same answers as its locate_many), faster for
    millions of points: it learns, cell by cell of a fixed grid, which cells touch one buurt only
    and lie wholly inside it, or touch none. A point in such a cell gets that buurt (or none)
    without a geometry test; a point in a cell crossed by a boundary is tested exactly, against
    the buurten that touch its cell only and from its coordinates (no point geometry is made).
    Cells are learnt as points arrive, so memory grows with the area covered, not with the
    number of points. For one import: not shared between threads."""

    def __init__(self, index: BuurtIndex) -> None:
        self.index = index
        self.cells = np.empty(0, dtype=np.int64)  # sorted cell keys
        self.kinds = np.empty(0, dtype=np.int64)  # tree index, _OUTSIDE or _MIXED
        # The buurten touching each mixed cell, as (cell key, tree index) pairs sorted by key.
        self.pair_cells = np.empty(0, dtype=np.int64)
        self.pair_buurten = np.empty(0, dtype=np.int64)

    def locate_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> np.ndarray:
        """Buurt ids for many points at once; -1 where no buurt covers the point."""
        lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        if not len(lons) or not len(self.index):
            return np.full(len(lons), -1, dtype=np.int64)
        columns = np.floor(lons / LOCATOR_CELL).astype(np.int64)
        rows = np.floor(lats / LOCATOR_CELL).astype(np.int64)
        # One integer per cell, the row in the low bits: a latitude's rows fit in them with room to spare.
        keys = (columns << 20) + rows + (1 << 19)
        unique, inverse = np.unique(keys, return_inverse=True)
        self._learn(unique[~np.isin(unique, self.cells, assume_unique=True)])
        kinds = self.kinds[np.searchsorted(self.cells, unique)][inverse]
        result = np.where(kinds >= 0, self.index.ids[np.maximum(kinds, 0)], -1)
        mixed = np.flatnonzero(kinds == _MIXED)
        if len(mixed):
            result[mixed] = self._locate_exactly(keys[mixed], lons[mixed], lats[mixed])
        return result

    def _locate_exactly(self, keys: np.ndarray, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        first = np.searchsorted(self.pair_cells, keys, side="left")
        counts = np.searchsorted(self.pair_cells, keys, side="right") - first
        point_idx = np.repeat(np.arange(len(keys)), counts)
        starts = np.repeat(first - (np.cumsum(counts) - counts), counts)
        tree_idx = self.pair_buurten[starts + np.arange(len(point_idx))]
        # covers(buurt, point) is intersects(buurt, point) for a point; the buurten are prepared.
        hit = shapely.intersects_xy(
            self.index.geometries[tree_idx], lons[point_idx], lats[point_idx]
        )
        # Several matches for one point (a shared edge): the lowest tree index = lowest code.
        best = np.full(len(keys), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, point_idx[hit], tree_idx[hit])
        found = best != np.iinfo(np.int64).max
        return np.where(found, self.index.ids[np.where(found, best, 0)], -1)

    def _learn(self, keys: np.ndarray) -> None:
        if not len(keys):
            return
        columns, rows = keys >> 20, (keys & ((1 << 20) - 1)) - (1 << 19)
        boxes = shapely.box(
            columns * LOCATOR_CELL - LOCATOR_MARGIN,
            rows * LOCATOR_CELL - LOCATOR_MARGIN,
            (columns + 1) * LOCATOR_CELL + LOCATOR_MARGIN,
            (rows + 1) * LOCATOR_CELL + LOCATOR_MARGIN,
        )
        box_idx, tree_idx = self.index.tree.query(boxes, predicate="intersects")
        touching = np.bincount(box_idx, minlength=len(keys))
        kinds = np.where(touching == 0, _OUTSIDE, _MIXED)
        # A cell touched by one buurt only: that buurt's, if the buurt covers all of it.
        single = touching[box_idx] == 1
        candidates, buurten = box_idx[single], tree_idx[single]
        inside = shapely.covers(self.index.geometries[buurten], boxes[candidates])
        kinds[candidates[inside]] = buurten[inside]
        cells = np.concatenate([self.cells, keys])
        order = np.argsort(cells, kind="stable")
        self.cells, self.kinds = cells[order], np.concatenate([self.kinds, kinds])[order]
        pairs = kinds[box_idx] == _MIXED
        pair_cells = np.concatenate([self.pair_cells, keys[box_idx[pairs]]])
        order = np.argsort(pair_cells, kind="stable")
        self.pair_cells = pair_cells[order]
        self.pair_buurten = np.concatenate([self.pair_buurten, tree_idx[pairs]])[order]


class BuurtBoxes:
    """An STRtree over the bounding boxes of the buurten of one dataset, in code order.

    What a process keeps to answer single points: a few dozen bytes a buurt, where the
    boundaries of the whole country at full resolution would take hundreds of megabytes in
    every worker. The few boundaries whose box holds a point come from the database.
    """

    def __init__(self, ids: Sequence[int], boxes: Sequence[Sequence[float | None]]) -> None:
        self.ids = np.array(ids, dtype=np.int64)
        bounds = np.array(boxes, dtype=float).reshape(-1, 4)
        self.tree = shapely.STRtree(shapely.box(*bounds.T))

    @classmethod
    def for_dataset(cls, dataset_id: int) -> BuurtBoxes:
        rows = (
            Buurt.objects.filter(dataset_id=dataset_id, boundary__isnull=False)
            .order_by("code")
            .values_list("id", "min_lon", "min_lat", "max_lon", "max_lat")
        )
        ids, boxes = [], []
        for pk, *box in rows:
            ids.append(pk)
            boxes.append(box)
        return cls(ids, boxes)

    def candidates(self, *, lon: float, lat: float) -> list[int]:
        """Ids of the buurten whose box holds the point (edges included), lowest code first."""
        found = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        return self.ids[np.sort(found)].tolist()


_active_boxes: tuple[tuple, BuurtBoxes] | None = None
_active_boxes_lock = threading.Lock()


def _active_dataset_token() -> tuple | None:
    row = (
        Dataset.objects.filter(is_active=True).values_list("id", "imported_at", "activated_at")
    ).first()
    return tuple(row) if row else None


def active_buurt_boxes() -> BuurtBoxes | None:
    """The boxes of the active dataset, built once per process and built again when the active
    dataset changes (another dataset activated, or the active one re-imported)."""
    global _active_boxes
    token = _active_dataset_token()
    if token is None:
        return None
    cached = _active_boxes
    if cached is not None and cached[0] == token:
        return cached[1]
    with _active_boxes_lock:
        if _active_boxes is None or _active_boxes[0] != token:
            _active_boxes = (token, BuurtBoxes.for_dataset(token[0]))
        return _active_boxes[1]


def find_buurt_for_point(*, lon: float, lat: float) -> Buurt | None:
    """The buurt of the active dataset that covers the point, or None outside the covered area.

    The boxes name the few buurten that can cover the point; their boundaries are tested lowest
    code first, so a point on a shared edge goes to the lowest code, as in BuurtIndex.
    """
    boxes = active_buurt_boxes()
    if boxes is None:
        return None
    ids = boxes.candidates(lon=lon, lat=lat)
    if not ids:
        return None
    point = shapely.Point(lon, lat)
    candidates = (
        Buurt.objects.active()
        .filter(pk__in=ids)
        .select_related("wijk__municipality")
        .defer("wijk__boundary")
        .order_by("code")
    )
    for buurt in candidates:
        geometry = buurt.geometry
        if geometry is not None and shapely.covers(geometry, point):
            return buurt
    return None


def intersecting_pairs(geometries: Sequence) -> list[tuple[int, int]]:
    """Index pairs (i < j) of geometries that intersect, found through an STRtree.

    The boundary import uses it to report overlapping buurten; the exact overlap test is the caller's.
    """
    array = np.array(list(geometries), dtype=object)
    if not len(array):
        return []
    left, right = shapely.STRtree(array).query(array, predicate="intersects")
    return [(i, j) for i, j in zip(left.tolist(), right.tolist(), strict=True) if i < j]
