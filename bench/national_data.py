"""The national dataset of `make bench-national`: files the import commands read, built from the
real BAG addresses and clearly synthetic parts.

- Addresses: the real ones of SHARED_DATA_DIR/bag as they are, plus copies of them moved south
  and west across the country, each copy with postcodes no real address of these files has and
  a place name that starts with "Synthetisch".
- Buurten: Voronoi cells around sampled addresses, their edges cut into short segments and bent
  by a smooth wave, so that a boundary has about 500 corners as CBS buurten have, while
  neighbours still share their edges exactly. Codes BU9xxxxxxx in municipalities GM9xxx: CBS
  gives no municipality a code from 2000 up. Written as a CBS-style GeoPackage.

Everything is drawn from a fixed seed, so every run builds the same country.
"""

from __future__ import annotations

import itertools
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
import zstandard

NATIONAL_ADDRESSES = 9_600_000
NATIONAL_BUURTEN = 14_000
NATIONAL_MUNICIPALITIES = 342
BUURTEN_PER_WIJK = 5
CORNERS_PER_BUURT = 500
SEED = 23
HEADER = b"straat;huisnummer;huisletter;huisnummertoevoeging;postcode;woonplaats;gemeente;provincie;lat;lon\n"
# Where the copies of the real addresses (which lie in the north and the centre) go: offsets in
# degrees (lon, lat) that keep them inside the Netherlands' box, over the south and the west.
COPY_OFFSETS = (
    (-1.0, -0.6),
    (-1.5, -1.3),
    (-0.3, -1.5),
    (0.0, -0.9),
    (-0.8, -0.2),
    (-0.6, -1.1),
    (-1.2, -0.35),
)
# The wave that bends the cells' edges (degrees): crests a few hundred metres apart, tens of
# metres high, gentle enough that the plane is only bent, never folded.
WAVE_LENGTHS = (0.0043, 0.0017)
WAVE_HEIGHTS = (0.00018, 0.00005)
# Postcode letters CBS and PostNL never give out.
UNUSED_LETTERS = {"SA", "SD", "SS"}


@dataclass
class AddressFiles:
    paths: list[Path]
    rows: int
    real_rows: int
    lons: np.ndarray
    lats: np.ndarray


def _read_real(files: list[Path], share: float) -> tuple[list[bytes], np.ndarray, np.ndarray]:
    """The real rows (lines without their end) with their longitudes and latitudes: every row
    (share 1) or an evenly spread share of them."""
    from neighbourhoods.importing.files import open_import_file

    step = max(1, round(1 / share))
    rows, lons, lats = [], [], []
    for path in files:
        with open_import_file(path) as (stream, _fraction):
            next(stream)
            for number, line in enumerate(stream):
                if number % step:
                    continue
                fields = line.rstrip(b"\r\n").split(b";")
                if len(fields) != 10:
                    continue
                try:
                    lat, lon = float(fields[8]), float(fields[9])
                except ValueError:
                    continue
                rows.append(line.rstrip(b"\r\n"))
                lats.append(lat)
                lons.append(lon)
    return rows, np.array(lons), np.array(lats)


def _free_postcodes(real: set[bytes]) -> itertools.chain[bytes]:
    """Postcodes in order that no real address of the files has, none of them a real four-digit area."""
    areas = {postcode[:4] for postcode in real}
    letters = [
        (a + b).encode()
        for a, b in itertools.product(string.ascii_uppercase, repeat=2)
        if a + b not in UNUSED_LETTERS
    ]
    return itertools.chain.from_iterable(
        (str(area).encode() + pair for pair in letters)
        for area in range(1000, 10000)
        if str(area).encode() not in areas
    )


def write_addresses(*, bag_files: list[Path], folder: Path, scale: float) -> AddressFiles:
    """The real files (at scale 1) and a file of generated copies, together 9.6 million x scale
    addresses. Below the scale where the real ones alone are too many, an evenly spread share of
    them is written to a file of its own."""
    total = round(NATIONAL_ADDRESSES * scale)
    real_rows, real_lons, real_lats = _read_real(bag_files, 1.0)
    paths = list(bag_files)
    if total < len(real_rows) * len(COPY_OFFSETS):
        # A small country: an eighth of it real, as at full size.
        share = total / len(real_rows) / 8
        real_rows, real_lons, real_lats = _read_real(bag_files, share)
        path = folder / "bag-sample.csv.zst"
        with zstandard.open(path, "wb", cctx=zstandard.ZstdCompressor(level=3)) as out:
            out.write(HEADER)
            out.write(b"".join(line + b"\n" for line in real_rows))
        paths = [path]
    wanted = total - len(real_rows)
    free = _free_postcodes({line.split(b";", 5)[4] for line in real_rows})
    generated = folder / "generated.csv.zst"
    lons, lats = [real_lons], [real_lats]
    written = 0
    with zstandard.open(generated, "wb", cctx=zstandard.ZstdCompressor(level=1, threads=2)) as out:
        out.write(HEADER)
        for dlon, dlat in itertools.cycle(COPY_OFFSETS):
            if written >= wanted:
                break
            count = min(len(real_rows), wanted - written)
            # An evenly spread part of the real rows when less than a whole copy is left.
            chosen = np.linspace(0, len(real_rows) - 1, count).astype(np.int64)
            postcodes: dict[bytes, bytes] = {}
            copy_lons, copy_lats = real_lons[chosen] + dlon, real_lats[chosen] + dlat
            lines = []
            for index, lon, lat in zip(
                chosen.tolist(), copy_lons.tolist(), copy_lats.tolist(), strict=True
            ):
                straat, number, letter, addition, postcode, place = real_rows[index].split(b";", 6)[
                    :6
                ]
                new = postcodes.get(postcode)
                if new is None:
                    new = postcodes[postcode] = next(free)
                lines.append(
                    b"%s;%s;%s;%s;%s;Synthetisch %s;Synthetisch;Synthetisch;%.8f;%.8f\n"
                    % (straat, number, letter, addition, new, place[:60], lat, lon)
                )
            out.write(b"".join(lines))
            lons.append(copy_lons)
            lats.append(copy_lats)
            written += count
    return AddressFiles(
        paths=[*paths, generated],
        rows=total,
        real_rows=len(real_rows),
        lons=np.concatenate(lons),
        lats=np.concatenate(lats),
    )


def _groups(points: np.ndarray, indices: np.ndarray, parts: int) -> list[np.ndarray]:
    """`indices` split into `parts` compact groups of nearly equal size: halved again and again
    across the longer side of their box (recursive bisection)."""
    if parts <= 1 or len(indices) <= 1:
        return [indices]
    left_parts = parts // 2
    chosen = points[indices]
    spans = chosen.max(axis=0) - chosen.min(axis=0)
    axis = int(np.argmax(spans))
    order = indices[np.argsort(chosen[:, axis], kind="stable")]
    cut = round(len(indices) * left_parts / parts)
    return _groups(points, order[:cut], left_parts) + _groups(
        points, order[cut:], parts - left_parts
    )


def _bend(coordinates: np.ndarray) -> np.ndarray:
    """The smooth wave that bends every edge: a function of the position alone, so a corner
    shared by two cells moves the same way in both."""
    x, y = coordinates[:, 0], coordinates[:, 1]
    dx = np.zeros_like(x)
    dy = np.zeros_like(y)
    for length, height in zip(WAVE_LENGTHS, WAVE_HEIGHTS, strict=True):
        k = 2 * np.pi / length
        dx += height * np.sin(k * y + 1.3 * np.sin(k * x * 0.37))
        dy += height * np.sin(k * x + 0.7 * np.cos(k * y * 0.41))
    return np.column_stack([x + dx, y + dy])


@dataclass
class Country:
    """The synthetic buurten: codes, names, geometries, and each municipality's code and name."""

    codes: list[str]
    names: list[str]
    wijk_names: list[str]
    municipality_codes: list[str]
    municipality_names: list[str]
    geometries: np.ndarray
    # The municipality codes of each of the editors' regions.
    regions: list[list[str]]

    @property
    def corners(self) -> int:
        return int(shapely.get_num_coordinates(self.geometries).sum())


def build_country(
    *, lons: np.ndarray, lats: np.ndarray, scale: float, regions: int = 10
) -> Country:
    """Buurten as Voronoi cells around sampled addresses, grouped into wijken and municipalities."""
    rng = np.random.default_rng(SEED)
    count = max(regions * 2, round(NATIONAL_BUURTEN * scale))
    municipalities = max(regions, round(NATIONAL_MUNICIPALITIES * scale))
    points = np.unique(np.column_stack([lons, lats]), axis=0)
    sites = points[rng.choice(len(points), size=count, replace=False)]
    west, south = sites.min(axis=0)
    east, north = sites.max(axis=0)
    envelope = shapely.box(west - 0.02, south - 0.02, east + 0.02, north + 0.02)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(sites), extend_to=envelope, ordered=True)
    )
    cells = shapely.intersection(cells, envelope)
    segment = shapely.length(cells).sum() / (count * CORNERS_PER_BUURT)
    cells = shapely.segmentize(cells, segment)
    cells = shapely.transform(cells, _bend)
    cells = shapely.normalize(shapely.make_valid(cells))

    codes, names, wijk_names = [""] * count, [""] * count, [""] * count
    municipality_codes, municipality_names = [""] * count, [""] * count
    every = np.arange(count)
    groups = _groups(sites, every, municipalities)
    region_of_group = {}
    centres = np.array([sites[group].mean(axis=0) for group in groups])
    for number, region in enumerate(_groups(centres, np.arange(len(groups)), regions)):
        for group in region.tolist():
            region_of_group[group] = number
    region_codes: list[list[str]] = [[] for _ in range(regions)]
    for g, group in enumerate(groups):
        municipality = f"{9000 + g:04d}"
        region_codes[region_of_group[g]].append(f"GM{municipality}")
        wijken = max(1, round(len(group) / BUURTEN_PER_WIJK))
        for w, wijk in enumerate(_groups(sites, group, wijken)):
            for b, index in enumerate(wijk.tolist()):
                codes[index] = f"BU{municipality}{w:02d}{b:02d}"
                names[index] = f"Synthetische buurt {g}-{w}-{b}"
                wijk_names[index] = f"Synthetische wijk {g}-{w}"
                municipality_codes[index] = f"GM{municipality}"
                municipality_names[index] = f"Synthetische gemeente {g}"
    return Country(
        codes=codes,
        names=names,
        wijk_names=wijk_names,
        municipality_codes=municipality_codes,
        municipality_names=municipality_names,
        geometries=cells,
        regions=region_codes,
    )


def write_geopackage(country: Country, path: Path) -> None:
    """The buurten as CBS publishes them in its Wijk- en buurtkaart: a `buurten` layer in WGS84
    here, with CBS's field names."""
    import pyogrio.raw

    fields = ["buurtcode", "buurtnaam", "wijknaam", "gemeentecode", "gemeentenaam", "water"]
    values = [
        np.array(country.codes, dtype=object),
        np.array(country.names, dtype=object),
        np.array(country.wijk_names, dtype=object),
        np.array(country.municipality_codes, dtype=object),
        np.array(country.municipality_names, dtype=object),
        np.array(["NEE"] * len(country.codes), dtype=object),
    ]
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(country.geometries),
        field_data=values,
        fields=fields,
        layer="buurten",
        driver="GPKG",
        crs="EPSG:4326",
        geometry_type="Unknown",
    )
