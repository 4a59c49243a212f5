"""Every real postcode of the shipped file whose centroid lies inside Heerlen, and which the demo's
address register does not hold, answers by postcode: typed alone and with any house number."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from neighbourhoods.models import Address, Postcode

# House numbers as residents type them; none of them exists in the address register for these
# postcodes, and none may matter.
NUMBERS = ["1", "7", "12A", "23-2", "150 b", "99999"]


@pytest.fixture
def demo(db, settings):
    # One test client searches thousands of times: the per-client search limit is not under test.
    settings.SEARCH_RATE_LIMIT_PER_MINUTE = 0
    call_command("load_demo", stdout=StringIO())


def expected_locations(postcode: Postcode) -> set[str]:
    buurt = postcode.buurt.code
    if postcode.near_buurt_id is not None and postcode.near_buurt_id != postcode.buurt_id:
        return {f"/buurt/{buurt}/?ook={postcode.near_buurt.code}"}
    return {
        f"/buurt/{buurt}/?gezocht=1&via=postcode",
        *(
            f"/wijkagent/{slug}/?buurt={buurt}&via=postcode"
            for slug in postcode.buurt.assignments.values_list("officer__slug", flat=True)
        ),
    }


def test_every_shipped_heerlen_postcode_answers_by_postcode(client, demo):
    in_addresses = set(Address.objects.values_list("postcode", flat=True))
    postcodes = list(
        Postcode.objects.filter(buurt__isnull=False)
        .exclude(postcode__in=in_addresses)
        .select_related("buurt", "near_buurt")
        .prefetch_related("buurt__assignments__officer")
    )
    assert len(postcodes) > 2300  # the shipped file's Heerlen and Hoensbroek postcodes
    expected = {row.postcode: expected_locations(row) for row in postcodes}
    url = reverse("officers:search")
    searches = 0
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        for index, row in enumerate(postcodes):
            typed = f"{row.postcode[:4]} {row.postcode[4:].lower()}"
            for number in ("", NUMBERS[index % len(NUMBERS)]):
                response = client.post(url, {"postcode": typed, "huisnummer": number})
                searches += 1
                assert response.status_code == 303, (row.postcode, number)
                assert response["Location"] in expected[row.postcode], (row.postcode, number)
    # The address register's miss and the postcode register's answer, nothing more.
    assert len(queries) <= 2 * searches


def test_the_tour_postcodes(client, demo):
    """The README's tour, on the demo as `make run` loads it."""
    url = reverse("officers:search")
    tour = {
        ("6411 HA", ""): "/wijkagent/anna-voorbeeld/?buurt=BU09173300&via=postcode",
        ("6415 PV", "4"): "/buurt/BU09173200/?gezocht=1&via=postcode",
        ("6414 AA", ""): "/buurt/BU09172300/?gezocht=1&via=postcode",
        ("6431 HE", "3"): "/wijkagent/mila-gefantaseerd/?buurt=BU09171201&via=postcode",
        ("6411 DR", ""): "/buurt/BU09173400/?ook=BU09173300",
        ("6411 NH", "13 E"): "/wijkagent/anna-voorbeeld/?buurt=BU09173300",
    }
    for (postcode, number), location in tour.items():
        response = client.post(url, {"postcode": postcode, "huisnummer": number})
        assert response["Location"] == location, postcode
    palemig = client.get("/buurt/BU09173200/?gezocht=1&via=postcode").content.decode()
    assert "Carla Fictief" in palemig and "Sara Spiegelbeeld" in palemig
    both = client.get("/buurt/BU09173400/?ook=BU09173300").content.decode()
    assert "Eikenderveld" in both and "Heerlen-Centrum" in both
    # Anna, of the nearby Heerlen-Centrum, with her weekly spreekuur.
    events = both.split('id="events-heading"')[1].split("</section>")[0]
    assert "Spreekuur" in events and 'href="/wijkagent/anna-voorbeeld/"' in events
    amsterdam = client.post(url, {"postcode": "1012 JS", "huisnummer": "1"})
    assert amsterdam.status_code == 200
    assert "Heerlen (met Hoensbroek)" in amsterdam.content.decode()
    typo = client.post(url, {"postcode": "6411 ZZ", "huisnummer": "1"})
    assert typo.status_code == 200
    assert "Controleer de postcode" in typo.content.decode()
    assert "Buiten het gebied" not in typo.content.decode()
