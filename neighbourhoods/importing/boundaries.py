"""Boundary imports: read CBS boundaries as GeoJSON (plain, .gz or .zst), GeoPackage or shapefile,
stage a dataset, activate it.

Reading and validating happen before anything is written, so a bad file changes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from wijkportaal.cache import invalidate_public_pages

from ..models import Address, Buurt, Dataset, Municipality, Postcode, Wijk
from ..spatial import BuurtIndex, intersecting_pairs
from .files import ImportFileError, open_import_file
from .postcodes import assign_postcodes_to_buurten
from .summary import ImportCounts

CODE_RE = re.compile(r"^(GM|WK|BU)[0-9]{4,8}$")
RD_NEW_NAMES = {"EPSG:28992", "urn:ogc:def:crs:EPSG::28992", "urn:ogc:def:crs:EPSG:28992"}
WGS84_NAMES = {
    "EPSG:4326",
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
}
# The property names CBS uses, per publication channel: our fixtures, PDOK, shapefile exports and
# cartographic extracts. The first name found wins.
PROPERTY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "code": (
        "code",
        "buurtcode",
        "wijkcode",
        "gemeentecode",
        "gemeenteco",
        "BU_CODE",
        "WK_CODE",
        "GM_CODE",
        "statcode",
    ),
    "name": (
        "name",
        "buurtnaam",
        "wijknaam",
        "gemeentenaam",
        "gemeentena",
        "BU_NAAM",
        "WK_NAAM",
        "GM_NAAM",
        "statnaam",
    ),
    "wijk_name": ("wijk_name", "wijknaam", "WK_NAAM"),
    # A shapefile's field names hold at most 10 characters: gemeentena(am), gemeenteco(de).
    "gemeente_name": ("gemeente_name", "gemeentenaam", "gemeentena", "GM_NAAM"),
    "water": ("water", "WATER"),
}
# CBS marks areas that are (almost) only water with water = "JA".
WATER_VALUES = {"JA", "J", "YES", "TRUE", "1"}
# GeoPackage and shapefile: read with GDAL (pyogrio). Layers picked by these names, in this order.
OGR_SUFFIXES = (".gpkg", ".shp", ".shp.zip")
LAYER_LEVELS = (("GM", "gemeenten"), ("WK", "wijken"), ("BU", "buurten"))
NAME_MAX_LENGTH = Buurt._meta.get_field("name").max_length or 150
MUNICIPALITY_NAME_MAX_LENGTH = Municipality._meta.get_field("name").max_length or 100
MUNICIPALITY_CODE_MAX_LENGTH = Municipality._meta.get_field("code").max_length or 6
# Control characters: a NUL byte in particular, which PostgreSQL refuses in text.
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x1f\x7f]")
# Within a buurt file, `wijknaam` names the wijk, not the feature; keep it out of `name` there.
NAME_BY_LEVEL = {
    "BU": ("name", "buurtnaam", "BU_NAAM", "statnaam"),
    "WK": ("name", "wijknaam", "WK_NAAM", "statnaam"),
    "GM": ("name", "gemeentenaam", "gemeentena", "GM_NAAM", "statnaam"),
}
LEVEL_CODE_PROPERTIES = {
    "BU": ("code", "buurtcode", "BU_CODE", "statcode"),
    "WK": ("code", "wijkcode", "WK_CODE", "statcode"),
    "GM": ("code", "gemeentecode", "gemeenteco", "GM_CODE", "statcode"),
}
# The Netherlands with a margin, in WGS84: coordinates outside are a wrong CRS, not a boundary.
NL_BOUNDS = (3.0, 50.6, 7.4, 53.7)
# Addresses read, located and written per round when a dataset is activated.
ASSIGN_BATCH_SIZE = 100_000
# On PostgreSQL, an activation that moves at least this share of the addresses to another buurt
# writes the address table anew instead of updating those rows (see _rewrite_addresses).
REWRITE_SHARE = 0.25
# Memory for sorting while an index is built (SET LOCAL: this transaction only).
INDEX_BUILD_MEM = "256MB"


class BoundaryFileError(ImportFileError):
    """A file that cannot be imported; the message names the feature and the reason."""


@dataclass
class BoundaryFeature:
    level: str
    code: str
    name: str
    geometry: BaseGeometry
    wijk_name: str = ""
    gemeente_name: str = ""
    is_water: bool = False

    @property
    def wijk_code(self) -> str:
        return "WK" + self.code[2:8]

    @property
    def gemeente_code(self) -> str:
        return "GM" + self.code[2:6]


@dataclass
class BoundarySummary(ImportCounts):
    dataset: str = ""
    level: str = ""
    activated: bool = False
    addresses_assigned: int = 0
    addresses_outside: int = 0
    water: int = 0
    overlaps: list[tuple[str, str, float]] = field(default_factory=list)


def _pick(properties: dict[str, Any], names: Iterable[str]) -> str:
    for name in names:
        value = properties.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _crs_transformer(collection: dict[str, Any]) -> Transformer | None:
    crs = collection.get("crs")
    if not crs:
        return None
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
    if name in WGS84_NAMES:
        return None
    if name in RD_NEW_NAMES:
        return Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
    raise BoundaryFileError(
        f"The file's crs member names {name or crs!r}; use WGS84 (RFC 7946) or EPSG:28992 (RD New)."
    )


def read_boundary_file(path: Path, *, layer: str | None = None) -> list[BoundaryFeature]:
    """Parse and validate the features of one level (buurten, wijken or municipalities) from a
    GeoJSON FeatureCollection, or from one layer of a GeoPackage or shapefile."""
    levels = read_boundary_layers(path, layer=layer)
    if len(levels) > 1:
        raise BoundaryFileError(
            f"{path} holds several layers ({', '.join(name for name, _ in levels)}); "
            "choose one with --layer."
        )
    return levels[0][1]


def read_boundary_layers(
    path: Path, *, layer: str | None = None
) -> list[tuple[str, list[BoundaryFeature]]]:
    """(layer name, its features) for each level in the file, municipalities before wijken
    before buurten: one entry for GeoJSON, a shapefile or a chosen layer; for a GeoPackage without
    `layer`, each of its layers named as CBS names them (gemeenten, wijken, buurten)."""
    if path.name.lower().endswith(OGR_SUFFIXES):
        return [(name, _check_level(path, features)) for name, features in _read_ogr(path, layer)]
    if layer is not None:
        raise BoundaryFileError(f"{path} is GeoJSON, which has no layers; leave out --layer.")
    return [("", _check_level(path, _read_geojson(path)))]


def _read_geojson(path: Path) -> list[BoundaryFeature]:
    try:
        with open_import_file(path, BoundaryFileError) as (stream, _fraction):
            collection = json.load(stream)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BoundaryFileError(f"{path} is not GeoJSON: {error}.") from error
    except RecursionError as error:
        raise BoundaryFileError(
            f"{path} is not GeoJSON a boundary file can hold: its arrays or objects are nested "
            "too deeply."
        ) from error
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BoundaryFileError(f"{path} is not a GeoJSON FeatureCollection.")
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryFileError(f"{path} holds no features.")
    transformer = _crs_transformer(collection)
    return [
        _read_feature(number, feature, transformer)
        for number, feature in enumerate(features, start=1)
    ]


def _check_level(path: Path, parsed: list[BoundaryFeature]) -> list[BoundaryFeature]:
    """One level per file or layer, each code once."""
    levels = {feature.level for feature in parsed}
    if len(levels) > 1:
        raise BoundaryFileError(
            f"{path} mixes levels {', '.join(sorted(levels))}; import one level per file."
        )
    seen: dict[str, int] = {}
    for number, feature in enumerate(parsed, start=1):
        if feature.code in seen:
            raise BoundaryFileError(
                f"Feature {number} ({feature.code}): duplicate code, also used by feature "
                f"{seen[feature.code]}."
            )
        seen[feature.code] = number
    return parsed


def _read_ogr(path: Path, layer: str | None) -> list[tuple[str, list[BoundaryFeature]]]:
    """The chosen or recognised layers of a GeoPackage or shapefile, read with GDAL."""
    # Imported here: only these formats need GDAL loaded.
    import pyogrio
    import pyogrio.raw
    from pyogrio.errors import DataLayerError, DataSourceError

    if not path.exists():
        raise BoundaryFileError(f"{path}: no such file.")
    try:
        names = [str(name) for name, _geometry_type in pyogrio.list_layers(path)]
    except DataSourceError as error:
        raise BoundaryFileError(
            f"{path} cannot be read as GeoPackage or shapefile: {error}."
        ) from error
    if layer is not None:
        if layer not in names:
            raise BoundaryFileError(
                f"{path} has no layer {layer!r}; its layers: {', '.join(names)}."
            )
        chosen = [layer]
    elif len(names) == 1:
        chosen = names
    else:
        chosen = [name for _level, word in LAYER_LEVELS for name in names if word in name.lower()]
        if not chosen:
            raise BoundaryFileError(
                f"{path} has no layer named gemeenten, wijken or buurten; choose one of "
                f"{', '.join(names)} with --layer."
            )
    read = []
    for name in chosen:
        try:
            meta, _fids, geometries, values = pyogrio.raw.read(path, layer=name)
        except (DataSourceError, DataLayerError) as error:
            raise BoundaryFileError(f"{path}, layer {name}: cannot be read: {error}.") from error
        transformer = _ogr_transformer(path, name, meta.get("crs"))
        fields = [str(field) for field in meta["fields"]]
        features = []
        for number, wkb in enumerate(geometries, start=1):
            properties = {
                field: _plain(column[number - 1])
                for field, column in zip(fields, values, strict=True)
            }
            features.append(_read_ogr_feature(number, properties, wkb, transformer))
        if not features:
            raise BoundaryFileError(f"{path}, layer {name}: holds no features.")
        read.append((name, features))
    return read


def _plain(value: Any) -> Any:
    """A GDAL field value as Python: numpy scalars to their Python value."""
    return value.item() if isinstance(value, np.generic) else value


def _ogr_transformer(path: Path, layer: str, crs: str | None) -> Transformer | None:
    """To WGS84 from the layer's CRS; a file that names none is taken to be in RD New, as CBS
    publishes."""
    if crs is None:
        return Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
    try:
        transformer = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except Exception as error:  # pyproj raises its own CRSError and others for unknown CRSs
        raise BoundaryFileError(f"{path}, layer {layer}: unknown CRS {crs!r} ({error}).") from error
    return None if transformer.source_crs == transformer.target_crs else transformer


def _read_ogr_feature(
    number: int, properties: dict[str, Any], wkb: bytes | None, transformer: Transformer | None
) -> BoundaryFeature:
    feature = _read_properties(number, properties)
    label = f"Feature {number} ({feature.code})"
    if wkb is None:
        raise BoundaryFileError(f"{label}: no geometry.")
    try:
        geometry = shapely.from_wkb(wkb)
    except shapely.errors.GEOSException as error:
        raise BoundaryFileError(f"{label}: unreadable geometry ({error}).") from error
    if geometry.geom_type not in {"Polygon", "MultiPolygon"}:
        raise BoundaryFileError(
            f"{label}: geometry must be a Polygon or MultiPolygon, not {geometry.geom_type}."
        )
    feature.geometry = _checked_geometry(label, geometry, transformer)
    return feature


def _read_feature(number: int, feature: Any, transformer: Transformer | None) -> BoundaryFeature:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise BoundaryFileError(f"Feature {number}: not a GeoJSON Feature.")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise BoundaryFileError(
            f"Feature {number}: properties must be a JSON object, not {type(properties).__name__}."
        )
    read = _read_properties(number, properties)
    read.geometry = _read_geometry(
        f"Feature {number} ({read.code})", feature.get("geometry"), transformer
    )
    return read


def _read_properties(number: int, properties: dict[str, Any]) -> BoundaryFeature:
    """A feature's level, code, names and water flag, checked; its geometry still empty."""
    code = _pick(properties, PROPERTY_SPELLINGS["code"]).upper()
    label = f"Feature {number}" + (f" ({code[:20]})" if code else "")
    if not code:
        raise BoundaryFileError(
            f"{label}: no code property found; expected one of "
            f"{', '.join(PROPERTY_SPELLINGS['code'])}. Properties present: "
            f"{', '.join(sorted(properties)) or 'none'}."
        )
    if not CODE_RE.match(code):
        raise BoundaryFileError(f"{label}: {code[:40]!r} is not a CBS code (BU…, WK… or GM…).")
    level = code[:2]
    # A buurt file may carry its wijk's code in `wijkcode`; prefer the level's own property.
    code = _pick(properties, LEVEL_CODE_PROPERTIES[level]).upper() or code
    if not CODE_RE.match(code) or code[:2] != level:
        raise BoundaryFileError(f"{label}: {code[:40]!r} is not a CBS {level} code.")
    if level == "GM" and len(code) > MUNICIPALITY_CODE_MAX_LENGTH:
        raise BoundaryFileError(
            f"{label}: {code!r} is too long for a municipality code (GM + 4 digits)."
        )
    name = _pick(properties, NAME_BY_LEVEL[level])
    if not name:
        raise BoundaryFileError(
            f"{label}: no name property found; expected one of {', '.join(NAME_BY_LEVEL[level])}. "
            f"Properties present: {', '.join(sorted(properties))}."
        )
    gemeente_name = _pick(properties, PROPERTY_SPELLINGS["gemeente_name"])
    wijk_name = _pick(properties, PROPERTY_SPELLINGS["wijk_name"]) if level == "BU" else ""
    limit = MUNICIPALITY_NAME_MAX_LENGTH if level == "GM" else NAME_MAX_LENGTH
    _check_text(label, "name", name, limit)
    _check_text(label, "wijk name", wijk_name, NAME_MAX_LENGTH)
    _check_text(label, "municipality name", gemeente_name, MUNICIPALITY_NAME_MAX_LENGTH)
    water = _pick(properties, PROPERTY_SPELLINGS["water"]).upper()
    return BoundaryFeature(
        level=level,
        code=code,
        name=name,
        geometry=shapely.Polygon(),
        wijk_name=wijk_name,
        gemeente_name=gemeente_name,
        is_water=water in WATER_VALUES,
    )


def _check_text(label: str, what: str, value: str, max_length: int) -> None:
    if CONTROL_CHARACTERS_RE.search(value):
        raise BoundaryFileError(
            f"{label}: the {what} holds control characters (such as a NUL byte)."
        )
    if len(value) > max_length:
        raise BoundaryFileError(
            f"{label}: the {what} is {len(value)} characters long; at most {max_length} fit."
        )


def _is_position(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(isinstance(n, int | float) and not isinstance(n, bool) for n in value)
    )


def _check_nesting(label: str, kind: str, polygons: Any) -> None:
    """Polygons -> rings -> [x, y] positions, before shapely sees them (it raises bare TypeErrors)."""
    well_formed = isinstance(polygons, list) and all(
        isinstance(polygon, list)
        and all(
            isinstance(ring, list) and all(_is_position(position) for position in ring)
            for ring in polygon
        )
        for polygon in polygons
    )
    if not well_formed:
        depth = "rings of [x, y] positions" if kind == "Polygon" else "polygons of rings of [x, y]"
        raise BoundaryFileError(f"{label}: the {kind}'s coordinates must be a list of {depth}.")


def _read_geometry(label: str, raw: Any, transformer: Transformer | None) -> BaseGeometry:
    if not isinstance(raw, dict) or raw.get("type") not in {"Polygon", "MultiPolygon"}:
        kind = raw.get("type") if isinstance(raw, dict) else type(raw).__name__
        raise BoundaryFileError(f"{label}: geometry must be a Polygon or MultiPolygon, not {kind}.")
    polygons = raw.get("coordinates") or []
    if raw["type"] == "Polygon":
        polygons = [polygons]
    _check_nesting(label, raw["type"], polygons)
    for polygon in polygons:
        for ring in polygon or [[]]:
            if len(ring) < 4:
                raise BoundaryFileError(
                    f"{label}: a ring has fewer than 4 points; a ring needs at least 4."
                )
            if ring[0] != ring[-1]:
                raise BoundaryFileError(
                    f"{label}: a ring is not closed (its first and last points differ)."
                )
    try:
        geometry = shape(raw)
    except (ValueError, TypeError, IndexError) as error:
        raise BoundaryFileError(f"{label}: unreadable coordinates ({error}).") from error
    return _checked_geometry(label, geometry, transformer)


def _checked_geometry(
    label: str, geometry: BaseGeometry, transformer: Transformer | None
) -> BaseGeometry:
    """In WGS84, valid, inside the Netherlands, normalised."""
    if transformer is not None:
        geometry = shapely.transform(geometry, _reprojector(transformer), interleaved=False)
    if not geometry.is_valid:
        raise BoundaryFileError(f"{label}: invalid geometry: {explain_validity(geometry)}.")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    west, south, east, north = NL_BOUNDS
    if min_lon < west or max_lon > east or min_lat < south or max_lat > north:
        raise BoundaryFileError(
            f"{label}: coordinates lie outside the Netherlands; is the file in RD New without a "
            f"crs member naming EPSG:28992?"
        )
    return shapely.normalize(geometry)


def _reprojector(transformer: Transformer) -> Callable[[np.ndarray, np.ndarray], tuple]:
    def reproject(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return transformer.transform(x, y)

    return reproject


def find_overlaps(
    features: list[BoundaryFeature], *, min_area_m2: float = 1.0
) -> list[tuple[str, str, float]]:
    """Pairs of features whose interiors overlap, with the overlap's approximate area in m²."""
    geometries = [feature.geometry for feature in features]
    overlaps = []
    for i, j in intersecting_pairs(geometries):
        area = _area_m2(shapely.intersection(geometries[i], geometries[j]))
        if area >= min_area_m2:
            overlaps.append((features[i].code, features[j].code, area))
    return overlaps


def _area_m2(geometry: BaseGeometry) -> float:
    if geometry.is_empty:
        return 0.0
    lat = geometry.centroid.y
    # Degrees to metres near this latitude; plenty for reporting an overlap's size.
    return geometry.area * 111_320.0 * 111_320.0 * float(np.cos(np.radians(lat)))


def _geometry_fields(geometry: BaseGeometry) -> dict[str, Any]:
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    label = shapely.point_on_surface(geometry)
    return {
        "boundary": shapely.to_wkb(geometry),
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "label_lon": label.x,
        "label_lat": label.y,
    }


def dataset_name_for(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".zst", ".geojson", ".json", ".zip", ".gpkg", ".shp"):
        name = name.removesuffix(suffix)
    return name


def import_boundaries(
    *,
    features: list[BoundaryFeature],
    dataset_name: str,
    source: str = "",
    activate: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BoundarySummary:
    """Create or update the features in the named dataset, in one transaction; optionally activate."""
    level = features[0].level
    longest = Dataset._meta.get_field("name").max_length or 100
    if len(dataset_name) > longest:
        raise BoundaryFileError(
            f"The dataset name {dataset_name[:40]!r}… is {len(dataset_name)} characters long; at "
            f"most {longest} fit. Name it with --dataset."
        )
    summary = BoundarySummary(
        dataset=dataset_name, level=level, water=sum(feature.is_water for feature in features)
    )
    if level == "GM":
        # Municipalities are not versioned: their codes and names hold across datasets.
        if activate:
            raise BoundaryFileError(
                "A municipality (GM) file has no dataset to activate; import buurten with --activate."
            )
        summary.dataset = ""
        with transaction.atomic():
            _upsert_municipalities(features, summary)
        return summary
    summary.overlaps = find_overlaps(features)
    with transaction.atomic():
        dataset, _created = Dataset.objects.get_or_create(
            name=dataset_name, defaults={"source": source}
        )
        if level == "WK":
            _upsert_wijken(dataset, features, summary)
        else:
            _upsert_buurten(dataset, features, summary)
        if summary.created or summary.updated:
            # Touching imported_at tells every process that the index of this dataset changed.
            Dataset.objects.filter(pk=dataset.pk).update(imported_at=timezone.now())
        if activate:
            assigned, outside = activate_dataset(dataset, progress=progress)
            summary.activated = True
            summary.addresses_assigned, summary.addresses_outside = assigned, outside
        elif dataset.is_active and level == "BU" and (summary.created or summary.updated):
            # New shapes in the dataset that answers lookups: addresses must follow them now.
            assigned, outside = assign_addresses(dataset, progress=progress)
            summary.addresses_assigned, summary.addresses_outside = assigned, outside
            assign_postcodes_to_buurten(dataset)
    return summary


def _municipality(code: str, name: str) -> Municipality:
    municipality, created = Municipality.objects.get_or_create(
        code=code, defaults={"name": name or code}
    )
    if name and not created and municipality.name != name:
        municipality.name = name
        municipality.save(update_fields=["name"])
    return municipality


def _upsert_municipalities(features: list[BoundaryFeature], summary: BoundarySummary) -> None:
    existing = {m.code: m for m in Municipality.objects.filter(code__in=[f.code for f in features])}
    for feature in features:
        municipality = existing.get(feature.code)
        if municipality is None:
            Municipality.objects.create(code=feature.code, name=feature.name)
            summary.created += 1
        elif municipality.name != feature.name:
            municipality.name = feature.name
            municipality.save(update_fields=["name"])
            summary.updated += 1
        else:
            summary.unchanged += 1


def _upsert_area(
    model: type[Wijk] | type[Buurt],
    existing: Any,
    values: dict[str, Any],
    summary: BoundarySummary,
    **keys: Any,
) -> Any:
    if existing is None:
        summary.created += 1
        return model.objects.create(**keys, **values)
    changed = {
        name: value
        for name, value in values.items()
        if (bytes(getattr(existing, name)) if name == "boundary" else getattr(existing, name))
        != value
    }
    if changed:
        for name, value in changed.items():
            setattr(existing, name, value)
        existing.save(update_fields=list(changed))
        summary.updated += 1
    else:
        summary.unchanged += 1
    return existing


def _upsert_wijken(
    dataset: Dataset, features: list[BoundaryFeature], summary: BoundarySummary
) -> None:
    existing = {w.code: w for w in Wijk.objects.filter(dataset=dataset)}
    for feature in features:
        municipality = _municipality(feature.gemeente_code, feature.gemeente_name)
        values = {
            "name": feature.name,
            "municipality_id": municipality.pk,
            **_geometry_fields(feature.geometry),
        }
        _upsert_area(
            Wijk, existing.get(feature.code), values, summary, dataset=dataset, code=feature.code
        )


def _upsert_buurten(
    dataset: Dataset, features: list[BoundaryFeature], summary: BoundarySummary
) -> None:
    wijken = {w.code: w for w in Wijk.objects.filter(dataset=dataset)}
    existing = {b.code: b for b in Buurt.objects.filter(dataset=dataset)}
    for feature in features:
        wijk = wijken.get(feature.wijk_code)
        if wijk is None:
            # A buurt file without its wijken: create the wijk from the buurt's properties; a
            # later wijk import fills in its boundary.
            municipality = _municipality(feature.gemeente_code, feature.gemeente_name)
            wijk = Wijk.objects.create(
                dataset=dataset,
                code=feature.wijk_code,
                name=feature.wijk_name or feature.wijk_code,
                municipality=municipality,
            )
            wijken[wijk.code] = wijk
        values = {
            "name": feature.name,
            "wijk_id": wijk.pk,
            "is_water": feature.is_water,
            **_geometry_fields(feature.geometry),
        }
        _upsert_area(
            Buurt, existing.get(feature.code), values, summary, dataset=dataset, code=feature.code
        )


def activate_dataset(
    dataset: Dataset,
    *,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Make `dataset` the one that answers lookups, in one transaction.

    Every address and postcode is re-assigned to its buurt in the new dataset, and everything else that points
    at a buurt (officer assignments) follows the buurt's code to the new dataset.
    Returns (addresses in a buurt, addresses outside every buurt).
    """
    with transaction.atomic():
        previous = Dataset.objects.filter(is_active=True).exclude(pk=dataset.pk).first()
        if previous is not None:
            _follow_buurt_codes(previous, dataset)
            Dataset.objects.filter(pk=previous.pk).update(is_active=False)
        Dataset.objects.filter(pk=dataset.pk).update(is_active=True, activated_at=timezone.now())
        # Bulk updates send no signals: clear cached pages and shared data once the new
        # boundaries are committed (not before, or a request could cache the old ones again).
        transaction.on_commit(invalidate_public_pages)
        counts = assign_addresses(dataset, batch_size=batch_size, progress=progress)
        assign_postcodes_to_buurten(dataset)
        return counts


def _follow_buurt_codes(previous: Dataset, current: Dataset) -> None:
    """Point every row that references a buurt of `previous` at the buurt with the same code in
    `current`: one UPDATE per referencing model. Rows whose code is gone keep the old buurt."""
    current_codes = Buurt.objects.filter(dataset=current).values("code")
    for relation in Buurt._meta.related_objects:
        # Addresses and postcodes are placed anew by their points, not by a buurt's code.
        if relation.related_model in (Address, Postcode) or not relation.one_to_many:
            continue
        model, column = relation.related_model, relation.field.attname
        old_code = Buurt.objects.filter(pk=OuterRef(OuterRef(column))).values("code")[:1]
        new_id = Buurt.objects.filter(dataset=current, code=Subquery(old_code)).values("pk")[:1]
        model._default_manager.filter(
            **{
                f"{column}__in": Buurt.objects.filter(
                    dataset=previous, code__in=current_codes
                ).values("pk")
            }
        ).update(**{column: Subquery(new_id)})


def assign_addresses(
    dataset: Dataset,
    *,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Give every address its buurt in `dataset`: read in id order, locate each batch at once,
    and write the addresses whose buurt changes with one UPDATE. Returns (in a buurt, outside
    every buurt).

    `progress` is called with the number of addresses located so far after each batch."""
    batch_size = batch_size or ASSIGN_BATCH_SIZE
    locator = BuurtIndex.for_dataset(dataset.pk).cell_locator()
    table = connection.ops.quote_name(Address._meta.db_table)
    assigned = outside = 0
    last_id = 0
    with transaction.atomic(), connection.cursor() as cursor:
        changes = _BuurtChanges(cursor)
        if changes.postgres:
            # Nobody writes addresses until the commit (imports and edits wait); lookups read on.
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        while True:
            ids, lons, lats, old = _address_batch(
                cursor, table, after=last_id, size=batch_size, binary=changes.postgres
            )
            if not len(ids):
                break
            last_id = int(ids[-1])
            located = locator.locate_many(lons, lats)
            inside = int((located >= 0).sum())
            assigned += inside
            outside += len(ids) - inside
            if progress is not None:
                progress(assigned + outside)
            changed = located != old
            changes.add(ids[changed], located[changed])
        changes.apply(table, total=assigned + outside)
    return assigned, outside


# PostgreSQL's binary COPY format for the rows activation reads and writes: a field count, then
# each value's size and the value, big-endian. In it numpy reads and writes a batch of addresses
# at once, where psycopg would make Python objects of every value: at national size that alone
# kept an activation from its time limit.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_COPY_TRAILER = b"\xff\xff"
_ADDRESS_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("id_size", ">i4"),
        ("id", ">i8"),
        ("lon_size", ">i4"),
        ("lon", ">f8"),
        ("lat_size", ">i4"),
        ("lat", ">f8"),
        ("buurt_size", ">i4"),
        ("buurt", ">i8"),
    ]
)
_CHANGE_ROW = np.dtype(
    [("fields", ">i2"), ("id_size", ">i4"), ("id", ">i8"), ("buurt_size", ">i4"), ("buurt", ">i8")]
)


def _address_batch(
    cursor: Any, table: str, *, after: int, size: int, binary: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ids, longitudes, latitudes and buurt ids (-1 for none) of up to `size` addresses after
    id `after`, in id order; `binary` (PostgreSQL) reads them as binary COPY."""
    select = (
        "SELECT CAST(id AS bigint), CAST(lon AS double precision), "  # noqa: S608
        f"CAST(lat AS double precision), CAST(COALESCE(buurt_id, -1) AS bigint) FROM {table} "
        "WHERE id > %s ORDER BY id LIMIT %s"
    )
    if binary:
        data = bytearray()
        with cursor.cursor.copy(
            f"COPY ({select}) TO STDOUT (FORMAT binary)", [after, size]
        ) as copy:
            for chunk in copy:
                data += chunk
        count = (len(data) - len(_COPY_HEADER) - len(_COPY_TRAILER)) // _ADDRESS_ROW.itemsize
        rows = np.frombuffer(data, dtype=_ADDRESS_ROW, offset=len(_COPY_HEADER), count=count)
        columns = [rows[name] for name in ("id", "lon", "lat", "buurt")]
    else:
        cursor.execute(select, [after, size])
        columns = [np.array(column) for column in zip(*cursor.fetchall(), strict=True)] or [
            np.empty(0)
        ] * 4
    ids, lons, lats, buurten = columns
    return ids.astype(np.int64), lons.astype(float), lats.astype(float), buurten.astype(np.int64)


class _BuurtChanges:
    """(address id, buurt id or -1) pairs gathered in a temporary table, then written to the
    address table by one set-based UPDATE, or on PostgreSQL, when most addresses move, by
    writing the table anew."""

    TABLE = "wp_address_buurt_changes"

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"
        self.pending = 0
        if self.postgres:
            # The UPDATE hashes every change; keep that hash in memory (this transaction only).
            cursor.execute("SET LOCAL work_mem = '128MB'")
            # A server crash just after the commit may undo the activation as a whole (run it
            # again), never half of it.
            cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.TABLE} (id bigint PRIMARY KEY, buurt_id bigint)"
        )

    def add(self, ids: np.ndarray, buurt_ids: np.ndarray) -> None:
        if not len(ids):
            return
        self.pending += len(ids)
        if self.postgres:
            # COPY, because a statement per address would cost more than locating it.
            rows = np.empty(len(ids), dtype=_CHANGE_ROW)
            rows["fields"], rows["id_size"], rows["buurt_size"] = 2, 8, 8
            rows["id"], rows["buurt"] = ids, buurt_ids
            sql = f"COPY {self.TABLE} (id, buurt_id) FROM STDIN (FORMAT binary)"
            with self.cursor.cursor.copy(sql) as copy:
                copy.write(_COPY_HEADER + rows.tobytes() + _COPY_TRAILER)
            return
        self.cursor.executemany(
            f"INSERT INTO {self.TABLE} (id, buurt_id) VALUES (%s, %s)",  # noqa: S608
            list(zip(ids.tolist(), buurt_ids.tolist(), strict=True)),
        )

    def apply(self, table: str, *, total: int) -> None:
        if self.pending and self.postgres:
            # Temporary tables get no automatic statistics; with them the UPDATE is a hash join
            # instead of a plan made for a handful of rows.
            self.cursor.execute(f"ANALYZE {self.TABLE}")
            if self.pending >= REWRITE_SHARE * total and _owns_address_table(self.cursor):
                _rewrite_addresses(self.cursor, self.TABLE)
                self.pending = 0
        if self.pending:
            self.cursor.execute(
                f"UPDATE {table} AS address SET buurt_id = NULLIF(change.buurt_id, -1) "  # noqa: S608
                f"FROM {self.TABLE} AS change WHERE address.id = change.id"
            )
        self.cursor.execute(f"DROP TABLE {self.TABLE}")


REWRITTEN_TABLE = "wp_address_rewritten"


def _owns_address_table(cursor: Any) -> bool:
    """Whether this role may replace the address table (only its owner may drop it): where the
    tables belong to another role than the one running commands, the rows are updated instead."""
    cursor.execute(
        "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
        "WHERE oid = %s::regclass",
        [Address._meta.db_table],
    )
    return bool(cursor.fetchone()[0])


def _rewrite_addresses(cursor: Any, changes: str) -> None:
    """Write the address table anew with the changed buurten, PostgreSQL only, in the caller's
    transaction: a copy with the new buurt ids, its indexes and constraints built from the old
    table's own definitions, then the copy takes the old table's place, names and privileges.

    Kept because updating most rows in place writes a new version of each row and an entry in
    every index for it, which makes a national activation miss its time limit; writing the rows
    once and building each index by sorting does not. Lookups read the old table until the swap,
    which waits only for the lookups running at that moment; from the swap to the commit
    (renames) new lookups wait. The caller holds a SHARE lock, so no address changes between
    the copy and the swap.
    """
    quote = connection.ops.quote_name
    name = Address._meta.db_table
    table, new = quote(name), quote(REWRITTEN_TABLE)
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), k.conname, pg_get_constraintdef(k.oid) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass ORDER BY i.indisprimary DESC, c.relname",
        [name],
    )
    indexes = cursor.fetchall()
    # Privileges given on the table (to a read-only role, say) are given again on the new one.
    cursor.execute(
        "SELECT COALESCE(quote_ident(r.rolname), 'PUBLIC'), a.privilege_type, a.is_grantable "
        "FROM pg_class c CROSS JOIN aclexplode(c.relacl) a "
        "LEFT JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE c.oid = %s::regclass AND a.grantee <> c.relowner",
        [name],
    )
    grants = cursor.fetchall()
    cursor.execute(
        "SELECT s.relname, s.oid::regclass::text FROM pg_class s "
        "WHERE s.oid = pg_get_serial_sequence(%s, 'id')::regclass",
        [name],
    )
    sequence_name, sequence = cursor.fetchone()

    columns = [str(field.column) for field in Address._meta.concrete_fields]
    selected = [
        "CASE WHEN change.id IS NULL THEN address.buurt_id ELSE NULLIF(change.buurt_id, -1) END"
        if column == "buurt_id"
        else f"address.{quote(column)}"
        for column in columns
    ]
    cursor.execute(f"DROP TABLE IF EXISTS {new}")
    cursor.execute(
        f"CREATE TABLE {new} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY "
        "INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)"
    )
    cursor.execute(
        f"INSERT INTO {new} ({', '.join(map(quote, columns))}) OVERRIDING SYSTEM VALUE "  # noqa: S608
        f"SELECT {', '.join(selected)} FROM {table} AS address "
        f"LEFT JOIN {changes} AS change ON change.id = address.id"
    )
    cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEM}'")
    built: list[tuple[str, str, str | None]] = []
    for index, definition, constraint, constraint_definition in indexes:
        temporary = quote(f"wp_rewritten_{len(built)}")
        if constraint:
            cursor.execute(f"ALTER TABLE {new} ADD CONSTRAINT {temporary} {constraint_definition}")
        else:
            # "CREATE [UNIQUE] INDEX name ON public.table USING ...": another name and table.
            head, _on, tail = definition.partition(" ON ")
            cursor.execute(f"{head.rsplit(' ', 1)[0]} {temporary} ON {new} {tail.split(' ', 1)[1]}")
        built.append((temporary, index, constraint))
    for role, privilege, grantable in grants:
        option = " WITH GRANT OPTION" if grantable else ""
        cursor.execute(f"GRANT {privilege} ON {new} TO {role}{option}")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM {sequence}",  # noqa: S608
        [REWRITTEN_TABLE],
    )

    # Statistics first: from the swap to the commit, lookups wait.
    cursor.execute(f"ANALYZE {new}")
    # The swap. Dropping the old table waits for the lookups reading it; the next ones find the
    # new table under the old name.
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"ALTER TABLE {new} RENAME TO {table}")
    for temporary, index, constraint in built:
        # Renaming a constraint's index renames the constraint with it.
        cursor.execute(f"ALTER INDEX {temporary} RENAME TO {quote(index)}")
        if constraint and constraint != index:
            cursor.execute(
                f"ALTER TABLE {table} RENAME CONSTRAINT {quote(index)} TO {quote(constraint)}"
            )
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')::regclass::text", [name])
    (new_sequence,) = cursor.fetchone()
    cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {quote(sequence_name)}")
