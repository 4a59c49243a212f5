"""Profile, buurt and list pages: what residents see, in a bounded number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from officers import pages
from officers.hours import OpeningState
from officers.models import Absence, ContactChannel, Event, OpeningHours
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
    with django_assert_max_num_queries(8):
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
    assert "Anna" not in client.get("/wijkagenten/testgemeente/").content.decode()


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
    # buurt, officers, the wijk's buurten (map), station, its opening hours, the officers'
    # absences and events, the priorities
    with django_assert_max_num_queries(10):
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
    factories.assign(factories.make_officer("Zora Laatst", slug="zora-laatst"), buurten["east"])
    factories.assign(
        factories.make_officer("Bram Verzonnen", slug="bram-verzonnen"), buurten["west"]
    )
    with django_assert_max_num_queries(3):
        html = client.get("/wijkagenten/testgemeente/").content.decode()
    assert html.index("Anna Voorbeeld") < html.index("Bram Verzonnen") < html.index("Zora Laatst")


# The pages a resident reads, with the demo-like data of the `anna` fixture.
RESIDENT_PAGES = [
    "/",
    "/wijkagenten/testgemeente/",
    "/buurt/BU00010001/",
    "/wijkagent/anna-voorbeeld/",
    "/buiten-werkgebied/",
]


@pytest.mark.parametrize("url", RESIDENT_PAGES)
def test_every_page_says_what_to_do_in_an_emergency(client, anna, url):
    html = client.get(url).content.decode()
    assert 'href="tel:112"' in html
    assert "0900-8844" in html
    assert "0800-7000" in html
    assert "Meld Misdaad Anoniem" in html


@pytest.mark.parametrize(
    "url",
    [
        *RESIDENT_PAGES,
        "/wijkagent/anna-voorbeeld/contact.vcf",
        "/wijken/testgemeente/",
        "/privacy/",
        "/toegankelijkheid/",
        "/healthz",
        "/readyz",
    ],
)
def test_a_head_request_answers_as_a_get_without_the_body(client, anna, url):
    """Link checkers and uptime monitors ask with HEAD: the same status and headers as a GET."""
    got = client.get(url)
    head = client.head(url)
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    for header in ("Content-Type", "Content-Security-Policy", "Content-Language"):
        assert head.get(header) == got.get(header)


def test_query_count_does_not_grow_with_the_area(
    client, anna, dataset, django_assert_max_num_queries
):
    for number in range(10):
        buurt = factories.make_buurt(
            dataset, f"BU000200{number:02d}", factories.square(4 + number, 4)
        )
        factories.assign(anna, buurt)
    with django_assert_max_num_queries(8):
        client.get("/wijkagent/anna-voorbeeld/")


# --- The complete profile and buurt page (issue 5) ---


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_profile_is_complete(client, anna):
    html = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert 'href="/wijkagent/anna-voorbeeld/contact.vcf"' in html
    assert "Laatst gecontroleerd op 1 oktober 2026." in html
    assert "is wijkagent voor 2 buurten." in html
    assert "Testwijk, Testgemeente" in html  # the area in words, per wijk
    assert '<div lang="nl"><p>Hallo buurt!</p></div>' in html
    assert "Politiebureau" in html and "Openingstijden per dag" in html


def test_introduction_falls_back_to_dutch_and_says_so(client, anna):
    html = english(client).get("/wijkagent/anna-voorbeeld/").content.decode()
    assert '<html lang="en">' in html
    assert "This introduction is only available in Dutch." in html
    assert '<div lang="nl"><p>Hallo buurt!</p></div>' in html
    anna.intro_en = "Hello neighbourhood!"
    anna.save()
    html = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert '<div lang="en"><p>Hello neighbourhood!</p></div>' in html
    assert "only available" not in html


def test_absence_notice_lasts_only_while_the_absence_does(client, anna):
    deputy = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    today = dt.date.today()
    Absence.objects.create(
        officer=anna,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today - dt.timedelta(days=1),
        deputy=deputy,
    )
    assert "bram-verzonnen" not in client.get("/wijkagent/anna-voorbeeld/").content.decode()


def test_upcoming_events_are_listed_and_past_ones_hidden(client, anna, buurten):
    now = timezone.now()
    Event.objects.create(
        officer=anna,
        title="Spreekuur Noord",
        place="Buurthuis",
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=2, hours=1),
    )
    Event.objects.create(
        officer=anna,
        title="Oud overleg",
        place="Stadhuis",
        starts_at=now - dt.timedelta(days=2),
        ends_at=now - dt.timedelta(days=2) + dt.timedelta(hours=1),
    )
    for url in ("/wijkagent/anna-voorbeeld/", "/buurt/BU00010001/"):
        html = client.get(url).content.decode()
        assert "Spreekuur Noord" in html
        assert "Oud overleg" not in html
        assert "Zet in mijn agenda" in html
    assert "Spreekuur Noord" not in client.get("/buurt/BU00010002/").content.decode()


def test_profile_shows_todays_opening_status(anna):
    station = anna.station
    OpeningHours.objects.create(station=station, weekday=0, opens=dt.time(9), closes=dt.time(17))
    monday_ten = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    context = pages.officer_profile_context(slug="anna-voorbeeld", now=monday_ten)
    assert context["opening"].state == OpeningState.OPEN
    assert context["opening"].until == dt.time(17)
    html = render_to_string("officers/_station.html", context)
    assert "Nu open tot 17:00." in html


def test_buurt_page_draws_the_map_with_a_text_alternative(client, anna, buurten, dataset):
    factories.make_buurt(dataset, "BU00020001", factories.square(3, 3), name="Andere wijk")
    html = client.get("/buurt/BU00010001/").content.decode()
    assert html.count('class="map-focus"') == 2  # the map and its legend
    # Noord and Oost share the wijk WK000100 with West: outlined and listed; other wijken are not.
    assert html.count('<path class="map-context"') == 2
    assert 'href="/buurt/BU00010003/"' in html and 'href="/buurt/BU00010002/"' in html
    assert "Andere wijk" not in html
    assert '<g class="map-marker map-station">' in html
    assert "Politiebureau Bureau Test ligt in deze buurt." in html
    assert "Bron: CBS / Kadaster" in html
    assert "style=" not in html  # the production CSP allows no inline style
    assert "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_map_of_a_wijk_with_one_buurt_mentions_no_others(client, buurten, dataset):
    factories.make_buurt(dataset, "BU00020001", factories.square(3, 3), name="Eenling")
    html = client.get("/buurt/BU00020001/").content.decode()
    assert "De kaart toont de buurt Eenling, de enige buurt van Testwijk." in html
    assert "Kaart van de buurt Eenling, de enige buurt van Testwijk" in html
    assert "andere buurten" not in html
    # A buurt with neighbours still names them.
    html = client.get("/buurt/BU00010001/").content.decode()
    assert "De kaart toont de buurt West en de andere buurten van Testwijk." in html


def test_station_outside_the_buurt_is_described_with_direction_and_distance(client, anna):
    anna.station.lat, anna.station.lon = 50.925, 5.905  # north of West, in Noord
    anna.station.save()
    html = english(client).get("/buurt/BU00010001/").content.decode()
    # From the middle of West (50.905) to 50.925: 0.02 degree of latitude, 2.2 km.
    assert "lies about 2.2 km north of the middle of this buurt." in html


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/wijkagenten/testgemeente/",
        "/wijken/testgemeente/",
        "/buurt/BU00010001/",
        "/wijkagent/anna-voorbeeld/",
        "/buiten-werkgebied/",
        "/privacy/",
        "/toegankelijkheid/",
    ],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_has_one_h1_a_skip_link_and_landmarks(client, anna, url, language):
    client.cookies["django_language"] = language
    html = client.get(url).content.decode()
    assert html.count("<h1") == 1
    assert f'<html lang="{language}">' in html
    assert 'class="skip-link" href="#main"' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert "style=" not in html


@pytest.mark.parametrize("url", ["/", "/wijkagent/anna-voorbeeld/"])
def test_home_and_profile_weigh_at_most_30_kb_with_the_stylesheet(client, anna, url):
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_bytes()
    assert len(client.get(url).content) + len(css) <= 30 * 1024


def test_buurt_page_shows_an_absence_and_the_deputy_where_the_officer_is_listed(client, anna):
    deputy = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    today = dt.date.today()
    until = today + dt.timedelta(days=3)
    Absence.objects.create(officer=anna, starts_on=today, ends_on=until, deputy=deputy)
    html = client.get("/buurt/BU00010001/").content.decode()
    card = html.split('<article class="officer-card')[1].split("</article>")[0]
    assert "Anna Voorbeeld" in card
    with translation.override("nl"):
        assert f"Afwezig tot en met {date_format(until, 'j F Y')}." in card
    assert "Neem in de tussentijd contact op met" in card
    assert 'href="/wijkagent/bram-verzonnen/"' in card


def test_buurt_page_sends_residents_to_0900_when_the_deputy_is_hidden(client, anna):
    hidden = factories.make_officer("Verborgen Agent", slug="verborgen", is_published=False)
    today = dt.date.today()
    Absence.objects.create(officer=anna, starts_on=today, ends_on=today, deputy=hidden)
    html = client.get("/buurt/BU00010001/").content.decode()
    card = html.split('<article class="officer-card')[1].split("</article>")[0]
    assert "0900-8844" in card and "verborgen" not in card


def test_residents_are_not_sent_to_a_deputy_who_is_away_himself(client, anna):
    deputy = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    today = timezone.localdate()
    Absence.objects.create(
        officer=anna, starts_on=today, ends_on=today + dt.timedelta(days=5), deputy=deputy
    )
    # Entered for the deputy afterwards: recorded (the admin warns and the coverage page lists it).
    away = Absence.objects.create(officer=deputy, starts_on=today, ends_on=today)
    for url in ("/wijkagent/anna-voorbeeld/", "/buurt/BU00010001/"):
        html = client.get(url).content.decode()
        notice = html.split("Afwezig tot en met")[1].split("</p>")[0]
        assert "0900-8844" in notice and "bram-verzonnen" not in notice, url
    away.delete()
    for url in ("/wijkagent/anna-voorbeeld/", "/buurt/BU00010001/"):
        notice = client.get(url).content.decode().split("Afwezig tot en met")[1].split("</p>")[0]
        assert 'href="/wijkagent/bram-verzonnen/"' in notice, url


def test_who_residents_are_sent_to_is_not_guessed_without_the_deputys_absences(anna):
    deputy = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    today = timezone.localdate()
    absence = Absence.objects.create(officer=anna, starts_on=today, ends_on=today, deputy=deputy)
    Absence.objects.create(officer=deputy, starts_on=today, ends_on=today)
    with pytest.raises(AttributeError, match="with_deputy_away"):
        _ = Absence.objects.get(pk=absence.pk).deputy_for_residents
    read = Absence.objects.with_deputy_away(day=today).get(pk=absence.pk)
    assert read.deputy_for_residents is None


def test_spreekuren_during_an_absence_are_said_to_be_cancelled(client, anna):
    now = timezone.now()
    today = timezone.localdate()
    Absence.objects.create(
        officer=anna, starts_on=today + dt.timedelta(days=1), ends_on=today + dt.timedelta(days=4)
    )
    Event.objects.create(
        officer=anna,
        title="Spreekuur tijdens vakantie",
        place="Buurthuis",
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=2, hours=1),
    )
    Event.objects.create(
        officer=anna,
        title="Spreekuur daarna",
        place="Buurthuis",
        starts_at=now + dt.timedelta(days=9),
        ends_at=now + dt.timedelta(days=9, hours=1),
    )
    for url in ("/wijkagent/anna-voorbeeld/", "/buurt/BU00010001/"):
        html = client.get(url).content.decode()
        cancelled = html.split("Spreekuur tijdens vakantie")[1].split("</li>")[0]
        assert "gaat niet door" in cancelled and "Zet in mijn agenda" not in cancelled
        held = html.split("Spreekuur daarna")[1].split("</li>")[0]
        assert "gaat niet door" not in held and "Zet in mijn agenda" in held


def weekly_spreekuur(officer, *, first: dt.date, until: dt.date | None = None) -> Event:
    starts = dt.datetime.combine(first, dt.time(19, 0), ZoneInfo("Europe/Amsterdam"))
    return Event.objects.create(
        officer=officer,
        title="Wekelijks spreekuur",
        place="Buurthuis",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        recurrence=Event.Recurrence.WEEKLY,
        repeat_until=until,
    )


def spreekuur_item(html: str) -> str:
    return " ".join(html.split("Wekelijks spreekuur")[1].split("</li>")[0].split())


def test_a_cancelled_weekly_spreekuur_says_when_it_takes_place_again(client, anna):
    today = timezone.localdate()
    weekly_spreekuur(anna, first=today + dt.timedelta(days=2))
    # Away for the next two sessions: the third is the next that takes place.
    Absence.objects.create(
        officer=anna, starts_on=today + dt.timedelta(days=1), ends_on=today + dt.timedelta(days=10)
    )
    again = today + dt.timedelta(days=16)
    for url in ("/wijkagent/anna-voorbeeld/", "/buurt/BU00010001/"):
        item = spreekuur_item(client.get(url).content.decode())
        with translation.override("nl"):
            assert "De volgende keer gaat niet door" in item, url
            assert f"Daarna gaat het weer door op {date_format(again, 'l j F Y')}." in item, url
        # Its calendar file leaves the cancelled sessions out, so it is offered still.
        assert "Zet in mijn agenda" in item, url
        item = spreekuur_item(english(client).get(url).content.decode())
        with translation.override("en"):
            assert f"It takes place again on {date_format(again, 'l j F Y')}." in item, url
        client.cookies.pop("django_language")


def test_a_weekly_spreekuur_that_ends_during_the_absence_says_none_is_left(client, anna):
    today = timezone.localdate()
    weekly_spreekuur(anna, first=today + dt.timedelta(days=2), until=today + dt.timedelta(days=9))
    Absence.objects.create(
        officer=anna, starts_on=today + dt.timedelta(days=1), ends_on=today + dt.timedelta(days=10)
    )
    item = spreekuur_item(client.get("/wijkagent/anna-voorbeeld/").content.decode())
    assert "De volgende keer gaat niet door" in item
    assert "Daarna is er geen keer meer gepland." in item
    assert "weer door op" not in item
    assert "Zet in mijn agenda" not in item, "its calendar file holds no session to come"
