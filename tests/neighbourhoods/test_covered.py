"""What the portal covers: the served municipalities, the slug of each, and the one slug rule the
officer lists and the help pages share."""

from __future__ import annotations

from neighbourhoods.covered import covered_area, served_municipalities
from neighbourhoods.models import Municipality
from tests import factories


def covered_municipality(dataset, number: int, name: str) -> None:
    factories.make_buurt(dataset, f"BU{number:04d}0101", factories.square(number * 3, 0))
    Municipality.objects.filter(code=f"GM{number:04d}").update(name=name)


def test_names_that_give_one_slug_both_carry_their_code(dataset):
    covered_municipality(dataset, 2, "Sint Anna")
    covered_municipality(dataset, 3, "Sint-Anna")
    covered_municipality(dataset, 4, "Heerlen")
    covered_municipality(dataset, 5, "???")
    served = {entry.code: entry.slug for entry in served_municipalities()}
    assert served == {
        "GM0002": "sint-anna-gm0002",
        "GM0003": "sint-anna-gm0003",
        "GM0004": "heerlen",
        "GM0005": "gm0005",
    }


def test_the_lists_and_the_help_pages_answer_at_the_same_slugs(client, dataset):
    covered_municipality(dataset, 2, "Sint Anna")
    covered_municipality(dataset, 3, "Sint-Anna")
    for slug in ("sint-anna-gm0002", "sint-anna-gm0003"):
        for path in (f"/wijkagenten/{slug}/", f"/wijken/{slug}/", f"/hulp/{slug}/"):
            assert client.get(path).status_code == 200, path
    assert client.get("/hulp/sint-anna/").status_code == 404


def test_only_municipalities_with_a_buurt_in_the_active_dataset_are_covered(dataset):
    covered_municipality(dataset, 2, "Heerlen")
    factories.make_wijk(dataset, "WK000901")  # a wijk, but not one buurt
    assert [entry.name for entry in served_municipalities()] == ["Heerlen"]
    assert [str(municipality) for municipality in covered_area()] == ["Heerlen"]
