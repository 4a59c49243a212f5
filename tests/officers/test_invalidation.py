"""A staff save retires only the cached pages that show what it changed, and never leaves one stale.

Every page is asked for twice before the save, so it is in the cache; after the save, `X-Cache`
says which pages were served from the cache ("hit") and which were built again ("miss").
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import Municipality
from officers import changes
from officers.models import Absence, ChangeLogEntry, Event, Priority, Station
from officers.subjects import officer_page
from tests import factories
from tests.officers.test_admin_officers import officer_form
from wijkportaal.cache import cache_public_page, invalidate_public_pages

ANNA = "/wijkagent/anna-voorbeeld/"
BERT = "/wijkagent/bert-jansen/"
CARLA = "/wijkagent/carla-ver/"
WEST, EAST, NORTH, FAR = (
    "/buurt/BU00010001/",
    "/buurt/BU00010002/",
    "/buurt/BU00010003/",
    "/buurt/BU00020001/",
)
HOME = "/"


@pytest.fixture(params=["memory", "redis"])
def page_cache(request, settings):
    """The page cache on, in the tests' local-memory cache and in a real Redis."""
    if request.param == "redis":
        request.getfixturevalue("redis_page_cache")
    else:
        settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def town(buurten, page_cache):
    """Anna in West with her own station, Bert in Oost, Noord without anyone; far to the east,
    out of the station's reach, Carla in a buurt of another municipality with her own station."""
    station = factories.make_station("Bureau Heerlen")
    anna = factories.make_officer(
        "Anna Voorbeeld", slug="anna-voorbeeld", station=station, intro_nl="Ik ben Anna."
    )
    factories.assign(anna, buurten["west"])
    bert = factories.make_officer("Bert Jansen", slug="bert-jansen", intro_nl="Ik ben Bert.")
    factories.assign(bert, buurten["east"])
    far = factories.make_buurt(
        buurten["west"].dataset, "BU00020001", factories.square(200, 0), name="Verweg"
    )
    far_station = factories.make_station("Bureau Verweg", lon=7.96, lat=50.93)
    carla = factories.make_officer("Carla Ver", slug="carla-ver", station=far_station)
    factories.assign(carla, far)
    return {"anna": anna, "bert": bert, "carla": carla, "station": station, "far": far}


def warm(client, *paths: str) -> None:
    for path in paths:
        client.get(path)
        assert client.get(path)["X-Cache"] == "hit", path


def served(client, path: str) -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return response["X-Cache"], response.content.decode()


def test_a_new_introduction_shows_at_once_and_every_other_page_stays_cached(client, town):
    others = (BERT, CARLA, EAST, NORTH, FAR, HOME, "/wijkagenten/", "/wijken/")
    warm(client, ANNA, *others)
    town["anna"].intro_nl = "Ik ben Anna, uw wijkagent sinds kort."
    town["anna"].save()
    status, html = served(client, ANNA)
    assert (status, "sinds kort" in html) == ("miss", True)
    for path in others:
        assert served(client, path)[0] == "hit", path
    assert served(client, ANNA)[0] == "hit"


def test_an_introduction_saved_in_the_admin_leaves_the_other_officers_pages_cached(
    client, admin_client, town
):
    warm(client, ANNA, BERT, EAST, CARLA)
    anna = town["anna"]
    response = admin_client.post(
        reverse("admin:officers_officer_change", args=[anna.pk]),
        officer_form(anna, intro_nl="Ik ben Anna, nu ook op zaterdag."),
    )
    assert response.status_code == 302
    assert "nu ook op zaterdag" in served(client, ANNA)[1]
    for path in (BERT, EAST, CARLA):
        assert served(client, path)[0] == "hit", path


def test_a_name_shows_at_once_on_every_page_that_names_the_officer(client, town):
    # Both municipalities are called Testgemeente, so their lists carry their codes.
    shown = (
        ANNA,
        WEST,
        "/buurt/BU00010001/kaart/",
        "/wijkagenten/testgemeente-gm0001/",
        "/wijkagent/anna-voorbeeld/berichten.atom",
    )
    warm(client, *shown, BERT, EAST, CARLA, FAR, "/wijkagenten/testgemeente-gm0002/")
    town["anna"].name = "Anna de Vries"
    town["anna"].save()
    for path in shown:
        status, html = served(client, path)
        assert (status, "Anna de Vries" in html) == ("miss", True), path
    for path in (BERT, EAST, CARLA, FAR, "/wijkagenten/testgemeente-gm0002/"):
        assert served(client, path)[0] == "hit", path


def test_a_name_shows_at_once_in_the_feed_of_a_buurt_the_officer_has_left(client, town):
    assignment = town["anna"].assignments.get()
    changes.record_assignment(assignment=assignment, kind=ChangeLogEntry.Kind.ASSIGNMENT_NEW)
    assignment.delete()  # the news stays in West's feed
    west_feed, east_feed = "/buurt/BU00010001/berichten.atom", "/buurt/BU00010002/berichten.atom"
    warm(client, west_feed, east_feed)
    town["anna"].name = "Anna de Vries"
    town["anna"].save()
    assert "Anna de Vries" in served(client, west_feed)[1]
    assert served(client, east_feed)[0] == "hit"


def test_moving_an_assignment_refreshes_both_buurten_and_the_officer(client, town):
    warm(client, WEST, EAST, BERT, NORTH, CARLA)
    assignment = town["anna"].assignments.get()
    assignment.buurt = town["bert"].assignments.get().buurt
    assignment.save()
    assert "Anna Voorbeeld" not in served(client, WEST)[1]
    assert "Anna Voorbeeld" in served(client, EAST)[1]
    assert "Oost" in served(client, ANNA)[1]
    for path in (BERT, NORTH, CARLA):
        assert served(client, path)[0] == "hit", path


def test_ending_an_assignment_by_deleting_it_refreshes_the_buurt(client, town):
    warm(client, WEST, ANNA, EAST)
    town["anna"].assignments.get().delete()
    assert "Anna Voorbeeld" not in served(client, WEST)[1]
    assert served(client, EAST)[0] == "hit"


def test_a_station_save_refreshes_the_pages_that_show_it(client, town):
    warm(client, ANNA, WEST, EAST, BERT, CARLA, FAR)
    station = town["station"]
    station.name = "Politiebureau Heerlen-Centrum"
    station.save()
    # Anna's own station; the nearest station of the buurten around it and of their officers.
    for path in (ANNA, WEST, EAST, BERT):
        status, html = served(client, path)
        assert (status, "Heerlen-Centrum" in html) == ("miss", True), path
    # Out of its reach.
    for path in (CARLA, FAR):
        assert served(client, path)[0] == "hit", path


def test_a_new_station_nearer_a_buurt_shows_there(client, town):
    warm(client, FAR, CARLA, WEST)
    Station.objects.create(
        name="Bureau Vlakbij",
        street_address="Dorpsstraat 1",
        postcode="6411NH",
        city="Verweg",
        lat=50.9051,
        lon=7.9051,
    )
    assert "Bureau Vlakbij" in served(client, FAR)[1]
    assert served(client, WEST)[0] == "hit"


@pytest.fixture
def bert_stands_in_for_anna(client, town):
    """Anna away for a week with Bert as her deputy; her, her buurt's and Carla's pages cached."""
    today = timezone.localdate()
    Absence.objects.create(
        officer=town["anna"],
        starts_on=today,
        ends_on=today + dt.timedelta(days=7),
        deputy=town["bert"],
    )
    warm(client, ANNA, WEST, CARLA)


def test_a_renamed_deputy_shows_on_the_page_of_the_officer_they_stand_in_for(
    client, town, bert_stands_in_for_anna
):
    town["bert"].name = "Bert de Wit"
    town["bert"].save()
    assert "Bert de Wit" in served(client, ANNA)[1]
    assert "Bert de Wit" in served(client, WEST)[1]
    assert served(client, CARLA)[0] == "hit"


def test_a_deputys_own_absence_shows_on_the_page_of_the_officer_they_stand_in_for(
    client, town, bert_stands_in_for_anna
):
    assert 'href="/wijkagent/bert-jansen/"' in served(client, ANNA)[1].split("Afwezig")[1]
    today = timezone.localdate()
    Absence.objects.create(officer=town["bert"], starts_on=today, ends_on=today)
    for page in (ANNA, WEST):
        notice = served(client, page)[1].split("Afwezig")[1].split("</p>")[0]
        assert "0900-8844" in notice and "bert-jansen" not in notice, page
    assert served(client, CARLA)[0] == "hit"


def test_an_event_shows_on_the_officer_and_their_buurt(client, town):
    warm(client, ANNA, WEST, BERT, EAST)
    starts = timezone.now() + dt.timedelta(days=2)
    Event.objects.create(
        officer=town["anna"],
        title="Spreekuur in het buurthuis",
        place="Buurthuis West",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    for path in (ANNA, WEST):
        assert "Spreekuur in het buurthuis" in served(client, path)[1], path
    for path in (BERT, EAST):
        assert served(client, path)[0] == "hit", path


def test_a_priority_of_a_wijk_shows_on_its_buurten_and_their_officers(client, town):
    warm(client, ANNA, BERT, WEST, EAST, NORTH, CARLA, FAR)
    Priority.objects.create(
        wijk=town["anna"].assignments.get().buurt.wijk,
        title="Te hard rijden",
        issue="Er wordt te hard gereden.",
        action="Snelheidscontroles.",
    )
    for path in (ANNA, BERT, WEST, EAST, NORTH):
        assert "Te hard rijden" in served(client, path)[1], path
    for path in (CARLA, FAR):
        assert served(client, path)[0] == "hit", path


def test_a_geography_save_or_bulk_change_retires_everything(client, town):
    pages = (ANNA, CARLA, FAR, HOME)
    warm(client, *pages)
    municipality = Municipality.objects.get(code="GM0002")
    municipality.name = "Verweggistan"
    municipality.save()
    for path in pages:
        assert served(client, path)[0] == "miss", path
    warm(client, *pages)
    invalidate_public_pages()  # what imports and activating boundaries call after bulk writes
    for path in pages:
        assert served(client, path)[0] == "miss", path


def test_what_another_request_cached_before_the_commit_is_retired_at_the_commit(
    client, town, django_capture_on_commit_callbacks
):
    warm(client, ANNA)
    # Another worker's request for the profile, between the save and its commit: it read the
    # generations after the save but the row as it was, and stores that.
    old_profile = cache_public_page(
        lambda request, slug: HttpResponse("Ik ben Anna."), subjects=officer_page
    )
    with django_capture_on_commit_callbacks(execute=True):
        town["anna"].intro_nl = "Nieuw: ik ben Anna."
        town["anna"].save()
        old_profile(RequestFactory().get(ANNA), slug="anna-voorbeeld")
        assert client.get(ANNA).content == b"Ik ben Anna."  # what the cache holds meanwhile
    assert "Nieuw: ik ben Anna." in served(client, ANNA)[1]


def test_a_save_that_is_rolled_back_leaves_the_stored_row_on_the_page(client, town):
    warm(client, ANNA, BERT)
    with pytest.raises(RuntimeError), transaction.atomic():
        town["anna"].intro_nl = "Nooit bewaard."
        town["anna"].save()
        raise RuntimeError("the editor's request failed")
    html = served(client, ANNA)[1]
    assert ("Nooit bewaard." in html, "Ik ben Anna." in html) == (False, True)
    assert served(client, BERT)[0] == "hit"
