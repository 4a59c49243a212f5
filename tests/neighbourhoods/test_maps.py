"""Server-drawn SVG maps."""

from shapely.geometry import MultiPolygon, Polygon

from neighbourhoods.maps import MapMarker, MapShape, render_map
from tests import factories


def test_a_square_becomes_a_closed_path_in_a_labelled_svg():
    svg = render_map(
        shapes=[MapShape(factories.square(0, 0), "West")],
        markers=[MapMarker(*factories.centre(0, 0), "Bureau <Test>")],
        title="Buurt West & omgeving",
        size=100,
        margin=0,
    )
    assert svg.startswith('<svg class="map"')
    assert 'role="img"' in svg
    assert '<title id="map-title">Buurt West &amp; omgeving</title>' in svg
    assert svg.count("<path") == 1
    assert "Z" in svg
    assert "Bureau &lt;Test&gt;" in svg  # labels are escaped
    assert "<circle" in svg
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_north_is_up_and_the_square_fills_the_view():
    svg = render_map(
        shapes=[MapShape(factories.square(0, 0), "West")], title="t", size=100, margin=0
    )
    # The south-west corner is at the bottom left, the north-east corner at the top right.
    assert (
        'viewBox="0 0 63' in svg
    )  # 0.01 deg of longitude is cos(50.9 deg) of a degree of latitude
    assert "M0 100" in svg or " L0 100" in svg
    assert "63" in svg.split('d="', 1)[1]


def test_holes_and_multipolygons_are_drawn():
    outer = [(5.90, 50.90), (5.93, 50.90), (5.93, 50.93), (5.90, 50.93), (5.90, 50.90)]
    hole = [(5.91, 50.91), (5.91, 50.92), (5.92, 50.92), (5.92, 50.91), (5.91, 50.91)]
    ring = Polygon(outer, [hole])
    multi = MultiPolygon([factories.square(5, 5), factories.square(7, 7)])
    svg = render_map(
        shapes=[MapShape(ring, "ring"), MapShape(multi, "multi", role="context")], title="t"
    )
    ring_path = svg.split('class="map-focus" d="', 1)[1].split('"', 1)[0]
    multi_path = svg.split('class="map-context" d="', 1)[1].split('"', 1)[0]
    assert ring_path.count("M") == 2  # outer ring and hole
    assert multi_path.count("M") == 2  # two parts
    assert svg.index("map-context") < svg.index("map-focus")  # focus drawn on top


def test_nothing_to_draw_gives_nothing():
    assert render_map(shapes=[], title="t") == ""


def test_a_nearby_buurt_is_drawn_above_the_neighbours_and_below_the_buurt():
    svg = render_map(
        shapes=[
            MapShape(factories.square(0, 0), "Hier", role="focus"),
            MapShape(factories.square(1, 0), "Nabij", role="also"),
            MapShape(factories.square(0, 1), "Buur", role="context"),
        ],
        title="t",
    )
    assert svg.index("map-context") < svg.index("map-also") < svg.index("map-focus")
