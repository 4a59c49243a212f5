"""Answers by postcode: a postcode the address register does not hold, but the postcode register
knows, answers with its buurt and says so; near another buurt, the page shows both; a postcode
or place outside the covered area gets the coverage answer."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import Municipality, Postcode
from neighbourhoods.parsing import parse_house_number
from officers.finding import MatchedBy, Outcome, find_officers
from officers.models import Event, Priority
from tests import factories

LOOKUP = "/api/v1/lookup"


@pytest.fixture
def client(client, settings):
    """A resident who chose English with the language switch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def make_postcode(postcode, buurt=None, *, near=None, gemeente="GM0001", place="Heerlen"):
    lon, lat = (buurt.label_lon, buurt.label_lat) if buurt else (4.9, 52.37)
    return Postcode.objects.create(
        postcode=postcode,
        woonplaats=place,
        gemeente_code=gemeente,
        gemeente_name="Testgemeente" if gemeente == "GM0001" else "Elders",
        lat=lat,
        lon=lon,
        buurt=buurt,
        near_buurt=near,
    )


@pytest.fixture
def register(buurten):
    """West has Anna, Oost has Bram and Carla, Noord has nobody. The address register holds one
    address, in 6411NH; the postcode register the rest."""
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(anna, buurten["west"])
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    carla = factories.make_officer("Carla Fictief", slug="carla-fictief")
    factories.assign(carla, buurten["east"])
    factories.assign(bram, buurten["east"], role="deputy")
    factories.make_address(buurten["east"], postcode="6411NH", huisnummer=13)
    make_postcode("6411NH", buurten["west"])  # the address register answers first
    make_postcode("6411HA", buurten["west"])
    make_postcode("6411PV", buurten["east"])
    make_postcode("6414AA", buurten["north"], place="Hoensbroek")
    make_postcode("6411DR", buurten["east"], near=buurten["west"])
    make_postcode("1012JS", gemeente="GM0363", place="Amsterdam")
    return {"anna": anna, "bram": bram, "carla": carla}


def post(client, **typed):
    return client.post(reverse("officers:search"), typed)


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.parametrize("number", ["", "1", "7", "7A", "123-4", "99999"])
def test_a_postcode_the_address_register_lacks_answers_by_postcode(client, register, number):
    response = post(client, postcode="6411 ha", huisnummer=number)
    assert response.status_code == 303
    assert response["Location"] == "/wijkagent/anna-voorbeeld/?buurt=BU00010001&via=postcode"
    page = client.get(response["Location"])
    assert "We answered based on your postcode" in text(page)
    assert "6411" not in response["Location"]


def test_the_notice_in_dutch(client, register, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    page = client.get(post(client, postcode="6411HA", huisnummer="")["Location"])
    assert "op basis van je postcode" in text(page)


def test_an_address_search_says_nothing_of_a_postcode(client, register):
    response = post(client, postcode="6411NH", huisnummer="13")
    assert response["Location"] == "/buurt/BU00010002/?gezocht=1"
    assert "based on your postcode" not in text(client.get(response["Location"]))


def test_the_address_register_comes_first_even_without_the_number(client, register):
    # 6411NH is in both registers, in different buurten: the address register decides, and an
    # unknown number there is today's "check your address", not a guess by postcode.
    assert post(client, postcode="6411NH", huisnummer="")["Location"].startswith(
        "/buurt/BU00010002/"
    )
    response = post(client, postcode="6411NH", huisnummer="15")
    assert response.status_code == 200
    assert "Check the postcode and house number" in text(response)


def test_several_officers_or_none_end_on_the_buurt_page(client, register):
    several = post(client, postcode="6411PV", huisnummer="3")
    assert several["Location"] == "/buurt/BU00010002/?gezocht=1&via=postcode"
    page = text(client.get(several["Location"]))
    assert "We answered based on your postcode" in page
    assert page.index("Carla Fictief") < page.index("Bram Verzonnen")
    nobody = post(client, postcode="6414AA", huisnummer="")
    assert nobody["Location"] == "/buurt/BU00010003/?gezocht=1&via=postcode"
    assert "no wijkagent at the moment" in text(client.get(nobody["Location"]))


def test_a_centroid_near_another_buurt_shows_both(client, register):
    response = post(client, postcode="6411DR", huisnummer="5")
    assert response["Location"] == "/buurt/BU00010002/?ook=BU00010001"
    page = text(client.get(response["Location"]))
    assert "Why you see two buurten" in page
    assert "less than 50 metres from the buurt West" in page
    # The buurt containing the centroid first, with its officers, then the other with its own.
    assert page.index("Wijkagent of Oost") < page.index("Carla Fictief")
    assert page.index("Carla Fictief") < page.index("nearby buurt West")
    assert page.index("nearby buurt West") < page.index("Anna Voorbeeld")


def map_paths(html: str) -> dict[str, list[str]]:
    """The map's areas by role ("focus", "also", "context"), each by the name in its title."""
    paths: dict[str, list[str]] = {}
    for role, name in re.findall(r'<path class="map-(\w+)" d="[^"]*"[^>]*><title>([^<]*)', html):
        paths.setdefault(role, []).append(name)
    return {role: sorted(names) for role, names in paths.items()}


def test_the_map_of_a_two_buurten_answer_draws_both(client, register):
    # West and Oost lie in one wijk: West is drawn as the nearby buurt, not as a mere neighbour.
    response = client.get("/buurt/BU00010002/?ook=BU00010001")
    html = response.content.decode()
    assert map_paths(html) == {"focus": ["Oost"], "also": ["West"], "context": ["Noord"]}
    assert "Map of the buurt Oost, the nearby buurt West and the other buurten of" in html
    assert "West: light blue with a dashed border" in text(response)
    assert "The map shows the buurt Oost, the nearby buurt West and the other buurten" in html
    # Without the second buurt, West is one of the wijk's other buurten again.
    plain = client.get("/buurt/BU00010002/").content.decode()
    assert map_paths(plain) == {"focus": ["Oost"], "context": ["Noord", "West"]}
    assert "dashed border" not in plain


def test_a_wijk_of_just_the_two_buurten_has_no_other_buurten_on_the_map(client, dataset):
    # Both in the wijk WK000300, and nothing else is.
    factories.make_buurt(dataset, "BU00030001", factories.square(5, 0), name="Links")
    factories.make_buurt(dataset, "BU00030002", factories.square(6, 0), name="Rechts")
    response = client.get("/buurt/BU00030001/?ook=BU00030002")
    html = response.content.decode()
    assert map_paths(html) == {"focus": ["Links"], "also": ["Rechts"]}
    assert "Map of the buurt Links and the nearby buurt Rechts</title>" in html
    assert "The map shows the buurt Links and the nearby buurt Rechts." in text(response)
    assert "other buurten" not in html.lower()


def test_a_nearby_buurt_of_another_wijk_is_drawn_and_fits_on_the_map(
    client, register, dataset, settings
):
    settings.LANGUAGE_CODE = "nl"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    far = factories.make_buurt(dataset, "BU00020001", factories.square(2, 0), name="Verderop")
    assert far.wijk.code != "WK000100"
    html = client.get("/buurt/BU00010002/?ook=BU00020001").content.decode()
    assert map_paths(html) == {
        "focus": ["Oost"],
        "also": ["Verderop"],
        "context": ["Noord", "West"],
    }
    assert "Verderop: lichtblauw met een gestreepte rand" in html
    assert "De kaart toont de buurt Oost, de nabije buurt Verderop en de andere buurten" in html
    width, height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', html).groups())
    drawn = html.split('class="map-also" d="', 1)[1].split('"', 1)[0]
    points = [float(n) for n in re.findall(r"-?[\d.]+", drawn)]
    assert all(0 <= x <= width for x in points[0::2]), drawn
    assert all(0 <= y <= height for y in points[1::2]), drawn


def test_the_nearby_buurt_follows_the_officers_and_says_who_stands_in(client, register, buurten):
    # A deputy in the nearby buurt is called a deputy, not a wijkagent; the nearby buurt's
    # officers come right after this buurt's, before its priorities (on a phone those would
    # push the second candidate far down), and the notice offers the wrong-answer report.
    dina = factories.make_officer("Dina Invaller", slug="dina-invaller")
    factories.assign(dina, buurten["west"], role="deputy")
    Priority.objects.create(
        buurt=buurten["east"], title="Fietsendiefstal", issue="Fietsen weg.", action="Surveillance."
    )
    response = client.get("/buurt/BU00010002/?ook=BU00010001")
    html = response.content.decode()
    nearby = html[
        html.index('id="also-heading"') : html.index("</section>", html.index('id="also-heading"'))
    ]
    assert "Dina Invaller" in nearby
    assert re.search(r"Dina Invaller</a></h3>\s*<p class=\"role\">Deputy wijkagent", nearby)
    assert re.search(r"Anna Voorbeeld</a></h3>\s*<p class=\"role\">Wijkagent", nearby)
    assert html.index('id="also-heading"') < html.index("Fietsendiefstal")
    assert 'href="/klopt-dit-niet/?buurt=BU00010002"' in html
    assert "Is this answer wrong?" in text(response)


def test_an_officer_of_both_buurten_gets_one_card_and_is_named_in_the_other(
    client, register, buurten
):
    # Carla works in both: her card (with her channels) stands once, under Oost.
    factories.assign(register["carla"], buurten["west"])
    factories.add_channel(register["carla"], "phone", "06-12345678")
    html = client.get("/buurt/BU00010002/?ook=BU00010001").content.decode()
    assert html.count('<h3><a href="/wijkagent/carla-fictief/">') == 1
    nearby = html[html.index('id="also-heading"') :].split("</section>")[0]
    assert re.search(
        r"Also working here, with their details above:\s*"
        r'<a href="/wijkagent/carla-fictief/">Carla Fictief</a> \(wijkagent\)\.',
        nearby,
    )
    assert "Anna Voorbeeld" in nearby  # West's own wijkagent keeps her card


def test_the_nearby_buurts_own_officers_show_how_to_reach_them(client, register):
    factories.add_channel(register["anna"], "phone", "06-11112222")
    factories.add_channel(register["anna"], "email", "anna@example.org")
    html = client.get("/buurt/BU00010002/?ook=BU00010001").content.decode()
    nearby = html[html.index('id="also-heading"') :].split("</section>")[0]
    assert 'href="tel:0611112222"' in nearby
    assert 'href="mailto:anna@example.org"' in nearby
    assert "ask for this wijkagent" not in nearby


def test_the_nearby_buurts_officers_spreekuren_are_listed_as_on_its_own_page(client, register):
    # Anna works only in West, the nearby buurt: her spreekuur is listed as on West's own page,
    # and so is Carla's, of Oost.
    now = timezone.now()
    for officer, title in ((register["anna"], "Spreekuur Anna"), (register["carla"], "Koffie")):
        Event.objects.create(
            officer=officer,
            title=title,
            place="Buurthuis",
            starts_at=now + dt.timedelta(days=2),
            ends_at=now + dt.timedelta(days=2, hours=1),
            recurrence=Event.Recurrence.WEEKLY,
        )
    events = events_section(client.get("/buurt/BU00010002/?ook=BU00010001"))
    assert "Spreekuur Anna" in events and 'href="/wijkagent/anna-voorbeeld/"' in events
    assert "Koffie" in events
    assert "Spreekuur Anna" in events_section(client.get("/buurt/BU00010001/"))


def events_section(response) -> str:
    html = response.content.decode()
    return html[html.index('id="events-heading"') :].split("</section>")[0]


def test_one_officer_is_named_in_the_singular(client, register):
    # Oost has one wijkagent (and a deputy, listed apart); West has one officer in all.
    page = text(client.get("/buurt/BU00010002/?ook=BU00010001"))
    assert "Wijkagent of Oost" in page and "Wijkagenten of Oost" not in page
    assert "Wijkagent of the nearby buurt West" in page
    assert "then West with its wijkagent below." in page


def test_several_officers_are_named_in_the_plural(client, register, buurten):
    factories.assign(register["bram"], buurten["east"])
    factories.assign(factories.make_officer("Dina Invaller"), buurten["west"])
    page = text(client.get("/buurt/BU00010002/?ook=BU00010001"))
    assert "Wijkagenten of Oost" in page
    assert "Wijkagenten of the nearby buurt West" in page
    assert "then West with its wijkagenten below." in page


def test_one_officer_is_named_in_the_singular_in_dutch(client, register, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    page = text(client.get("/buurt/BU00010002/?ook=BU00010001"))
    assert "Wijkagent van Oost" in page and "Wijkagenten van Oost" not in page
    assert "Wijkagent van de nabije buurt West" in page
    assert "daaronder West met zijn wijkagent." in page


def test_the_coverage_answer_is_not_told_as_a_mistake(client, register):
    response = post(client, postcode="1012 JS", huisnummer="1")
    html = response.content.decode()
    assert "There is a problem" not in html
    assert 'class="error-summary"' not in html and "aria-invalid" not in html
    assert "<title>Outside our area: Find your wijkagent" in html
    # The page opens on the answer, whose numbers are links a phone can call.
    assert re.search(r'<section class="notice notice--outside"[^>]*tabindex="-1" autofocus', html)
    assert 'href="tel:09008844"' in html.split("notice--outside")[1].split("</section>")[0]
    assert 'href="tel:112"' in html.split("notice--outside")[1].split("</section>")[0]
    # The language switch cannot keep the address: the form it leads to says so.
    assert 'name="next" value="/?opnieuw=1"' in html


def test_the_street_form_marks_no_field_wrong_for_a_place_outside(client, register):
    response = client.post(
        reverse("officers:street-search"),
        {"straat": "Damrak", "huisnummer": "1", "woonplaats": "Amsterdam"},
    )
    html = response.content.decode()
    assert "aria-invalid" not in html and "There is a problem" not in html
    assert 'value="Amsterdam"' in html  # the form keeps what was typed
    assert "outside the area Wijkportaal covers" in text(response)


def test_an_unknown_address_inside_the_covered_area_offers_the_list_of_buurten(client, register):
    # A real postcode whose published centre is wrong, or a number the register lacks, still
    # has a way on.
    for response in (
        post(client, postcode="6411ZZ", huisnummer="1"),
        post(client, postcode="6411NH", huisnummer="15"),
    ):
        assert "Check the postcode and house number" in text(response)
        assert "Then choose your buurt from the list" in text(response)
        assert 'href="/wijken/"' in response.content.decode()


@pytest.mark.parametrize("also", ["BU99999999", "BU00010002", "bu00010001", "x" * 40, "<b>", ""])
def test_any_other_also_code_is_ignored_and_never_cached(client, register, settings, also):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    response = client.get("/buurt/BU00010002/", {"ook": also})
    assert response.status_code == 200
    assert "Why you see two buurten" not in text(response)
    assert "Anna Voorbeeld" not in text(response)
    # At most the plain page's own entry: an ignored code never makes one of its own.
    client.get("/buurt/BU00010002/")
    assert len([key for key in cache._cache if ":public-page:" in key]) <= 1


def test_the_page_cache_serves_the_pages_the_search_ends_on(
    client, register, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    for location in (
        "/buurt/BU00010002/?ook=BU00010001",
        "/wijkagent/anna-voorbeeld/?buurt=BU00010001&via=postcode",
        "/buurt/BU00010003/?gezocht=1&via=postcode",
    ):
        first = client.get(location)
        with django_assert_num_queries(0):
            second = client.get(location)
        assert first.content == second.content


def test_a_postcode_answer_costs_two_queries(register, django_assert_num_queries):
    with django_assert_num_queries(2):
        finding = find_officers(postcode="6411DR", house_number=parse_house_number("5"))
    assert finding.matched_by == MatchedBy.POSTCODE
    assert [buurt.code for buurt in finding.buurten] == ["BU00010002", "BU00010001"]
    assert [officer.slug for officer in finding.officers] == ["carla-fictief", "bram-verzonnen"]


def test_an_address_answer_is_matched_by_address(register):
    finding = find_officers(postcode="6411NH", house_number=parse_house_number("13"))
    assert finding.matched_by == MatchedBy.ADDRESS
    assert finding.near_buurt is None


# Outside the covered area.


def test_the_home_page_says_what_the_portal_covers(client, register):
    assert "Wijkportaal covers Testgemeente (with Heerlen, Hoensbroek)." in text(client.get("/"))


@pytest.mark.parametrize(
    "typed",
    [
        {"postcode": "1012 JS", "huisnummer": "1"},  # in the register, another municipality
        {"postcode": "1012JS", "huisnummer": ""},
        {"postcode": "9999ZZ", "huisnummer": "1"},  # in no register, no covered PC4
    ],
)
def test_a_postcode_outside_the_covered_area_gets_the_coverage_answer(client, register, typed):
    response = post(client, **typed)
    assert response.status_code == 200
    page = text(response)
    assert "outside the area Wijkportaal covers" in page
    assert "Wijkportaal covers Testgemeente (with Heerlen, Hoensbroek)." in page
    assert 'href="https://www.politie.nl/mijn-buurt/wijkagenten"' in response.content.decode()
    assert "0900-8844" in page
    assert "112" in page
    assert "Check the postcode" not in page


def test_a_typo_inside_the_covered_area_gets_the_usual_help(client, register):
    response = post(client, postcode="6411ZZ", huisnummer="1")
    page = text(response)
    assert "Check the postcode and house number" in page
    assert "outside the area Wijkportaal covers" not in page


def test_a_street_search_in_a_place_not_covered(client, register):
    response = client.post(
        reverse("officers:street-search"),
        {"straat": "Damrak", "huisnummer": "1", "woonplaats": "Amsterdam"},
    )
    page = text(response)
    assert "outside the area Wijkportaal covers" in page
    assert "Wijkportaal covers Testgemeente (with Heerlen, Hoensbroek)." in page


def test_a_misspelt_covered_place_is_still_a_typo(client, register):
    response = client.post(
        reverse("officers:street-search"),
        {"straat": "Teststraat", "huisnummer": "1", "woonplaats": "Heerlne"},
    )
    page = text(response)
    assert "outside the area Wijkportaal covers" not in page
    assert "Did you mean?" in page


def test_the_covered_area_follows_the_active_dataset(client, register, buurten):
    Municipality.objects.create(code="GM0363", name="Amsterdam")
    assert find_officers(postcode="1012JS").outcome == Outcome.OUTSIDE_COVERAGE


# The API.


def test_the_api_says_it_matched_by_postcode(client, register):
    answer = client.get(LOOKUP, {"postcode": "6411HA", "huisnummer": "8"}).json()
    assert answer["match"] == "postcode"
    assert answer["address"] is None
    assert answer["buurt"]["code"] == "BU00010001"
    assert [officer["slug"] for officer in answer["officers"]] == ["anna-voorbeeld"]
    assert answer["nearby"] is None


def test_the_api_lists_the_nearby_buurt(client, register):
    answer = client.get(LOOKUP, {"postcode": "6411DR"}).json()
    assert answer["match"] == "postcode"
    assert answer["buurt"]["code"] == "BU00010002"
    assert answer["nearby"]["buurt"]["code"] == "BU00010001"
    assert [officer["slug"] for officer in answer["nearby"]["officers"]] == ["anna-voorbeeld"]


def test_the_api_says_it_matched_by_address(client, register):
    answer = client.get(LOOKUP, {"postcode": "6411NH", "huisnummer": "13"}).json()
    assert answer["match"] == "address"
    assert answer["address"]["huisnummer"] == 13


def test_the_api_answers_outside_coverage_with_the_covered_municipalities(client, register):
    response = client.get(LOOKUP, {"postcode": "1012JS", "huisnummer": "1"})
    assert response.status_code == 404
    problem = response.json()
    assert problem["code"] == "outside-coverage"
    assert problem["covered_municipalities"] == [
        {
            "code": "GM0001",
            "name": "Testgemeente",
            "places": ["Heerlen", "Hoensbroek", "Testgemeente"],
        }
    ]
    typo = client.get(LOOKUP, {"postcode": "6411ZZ", "huisnummer": "1"}).json()
    assert typo["code"] == "address-not-found"


def test_the_openapi_document_describes_match_nearby_and_coverage(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "outside-coverage" in schemas["Problem"]["properties"]["code"]["enum"]
    answer = schemas["LookupAnswer"]["allOf"][1]["properties"]
    assert answer["match"]["enum"] == ["address", "postcode"]
    assert "nearby" in answer
    not_found = document["paths"]["/lookup"]["get"]["responses"]["404"]
    assert "outside-coverage" in not_found["description"]
    assert "covered_municipalities" in schemas["OutsideCoverageProblem"]["allOf"][1]["properties"]
