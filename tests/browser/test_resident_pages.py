"""The resident's portal in a real browser: every journey, both languages, downloads, axe-core,
narrow screens, and screenshots for people to look at (in test-artifacts/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from neighbourhoods.models import Address
from officers.models import Event, Officer

from .conftest import serious_accessibility_violations

STATION_ADDRESS = ("6411 NH", "13 E")
FIND = {
    "nl": "Vind mijn wijkagent",
    "en": "Find my wijkagent",
}  # Heerlen police station: Anna Voorbeeld, Heerlen-Centrum


@pytest.fixture
def demo(transactional_db):
    """The Heerlen demo plus a weekly spreekuur and a one-off meeting for Anna Voorbeeld."""
    cache.clear()
    call_command("load_demo", verbosity=0)
    anna = Officer.objects.get(slug="anna-voorbeeld")
    start = (timezone.localtime() + dt.timedelta(days=2)).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    spreekuur = Event.objects.create(
        officer=anna,
        title="Spreekuur in buurthuis De Kling",
        place="Buurthuis De Kling, Heerlen",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        recurrence=Event.Recurrence.WEEKLY,
    )
    Event.objects.create(
        officer=anna,
        title="Buurtoverleg Heerlen-Centrum",
        place="Stadhuis, Geleenstraat 27, Heerlen",
        starts_at=start + dt.timedelta(days=7, hours=-1),
        ends_at=start + dt.timedelta(days=7, hours=1),
    )
    yield {"anna": anna, "spreekuur": spreekuur}
    cache.clear()


def postcode_form(page):
    return page.locator("form", has=page.locator("#id_postcode"))


def street_form(page):
    return page.locator("form", has=page.locator("#street_straat"))


def search_postcode(page, postcode: str, number: str = "", *, button: str = "Vind mijn wijkagent"):
    form = postcode_form(page)
    form.locator("#id_postcode").fill(postcode)
    form.locator("#id_huisnummer").fill(number)
    with page.expect_navigation():  # the answer to the post, not the page before it
        form.get_by_role("button", name=button).click()


def switch_language(page, to: str) -> None:
    page.get_by_role("button", name={"en": "English", "nl": "Nederlands"}[to]).click()
    page.wait_for_selector(f"html[lang={to}]")


# --- The search journeys ---


def test_one_officer_lands_on_the_profile_that_says_why(demo, page, live_server):
    page.goto(live_server.url + "/")
    search_postcode(page, *STATION_ADDRESS)
    page.wait_for_url("**/wijkagent/anna-voorbeeld/?buurt=BU09173300")
    assert page.locator("h1").inner_text() == "Anna Voorbeeld"
    why = page.locator(".notice--why")
    assert "ligt in de buurt Heerlen-Centrum" in why.inner_text()
    # Only the path and query: the live server's random port may itself contain "13".
    where = page.url.removeprefix(live_server.url).replace("BU09173300", "")
    assert "6411" not in where and "13" not in where


def test_several_officers_land_on_the_buurt_page_listing_them(demo, page, live_server):
    # In the demo, Sara Spiegelbeeld deputises in the wijk of Carla Fictief (WK091732).
    address = Address.objects.filter(buurt__wijk__code="WK091732").order_by("postcode").first()
    page.goto(live_server.url + "/")
    search_postcode(page, address.postcode, str(address.huisnummer) + address.huisletter)
    page.wait_for_url(f"**/buurt/{address.buurt.code}/?gezocht=1")
    assert page.locator("h1").inner_text() == f"Buurt {address.buurt.name}"
    assert page.locator(".officer-card").count() == 2
    assert "Vervangend wijkagent" in page.locator("main").inner_text()
    assert "Hier werken meerdere agenten" in page.locator(".notice--why").inner_text()


def test_no_officer_lands_on_the_buurt_page_that_says_what_to_do(demo, page, live_server):
    address = Address.objects.filter(buurt__code="BU09172300").first()
    page.goto(live_server.url + "/")
    search_postcode(page, address.postcode, str(address.huisnummer) + address.huisletter)
    page.wait_for_url("**/buurt/BU09172300/?gezocht=1")
    assert page.locator(".officer-card").count() == 0
    assert "geen wijkagent" in page.locator("main").inner_text()
    assert "0900-8844" in page.locator("main").inner_text()


def test_unknown_address_returns_to_the_form_with_a_message(demo, page, live_server):
    page.goto(live_server.url + "/")
    search_postcode(page, "6411 NH", "999")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "kunnen dit adres niet vinden" in summary.inner_text()
    assert page.locator("#id_postcode").input_value() == "6411 NH"  # nothing typed is lost


def test_bad_input_is_named_and_linked_to_its_field(demo, page, live_server):
    page.goto(live_server.url + "/")
    search_postcode(page, "6411 NH", "dertien")
    summary = page.locator(".error-summary")
    assert "Huisnummer" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_huisnummer"
    assert page.locator("#id_huisnummer").get_attribute("aria-invalid") == "true"
    described = page.locator("#id_huisnummer").get_attribute("aria-describedby")
    assert "id_huisnummer_error" in described.split()


def test_street_search_with_a_misspelt_street_offers_the_right_one(demo, page, live_server):
    page.goto(live_server.url + "/")
    form = street_form(page)
    form.get_by_label("Straat").fill("Stasionstraat")
    form.get_by_label("Huisnummer").fill("13")
    form.get_by_label("Woonplaats").fill("heerlen")
    form.get_by_role("button", name="Vind mijn wijkagent").click()
    assert "We kennen deze straat niet" in page.locator(".error-summary").inner_text()
    page.get_by_role("button", name="Stationstraat 13, heerlen").click()
    page.wait_for_url("**/wijkagent/anna-voorbeeld/?buurt=BU09173300")
    assert "Stationstraat" not in page.url


def test_places_served_and_browsing_without_an_address(demo, page, live_server):
    page.goto(live_server.url + "/")
    page.locator("details.places summary").click()
    assert "Heerlen, Hoensbroek" in page.locator("details.places").inner_text()
    page.get_by_role("link", name="Alle wijken en hun buurten").click()
    page.wait_for_url("**/wijken/heerlen/")
    page.get_by_role("link", name="Hoppersgraaf").click()
    assert page.locator("h1").inner_text() == "Buurt Hoppersgraaf"


# --- Language, downloads ---


def test_the_language_switch_keeps_the_page(demo, page, live_server):
    page.goto(live_server.url + "/wijkagent/anna-voorbeeld/?buurt=BU09173300")
    switch_language(page, "en")
    assert page.url.endswith("/wijkagent/anna-voorbeeld/?buurt=BU09173300")
    assert "lies in the buurt Heerlen-Centrum" in page.locator(".notice--why").inner_text()
    page.goto(live_server.url + "/buurt/BU09173300/")
    assert page.locator("html").get_attribute("lang") == "en"  # the choice is remembered
    switch_language(page, "nl")
    assert page.url.endswith("/buurt/BU09173300/")
    assert "De wijkagent van deze buurt" in page.locator("main").inner_text()


def test_in_english_find_the_officer_save_the_contact_and_the_spreekuur(
    demo, page, live_server, tmp_path: Path
):
    page.goto(live_server.url + "/")
    switch_language(page, "en")
    search_postcode(page, *STATION_ADDRESS, button="Find my wijkagent")
    page.wait_for_url("**/wijkagent/anna-voorbeeld/**")
    assert "This introduction" not in page.content()  # the demo has an English introduction

    with page.expect_download() as card_download:
        page.get_by_role("link", name="Save contact").click()
    card = card_download.value
    assert card.suggested_filename == "anna-voorbeeld.vcf"
    text = Path(card.path()).read_bytes().decode("utf-8")
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna Voorbeeld\r\n")
    assert "EMAIL;TYPE=INTERNET,WORK:anna.voorbeeld@example.org" in text
    assert "ORG:Police" in text

    with page.expect_download() as ical_download:
        page.locator(".event", has_text="Spreekuur in buurthuis De Kling").get_by_role(
            "link", name="Add to my calendar"
        ).click()
    ical = Path(ical_download.value.path()).read_bytes().decode("utf-8")
    assert "SUMMARY:Spreekuur in buurthuis De Kling" in ical
    assert "RRULE:FREQ=WEEKLY" in ical

    for href, content_type in (
        ("/wijkagent/anna-voorbeeld/contact.vcf", "text/vcard"),
        (f"/agenda/{demo['spreekuur'].pk}.ics", "text/calendar"),
    ):
        response = page.request.get(live_server.url + href)
        assert response.headers["content-type"].startswith(content_type)


# --- Accessibility, layout, screenshots ---

PAGE_TYPES = {
    "home": "/",
    "profile": "/wijkagent/anna-voorbeeld/?buurt=BU09173300",
    "profile-absent": "/wijkagent/frank-testelaar/",
    "buurt": "/buurt/BU09173300/?gezocht=1",
    "buurt-without-officer": "/buurt/BU09172300/",
    "officers": "/wijkagenten/heerlen/",
    "wijken": "/wijken/heerlen/",
    "outside-area": "/buiten-werkgebied/",
    "privacy": "/privacy/",
    "accessibility": "/toegankelijkheid/",
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_axe_finds_no_serious_violations_on_any_page_type(
    demo, page, live_server, axe_source, language
):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    found = {}
    for name, path in PAGE_TYPES.items():
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == language
        found[name] = serious_accessibility_violations(page, axe_source)
    # The postcode form with errors, then the street form with its suggestions.
    page.goto(live_server.url + "/")
    search_postcode(page, "12", "x", button=FIND[language])
    found["home-with-errors"] = serious_accessibility_violations(page, axe_source)
    form = street_form(page)
    form.locator("#street_straat").fill("Stasionstraat")
    form.locator("#street_huisnummer").fill("13")
    form.locator("#street_woonplaats").fill("Heerlen")
    form.locator("button").click()
    page.wait_for_selector(".suggestions")
    found["street-suggestions"] = serious_accessibility_violations(page, axe_source)
    assert {name: v for name, v in found.items() if v} == {}


def test_the_axe_check_itself_catches_a_violation(demo, page, live_server, axe_source):
    """Guards the guard: a form field without a label must be reported."""
    page.goto(live_server.url + "/privacy/")
    page.evaluate(
        "() => document.querySelector('main').append(Object.assign("
        "document.createElement('input'), {type: 'text'}))"
    )
    assert "label" in {v["id"] for v in serious_accessibility_violations(page, axe_source)}


@pytest.mark.parametrize("width", [320, 640])
def test_pages_fit_a_320_px_screen_and_200_percent_zoom(demo, page, live_server, width):
    """640 CSS pixels is what a 1280 px window shows at 200% zoom."""
    page.set_viewport_size({"width": width, "height": 800})
    for name, path in PAGE_TYPES.items():
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"


def test_keyboard_users_get_the_skip_link_first_and_a_visible_focus(demo, page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").bounding_box()["x"] >= 0  # moved on screen when focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_of_home_profile_and_buurt(demo, page, live_server, screenshot_dir, width):
    page.set_viewport_size({"width": width, "height": 900})
    for name in ("home", "profile", "buurt"):
        page.goto(live_server.url + PAGE_TYPES[name])
        target = screenshot_dir / f"{name}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
