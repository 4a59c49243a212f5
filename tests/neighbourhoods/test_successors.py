"""Where a buurt went: the active buurten that overlap a buurt whose code the new dataset lacks.

Drawn by hand: the old buurt is the square (1, 0); the new dataset splits it in two halves and
keeps its neighbour West, which shares only an edge with it.
"""

from __future__ import annotations

from shapely.geometry import box

from neighbourhoods.models import Dataset
from neighbourhoods.successors import succession
from tests import factories


def test_every_new_buurt_over_the_old_area_succeeds_it_and_an_edge_does_not_count(db):
    old = factories.make_dataset("2023", active=False)
    factories.make_buurt(old, "BU00010002", factories.square(1, 0), name="Oost")
    new = factories.make_dataset("2024")
    x, y = factories.corner(1, 0)
    half = factories.STEP / 2
    factories.make_buurt(new, "BU00010001", factories.square(0, 0), name="West")
    factories.make_buurt(new, "BU00010005", box(x + half, y, x + 2 * half, y + 0.01))
    factories.make_buurt(new, "BU00010004", box(x, y, x + half, y + 0.01))
    found = succession("BU00010002")
    assert found.former is not None and found.former.name == "Oost"
    assert [buurt.code for buurt in found.successors] == ["BU00010004", "BU00010005"]


def test_a_sliver_of_a_redrawn_edge_is_no_successor(db):
    old = factories.make_dataset("2023", active=False)
    factories.make_buurt(old, "BU00010002", factories.square(1, 0))
    new = factories.make_dataset("2024")
    x, y = factories.corner(1, 0)
    # The new West reaches a hundred-thousandth of a degree into the old square: a redrawn edge.
    factories.make_buurt(new, "BU00010001", box(x - 0.01, y, x + 0.00001, y + 0.01))
    factories.make_buurt(new, "BU00010006", box(x + 0.00001, y, x + 0.01, y + 0.01))
    assert [buurt.code for buurt in succession("BU00010002").successors] == ["BU00010006"]


def test_the_latest_former_dataset_describes_a_gone_buurt(db):
    older = Dataset.objects.create(name="2022", activated_at="2022-03-01T00:00:00Z")
    factories.make_buurt(older, "BU00010002", factories.square(1, 0), name="Oost (2022)")
    old = Dataset.objects.create(name="2023", activated_at="2023-03-01T00:00:00Z")
    factories.make_buurt(old, "BU00010002", factories.square(1, 0), name="Oost")
    factories.make_dataset("2024")
    assert succession("BU00010002").former.name == "Oost"


def test_a_code_the_active_dataset_still_has_has_no_succession(db):
    active = factories.make_dataset("2024")
    factories.make_buurt(active, "BU00010001", factories.square(0, 0))
    assert succession("BU00010001").successors == []
