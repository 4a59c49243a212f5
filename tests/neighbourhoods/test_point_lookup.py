"""Point -> buurt: covers semantics and the lowest-code tie-break, for one point (the boxes in
memory, the boundaries from the database) and for many at once (the STRtree of boundaries)."""

import numpy as np
import pytest
from django.utils import timezone
from shapely.geometry import MultiPolygon, Polygon

from neighbourhoods.models import Dataset
from neighbourhoods.spatial import (
    LOCATOR_CELL,
    BuurtIndex,
    active_buurt_boxes,
    find_buurt_for_point,
)
from tests import factories


def test_point_inside_a_buurt(buurten):
    lon, lat = factories.centre(1, 0)
    assert find_buurt_for_point(lon=lon, lat=lat) == buurten["east"]


def test_point_on_a_shared_edge_goes_to_the_lowest_code(buurten):
    lon, lat = factories.corner(1, 0)
    lat += factories.STEP / 2  # halfway up the edge between west (…01) and east (…02)
    assert find_buurt_for_point(lon=lon, lat=lat) == buurten["west"]


def test_point_on_a_vertex_shared_by_three_buurten_goes_to_the_lowest_code(buurten):
    lon, lat = factories.corner(1, 1)  # where west, east and north meet
    assert find_buurt_for_point(lon=lon, lat=lat) == buurten["west"]


def test_point_on_an_outer_boundary_counts_as_covered(buurten):
    lon, lat = factories.corner(0, 0)
    lon += factories.STEP / 3  # on the south edge of west, touching nothing else
    assert find_buurt_for_point(lon=lon, lat=lat) == buurten["west"]


def test_point_in_no_buurt_is_outside_not_an_error(buurten):
    lon, lat = factories.centre(1, 1)  # the empty square
    assert find_buurt_for_point(lon=lon, lat=lat) is None
    assert find_buurt_for_point(lon=3.0, lat=53.0) is None


def test_tie_break_does_not_depend_on_insertion_order(dataset):
    # Created in reverse code order: the index still prefers the lowest code.
    east = factories.make_buurt(dataset, "BU00010009", factories.square(1, 0))
    west = factories.make_buurt(dataset, "BU00010004", factories.square(0, 0))
    lon, lat = factories.corner(1, 0)
    assert find_buurt_for_point(lon=lon, lat=lat + 0.001) == west
    assert east.code > west.code


def test_a_hole_is_not_part_of_the_buurt(dataset):
    outer = [(5.90, 50.90), (5.93, 50.90), (5.93, 50.93), (5.90, 50.93), (5.90, 50.90)]
    hole = [(5.91, 50.91), (5.91, 50.92), (5.92, 50.92), (5.92, 50.91), (5.91, 50.91)]
    ring = factories.make_buurt(dataset, "BU00020001", Polygon(outer, [hole]))
    island = factories.make_buurt(dataset, "BU00020002", Polygon(hole[::-1]))
    assert find_buurt_for_point(lon=5.905, lat=50.905) == ring
    assert find_buurt_for_point(lon=5.915, lat=50.915) == island
    # On the hole's edge both cover the point: the lowest code wins.
    assert find_buurt_for_point(lon=5.91, lat=50.915) == ring


def test_each_part_of_a_multipolygon_belongs_to_the_buurt(dataset):
    parts = MultiPolygon([factories.square(0, 0), factories.square(3, 3)])
    buurt = factories.make_buurt(dataset, "BU00030001", parts)
    for col, row in ((0, 0), (3, 3)):
        lon, lat = factories.centre(col, row)
        assert find_buurt_for_point(lon=lon, lat=lat) == buurt
    lon, lat = factories.centre(2, 2)
    assert find_buurt_for_point(lon=lon, lat=lat) is None


def test_vectorised_lookup_marks_points_outside_with_minus_one(buurten, dataset):
    index = BuurtIndex.for_dataset(dataset.pk)
    points = [factories.centre(0, 0), factories.centre(1, 1), factories.centre(0, 1)]
    lons, lats = zip(*points, strict=True)
    assert index.locate_many(lons, lats).tolist() == [
        buurten["west"].pk,
        -1,
        buurten["north"].pk,
    ]


def test_only_the_active_dataset_answers(buurten, dataset):
    staged = factories.make_dataset("staged", active=False)
    factories.make_buurt(staged, "BU00010001", factories.square(1, 1))
    lon, lat = factories.centre(1, 1)
    assert find_buurt_for_point(lon=lon, lat=lat) is None


def test_the_answer_follows_another_dataset_becoming_active(buurten, dataset):
    lon, lat = factories.centre(1, 1)
    assert find_buurt_for_point(lon=lon, lat=lat) is None
    newer = factories.make_dataset("newer", active=False)
    moved = factories.make_buurt(newer, "BU00010001", factories.square(1, 1))
    dataset.is_active = False
    dataset.save()
    newer.is_active = True
    newer.save()
    assert find_buurt_for_point(lon=lon, lat=lat) == moved


def test_the_answer_follows_a_boundary_changed_in_the_active_dataset(buurten):
    lon, lat = factories.centre(1, 1)
    north = buurten["north"]
    north.boundary = factories.square(1, 1).wkb
    north.min_lon, north.min_lat, north.max_lon, north.max_lat = factories.square(1, 1).bounds
    north.save()
    assert find_buurt_for_point(lon=lon, lat=lat) == north


def test_boxes_are_kept_while_nothing_changes_and_built_again_after_an_import(buurten, dataset):
    first = active_buurt_boxes()
    assert active_buurt_boxes() is first
    Dataset.objects.filter(pk=dataset.pk).update(imported_at=timezone.now())
    assert active_buurt_boxes() is not first


def test_a_point_lookup_asks_the_database_for_the_active_dataset_and_the_candidates(
    buurten, django_assert_num_queries
):
    lon, lat = factories.centre(1, 0)
    find_buurt_for_point(lon=lon, lat=lat)
    with django_assert_num_queries(2):
        buurt = find_buurt_for_point(lon=lon, lat=lat)
        assert buurt is not None
        assert buurt.wijk.municipality.code


@pytest.mark.django_db
def test_no_active_dataset_means_no_buurt():
    assert find_buurt_for_point(lon=5.9, lat=50.9) is None


def test_the_cell_locator_answers_as_the_exact_lookup(dataset):
    """Points inside, outside, on shared edges and vertices, on cell edges and around a buurt
    much smaller than a cell: the same buurt as the exact test, batch after batch."""
    for code, (col, row) in {"BU1": (0, 0), "BU2": (1, 0), "BU3": (0, 1)}.items():
        factories.make_buurt(dataset, code, factories.square(col, row))
    # A triangle far smaller than a locator cell, in the empty square (1, 1).
    x, y = factories.centre(1, 1)
    tiny = Polygon([(x, y), (x + 0.0001, y), (x + 0.0001, y + 0.0001), (x, y)])
    factories.make_buurt(dataset, "BU4", tiny)
    index = BuurtIndex.for_dataset(dataset.pk)
    rng = np.random.default_rng(7)
    west, south = factories.corner(0, 0)
    size = 3 * factories.STEP
    diagonal = np.arange(0, size, LOCATOR_CELL / 4)  # on cell edges and buurt edges
    lons = np.concatenate(
        [west + rng.random(20_000) * size, west + diagonal, x + rng.random(2_000) * 0.0001]
    )
    lats = np.concatenate(
        [south + rng.random(20_000) * size, south + diagonal, y + rng.random(2_000) * 0.0001]
    )
    lats[20_000:20_040] = south + factories.STEP  # along the edge between rows 0 and 1
    locator = index.cell_locator()
    for part in np.array_split(np.arange(len(lons)), 5):
        expected = index.locate_many(lons[part], lats[part])
        assert (locator.locate_many(lons[part], lats[part]) == expected).all()
    assert len(set(index.locate_many(lons, lats).tolist())) == 5  # every buurt, and outside
