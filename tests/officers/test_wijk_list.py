"""The list of wijken: browse to a buurt page without typing an address."""

from tests import factories


def test_wijken_in_both_languages(client, buurten):
    assert "Wijken en buurten" in client.get("/wijken/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Wijken and buurten" in client.get("/wijken/").content.decode()


def test_wijken_lists_every_wijk_with_its_buurten_in_one_query(
    client, dataset, buurten, django_assert_max_num_queries
):
    factories.make_buurt(dataset, "BU00020001", factories.square(3, 3), name="Elders")
    with django_assert_max_num_queries(1):
        html = client.get("/wijken/").content.decode()
    assert html.count('<h2 id="gemeente-') == 2
    for code in ("BU00010001", "BU00010002", "BU00010003", "BU00020001"):
        assert f'href="/buurt/{code}/"' in html
    assert "Bron: CBS / Kadaster" in html


def test_wijken_hides_staged_datasets(client, buurten):
    staged = factories.make_dataset("staged", active=False)
    factories.make_buurt(staged, "BU00770001", factories.square(5, 5), name="Gepland")
    assert "Gepland" not in client.get("/wijken/").content.decode()
