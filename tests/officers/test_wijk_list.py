"""The list of wijken of a municipality: browse to a buurt page without typing an address."""

from neighbourhoods.models import Municipality
from tests import factories


def test_wijken_in_both_languages(client, buurten):
    assert (
        "Wijken en buurten in Testgemeente" in client.get("/wijken/testgemeente/").content.decode()
    )
    client.cookies["django_language"] = "en"
    html = client.get("/wijken/testgemeente/").content.decode()
    assert "Districts and neighbourhoods in Testgemeente" in html


def test_wijken_lists_every_wijk_of_the_municipality_with_its_buurten(
    client, dataset, buurten, django_assert_max_num_queries
):
    factories.make_buurt(dataset, "BU00010101", factories.square(3, 3), name="Tweede wijk")
    elders = factories.make_buurt(dataset, "BU00020001", factories.square(5, 5), name="Elders")
    Municipality.objects.filter(pk=elders.wijk.municipality_id).update(name="Anderstad")
    with django_assert_max_num_queries(2):
        response = client.get("/wijken/testgemeente/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<h2 id="wijk-') == 2
    for code in ("BU00010001", "BU00010002", "BU00010003", "BU00010101"):
        assert f'href="/buurt/{code}/"' in html
    assert "BU00020001" not in html
    assert "Bron: CBS / Kadaster" in html


def test_wijken_hides_staged_datasets(client, buurten):
    staged = factories.make_dataset("staged", active=False)
    factories.make_buurt(staged, "BU00010077", factories.square(5, 5), name="Gepland")
    assert "Gepland" not in client.get("/wijken/testgemeente/").content.decode()
