"""Boundary maps drawn as inline SVG on the server: no tiles, no script, no third-party request."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class MapShape:
    """One area on the map; `role` becomes a CSS class (`focus`, `also`, `context`)."""

    geometry: BaseGeometry
    label: str
    role: str = "focus"


_DRAWING_ORDER = {"context": 0, "also": 1, "focus": 2}


@dataclass(frozen=True)
class MapMarker:
    lon: float
    lat: float
    label: str
    role: str = "station"


class _Projection:
    """Equirectangular projection around the map's centre latitude, fitted into a square viewBox.

    Accurate enough for a neighbourhood-sized map (a few km); not a survey projection.
    """

    def __init__(self, bounds: tuple[float, float, float, float], size: int, margin: float) -> None:
        min_lon, min_lat, max_lon, max_lat = bounds
        self.cos_lat = math.cos(math.radians((min_lat + max_lat) / 2))
        width = max((max_lon - min_lon) * self.cos_lat, 1e-9)
        height = max(max_lat - min_lat, 1e-9)
        self.scale = (size * (1 - 2 * margin)) / max(width, height)
        self.min_lon, self.max_lat = min_lon, max_lat
        self.width = round(width * self.scale + 2 * size * margin, 1)
        self.height = round(height * self.scale + 2 * size * margin, 1)
        self.offset = size * margin

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.min_lon) * self.cos_lat * self.scale + self.offset
        y = (self.max_lat - lat) * self.scale + self.offset
        return round(x, 1), round(y, 1)


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return []


def _path_data(geometry: BaseGeometry, projection: _Projection) -> str:
    parts = []
    for polygon in _polygons(geometry):
        for ring in (polygon.exterior, *polygon.interiors):
            points = [projection.point(lon, lat) for lon, lat in ring.coords[:-1]]
            if points:
                parts.append("M" + " L".join(f"{x:g} {y:g}" for x, y in points) + " Z")
    return " ".join(parts)


def render_map(
    *,
    shapes: Sequence[MapShape],
    markers: Sequence[MapMarker] = (),
    title: str,
    size: int = 400,
    margin: float = 0.04,
    fit_to: BaseGeometry | None = None,
) -> SafeString:
    """An `<svg role="img">` with a `<title>`; the view fits `fit_to` (default: every shape)."""
    drawable = [shape for shape in shapes if shape.geometry is not None]
    if not drawable:
        return mark_safe("")
    if fit_to is not None:
        bounds = fit_to.bounds
    else:
        boxes = [shape.geometry.bounds for shape in drawable]
        bounds = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    projection = _Projection(bounds, size, margin)
    body = []
    # Context first, so the areas in question are drawn on top of their neighbours.
    for shape in sorted(drawable, key=lambda s: _DRAWING_ORDER.get(s.role, 1)):
        body.append(
            format_html(
                '<path class="map-{}" d="{}" fill-rule="evenodd"><title>{}</title></path>',
                shape.role,
                _path_data(shape.geometry, projection),
                shape.label,
            )
        )
    for marker in markers:
        x, y = projection.point(marker.lon, marker.lat)
        body.append(
            format_html(
                '<g class="map-marker map-{}"><circle cx="{}" cy="{}" r="7"></circle>'
                "<title>{}</title></g>",
                marker.role,
                x,
                y,
                marker.label,
            )
        )
    return format_html(
        '<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}"><title id="{}">{}</title>{}</svg>',
        projection.width,
        projection.height,
        "map-title",
        "map-title",
        title,
        mark_safe("".join(body)),  # noqa: S308 - every part was built with format_html
    )
