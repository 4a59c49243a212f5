"""Profile, buurt and list pages: what residents see, in a bounded number of queries."""

import datetime as dt

import pytest

from officers.models import Absence, ContactChannel
from tests import factories


@pytest.fixture
def anna(buurten):
    station = factories.make_station()
    anna = factories.make_officer(
        "Anna Voorbeeld",
        slug="anna-voorbeeld",
        rank="Hoofdagent",
        intro_nl="Hallo buurt!",
        station=station,
        reviewed_on=dt.date(2026, 10, 1),
    )
    factories.assign(anna, buurten["west"])
    factories.assign(anna, buurten["north"])
    factories.add_channel(anna, ContactChannel.Kind.PHONE, "0900-8844")
    factories.add_channel(anna, ContactChannel.Kind.EMAIL, "anna@example.org")
    factories.add_channel(anna, ContactChannel.Kind.INSTAGRAM, "https://www.instagram.com/anna")
    factories.add_channel(anna, ContactChannel.Kind.WHATSAPP, "06 12345678")
    factories.add_channel(anna, ContactChannel.Kind.PHONE, "06-99999999", public=False)
    return anna


def test_profile_shows_everything_a_resident_needs(client, anna, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/wijkagent/anna-voorbeeld/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Anna Voorbeeld</h1>" in html
    assert "Hoofdagent" in html
    assert "Hallo buurt!" in html
    assert 'href="tel:09008844"' in html
    assert 'href="mailto:anna@example.org"' in html
    assert 'href="https://www.instagram.com/anna"' in html
    assert 'href="https://wa.me/31612345678"' in html
    assert 'href="/buurt/BU00010001/"' in html
    assert 'href="/buurt/BU00010003/"' in html
    assert "Bureau Test" in html
    assert 'class="initials initials--large"' in html  # no photo: the initials placeholder
    assert ">AV<" in html


def test_non_public_channel_is_never_shown(client, anna):
    html = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert "06-99999999" not in html
    assert "0699999999" not in html


def test_unpublished_officer_is_not_found(client, anna):
    anna.is_published = False
    anna.save()
    assert client.get("/wijkagent/anna-voorbeeld/").status_code == 404
    assert "Anna" not in client.get("/wijkagenten/").content.decode()


def test_searched_buurt_explains_why_this_officer(client, anna):
    html = client.get("/wijkagent/anna-voorbeeld/?buurt=BU00010001").content.decode()
    assert "ligt in de buurt West" in html  # Dutch is the default interface language
    unrelated = client.get("/wijkagent/anna-voorbeeld/?buurt=BU00010002").content.decode()
    assert "ligt in de buurt" not in unrelated


def test_absence_points_to_the_deputy(client, anna):
    deputy = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    today = dt.date.today()
    Absence.objects.create(
        officer=anna, starts_on=today, ends_on=today + dt.timedelta(days=3), deputy=deputy
    )
    html = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert 'href="/wijkagent/bram-verzonnen/"' in html


def test_buurt_page_lists_its_officers_station_and_wijk(
    client, anna, buurten, django_assert_max_num_queries
):
    second = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    factories.assign(second, buurten["west"], role="deputy")
    # buurt, officers, the wijk's buurten (map), station, its opening hours, the officers' events
    with django_assert_max_num_queries(6):
        response = client.get("/buurt/BU00010001/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Anna Voorbeeld" in html
    assert "Bram Verzonnen" in html
    assert "Testwijk" in html
    assert "Bureau Test" in html


def test_buurt_code_is_case_insensitive_and_unknown_codes_are_404(client, buurten):
    assert client.get("/buurt/bu00010001/").status_code == 200
    assert client.get("/buurt/BU99999999/").status_code == 404


def test_buurt_of_a_staged_dataset_is_not_shown(client, buurten):
    staged = factories.make_dataset("staged", active=False)
    factories.make_buurt(staged, "BU00770001", factories.square(5, 5))
    assert client.get("/buurt/BU00770001/").status_code == 404


def test_officer_list_is_alphabetical(client, anna, buurten, django_assert_max_num_queries):
    factories.make_officer("Zora Laatst", slug="zora-laatst")
    factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    with django_assert_max_num_queries(3):
        html = client.get("/wijkagenten/").content.decode()
    assert html.index("Anna Voorbeeld") < html.index("Bram Verzonnen") < html.index("Zora Laatst")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/wijkagenten/",
        "/buurt/BU00010001/",
        "/wijkagent/anna-voorbeeld/",
        "/buiten-werkgebied/",
    ],
)
def test_every_page_says_what_to_do_in_an_emergency(client, anna, url):
    html = client.get(url).content.decode()
    assert 'href="tel:112"' in html
    assert "0900-8844" in html
    assert "0800-7000" in html
    assert "Meld Misdaad Anoniem" in html


def test_query_count_does_not_grow_with_the_area(
    client, anna, dataset, django_assert_max_num_queries
):
    for number in range(10):
        buurt = factories.make_buurt(
            dataset, f"BU000200{number:02d}", factories.square(4 + number, 4)
        )
        factories.assign(anna, buurt)
    with django_assert_max_num_queries(6):
        client.get("/wijkagent/anna-voorbeeld/")
