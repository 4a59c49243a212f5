"""What residents ran into, walked again in Chromium (issue 20, items 9 and 11-18): each test
fails on the old pages and writes a screenshot of the fixed one to test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from neighbourhoods.models import Buurt
from officers.models import Officer
from tests.browser.conftest import english

# Every word of a text stays on one line (a line may break after a hyphen); the rectangles of a
# word's range count its lines.
BROKEN_WORDS_JS = """
root => {
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/[^\\s-]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}
"""


# --- Item 17: the small things ---


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_cookie_list_breaks_no_word_at_320_pixels(
    demo, page, live_server, screenshot_dir, language
):
    if language == "en":
        english(page, live_server)
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(live_server.url + "/privacy/")
    cookies = page.locator("main table, main .cookie-list").first
    assert cookies.evaluate(BROKEN_WORDS_JS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(
        path=str(screenshot_dir / f"issue20-privacy-320-{language}.png"), full_page=True
    )


def test_the_open_or_closed_mark_is_not_read_aloud(demo, page, live_server):
    page.goto(live_server.url + "/wijkagent/anna-voorbeeld/")
    spoken = page.locator(".opening").aria_snapshot()
    assert "●" not in spoken and "○" not in spoken
    assert page.locator(".opening").inner_text().strip()[0] in "●○"  # still seen


def test_the_a_to_z_list_puts_ozlem_under_o(demo, page, live_server, screenshot_dir):
    ozlem = Officer.objects.create(
        name="Özlem Çelik-de Vries", slug="ozlem-celik-de-vries", is_published=True
    )
    ozlem.assignments.create(buurt=Buurt.objects.active().get(code="BU09173300"))
    cache.clear()
    page.goto(live_server.url + "/wijkagenten/heerlen/")
    headings = page.locator("main h2").all_inner_texts()
    assert "Ö" not in headings
    assert (
        "Özlem Çelik-de Vries"
        in page.locator("section", has=page.locator("#letter-O")).inner_text()
    )
    page.locator("#letter-O").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "issue20-a-to-z-375.png"))


def test_a_closed_station_says_when_it_opens_again(demo, page, live_server):
    from officers.models import Station

    station = Station.objects.get(name="Heerlen")
    today = dt.date.today()
    station.closing_days.create(date=today, reason="Testdag")
    cache.clear()
    page.goto(live_server.url + "/wijkagent/anna-voorbeeld/")
    opening = page.locator(".opening").inner_text()
    assert "Vandaag gesloten." in opening
    assert "open" in opening.split("Vandaag gesloten.")[1]
    assert page.locator(".station").get_by_text("6411 NH").count() == 1


# --- Item 11: the wijkagent leads, then the deputy ---


@pytest.mark.parametrize("width", [375, 1280])
def test_the_buurt_page_leads_with_the_wijkagent_and_a_way_to_reach_them(
    demo, page, live_server, screenshot_dir, width
):
    # In the demo, Carla Fictief is the wijkagent of Burettestraat en omgeving and Sara
    # Spiegelbeeld her deputy.
    page.set_viewport_size({"width": width, "height": 812})
    page.goto(live_server.url + "/buurt/BU09173201/")
    cards = page.locator(".officer-card")
    first = cards.nth(0)
    assert "Carla Fictief" in first.inner_text()
    assert "Vervangend" not in first.inner_text()
    phone = first.locator('a[href^="tel:"]')
    assert phone.count() == 1 and phone.is_visible()
    second = cards.nth(1)
    assert "Sara Spiegelbeeld" in second.inner_text()
    assert "Vervangend wijkagent" in second.inner_text()
    assert first.bounding_box()["y"] < second.bounding_box()["y"]
    page.screenshot(path=str(screenshot_dir / f"issue20-buurt-roles-{width}.png"), full_page=True)


def test_a_deputy_only_profile_says_deputy(demo, page, live_server):
    page.goto(live_server.url + "/wijkagent/sara-spiegelbeeld/")
    area = page.locator("section", has=page.locator("#area-heading")).inner_text()
    assert "is wijkagent voor" not in area
    assert "vervangend wijkagent voor 8 buurten" in area


# --- Item 13: switching language keeps the page, or says why it cannot ---


def switch_language(page, to: str) -> None:
    page.get_by_role("button", name={"en": "English", "nl": "Nederlands"}[to]).click()
    page.wait_for_selector(f"html[lang={to}]")


@pytest.mark.parametrize(
    "path", ["/wijkagent/anna-voorbeeld/?buurt=BU09173300", "/buurt/BU09172300/?gezocht=1"]
)
def test_switching_language_on_a_result_stays_on_it(demo, page, live_server, path):
    page.goto(live_server.url + path)
    switch_language(page, "en")
    assert page.url == live_server.url + path
    assert "Why you see this" in page.locator(".notice--why").inner_text()


@pytest.mark.parametrize("form", ["postcode", "street"])
def test_switching_language_on_an_error_page_says_the_input_is_gone(
    demo, page, live_server, screenshot_dir, form
):
    page.goto(live_server.url + "/")
    if form == "postcode":
        page.locator("#id_postcode").fill("6411 NH")
        page.locator("#id_huisnummer").fill("999")
        page.locator("form", has=page.locator("#id_postcode")).get_by_role("button").click()
    else:
        page.locator("#street_straat").fill("Statoinstraat")
        page.locator("#street_huisnummer").fill("13")
        page.locator("#street_woonplaats").fill("Heerlen")
        page.locator("form", has=page.locator("#street_straat")).get_by_role("button").click()
    page.wait_for_selector(".error-summary")
    switch_language(page, "en")
    assert page.locator("h1").inner_text() == "Find your wijkagent"
    notice = page.get_by_role("status")
    assert "please enter your address again" in notice.inner_text()
    assert page.locator("#id_postcode").input_value() == ""
    page.screenshot(path=str(screenshot_dir / f"issue20-language-after-error-{form}.png"))


# --- Item 16: 112 near the top of every page, the form still on the first screen ---


@pytest.mark.parametrize("language", ["nl", "en"])
def test_112_is_on_the_first_screen_with_the_search_form(
    demo, page, live_server, screenshot_dir, language
):
    if language == "en":
        english(page, live_server)
    page.goto(live_server.url + "/")
    emergency = page.locator('header a[href="tel:112"]')
    assert emergency.is_visible()
    assert emergency.bounding_box()["y"] < 100
    button = page.locator("form", has=page.locator("#id_postcode")).get_by_role("button")
    box = button.bounding_box()
    assert box["y"] + box["height"] <= 812
    page.screenshot(path=str(screenshot_dir / f"issue20-home-first-screen-375-{language}.png"))


@pytest.mark.parametrize(
    "path",
    [
        "/wijkagent/anna-voorbeeld/",
        "/buurt/BU09173300/",
        "/wijkagenten/heerlen/",
        "/privacy/",
        "/geen/",
    ],
)
def test_every_page_offers_112_in_its_header(demo, page, live_server, path):
    page.goto(live_server.url + path)
    emergency = page.locator('header a[href="tel:112"]')
    assert emergency.is_visible()
    assert emergency.bounding_box()["y"] < 100


# --- Item 15: English words where English has them ---


def test_english_pages_use_english_words(demo, page, live_server, screenshot_dir):
    english(page, live_server)
    page.goto(live_server.url + "/buurt/BU09173300/")
    text = page.locator("body").inner_text()
    for dutch in ["Wijken and buurten", "Spreekuren and", "Hoofdagent", "Bron"]:
        assert dutch not in text
    assert "Districts and neighbourhoods" in page.locator("nav").inner_text()
    assert "A buurt (neighbourhood) in the district" in text
    page.screenshot(path=str(screenshot_dir / "issue20-buurt-375-en.png"), full_page=True)


# --- Item 9: the error summary of the form used, in view and focused ---


@pytest.mark.parametrize(
    ("language", "width", "height"), [("nl", 375, 812), ("en", 375, 812), ("nl", 1280, 800)]
)
def test_street_search_errors_open_with_their_summary_at_the_top(
    demo, page, live_server, screenshot_dir, language, width, height
):
    if language == "en":
        english(page, live_server)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/")
    form = page.locator("form", has=page.locator("#street_straat"))
    form.locator("#street_straat").fill("Statoinstraat")
    form.locator("#street_huisnummer").fill("13E")
    form.locator("#street_woonplaats").fill("Heerlen")
    form.get_by_role("button").click()
    page.wait_for_selector(".error-summary")
    summary = page.locator(".search-block", has=form).locator(".error-summary")
    page.wait_for_function("() => document.activeElement.classList.contains('error-summary')")
    assert summary.evaluate("el => el === document.activeElement")
    box = summary.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
    # The form that was sent comes first, above the postcode form.
    street_heading = page.locator("#street-heading").bounding_box()
    assert street_heading["y"] < page.locator("#postcode-heading").bounding_box()["y"]
    suggestion = page.locator(".suggestions").get_by_role(
        "button", name="Stationstraat 13E, Heerlen"
    )
    link = suggestion.bounding_box()
    assert link["y"] >= 0 and link["y"] + link["height"] <= height, link
    page.screenshot(path=str(screenshot_dir / f"issue20-street-error-{width}-{language}.png"))
    with page.expect_navigation():
        suggestion.click()
    # The answer's URL names the officer and nothing of the search.
    assert page.url.endswith("/wijkagent/anna-voorbeeld/?buurt=BU09173300"), page.url


def test_postcode_errors_focus_their_own_summary(demo, page, live_server):
    page.goto(live_server.url + "/")
    page.locator("#id_postcode").fill("6411 NH")
    page.locator("#id_huisnummer").fill("dertien")
    page.locator("form", has=page.locator("#id_postcode")).get_by_role("button").click()
    page.wait_for_selector(".error-summary")
    # The browser applies autofocus once the page has rendered, a moment after it is parsed.
    page.wait_for_function(
        "() => document.activeElement.getAttribute('aria-labelledby') === 'id_error-summary-heading'"
    )


# --- Item 18: an officer who has left ---


@pytest.mark.parametrize("width", [375, 1280])
def test_a_removed_officers_old_link_names_who_to_contact_now(
    demo, page, live_server, screenshot_dir, width
):
    # Carla Fictief covers Wijk 32, where Sara Spiegelbeeld is the deputy.
    Officer.objects.get(slug="carla-fictief").delete()
    cache.clear()
    page.set_viewport_size({"width": width, "height": 812})
    response = page.goto(live_server.url + "/wijkagent/carla-fictief/")
    assert response.status == 410
    assert page.locator("h1").inner_text() == "Dit profiel is niet meer actueel"
    successors = page.locator(".successors")
    assert successors.get_by_role("link", name="Sara Spiegelbeeld").count() == 4
    page.screenshot(
        path=str(screenshot_dir / f"issue20-former-profile-{width}.png"), full_page=True
    )


def test_an_unpublished_officers_old_link_is_a_page_not_a_bare_404(demo, page, live_server):
    Officer.objects.filter(slug="anna-voorbeeld").update(is_published=False)
    cache.clear()
    response = page.goto(live_server.url + "/wijkagent/anna-voorbeeld/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Dit profiel is niet meer actueel"
    assert page.locator(".successors li").count() == 4
