"""What a walk of issues 19 and 20 on the real Heerlen data still found, in Chromium on a phone:
the page with two buurten, the coverage answer and a real postcode the registers cannot place.
Each test writes a screenshot of the fixed page to test-artifacts/."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.conftest import english, serious_accessibility_violations


def search_postcode(page, live_server, postcode: str, number: str = "") -> None:
    page.goto(live_server.url + "/")
    form = page.locator("form", has=page.locator("#id_postcode"))
    form.locator("#id_postcode").fill(postcode)
    form.locator("#id_huisnummer").fill(number)
    with page.expect_navigation():  # the answer to the post, not the page before it
        form.get_by_role("button").click()


def search_street(page, live_server, street: str, number: str, place: str) -> None:
    page.goto(live_server.url + "/")
    form = page.locator("form", has=page.locator("#street_straat"))
    form.locator("#street_straat").fill(street)
    form.locator("#street_huisnummer").fill(number)
    form.locator("#street_woonplaats").fill(place)
    with page.expect_navigation():  # the answer to the post, not the page before it
        form.get_by_role("button").click()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_both_buurten_and_their_wijkagenten_come_before_the_priorities(
    demo, page, live_server, screenshot_dir, axe_source, language
):
    # 6411 BP's centre lies in Heerlen-Centrum near 't Loon; Heerlen-Centrum has three priorities,
    # which used to stand between the two buurten, some 2,000 px of a phone's screen.
    if language == "en":
        english(page, live_server)
    search_postcode(page, live_server, "6411 BP")
    page.wait_for_url("**/buurt/BU09173300/?ook=BU09173303")
    officers = page.locator("#officers-heading").bounding_box()
    nearby = page.locator("#also-heading").bounding_box()
    priorities = page.locator("#priorities-heading").bounding_box()
    assert officers["y"] < nearby["y"] < priorities["y"]
    # Anna Voorbeeld is the wijkagent of both: one card, with her channels, and a mention below.
    cards = page.locator("article", has=page.get_by_role("link", name="Anna Voorbeeld"))
    assert cards.count() == 1
    assert cards.locator('a[href^="mailto:"]').count() == 1
    nearby = page.locator("section", has=page.locator("#also-heading"))
    assert nearby.get_by_role("link", name="Anna Voorbeeld").is_visible()
    notice = page.locator(".notice--why")
    assert notice.get_by_role("link").get_attribute("href") == "/klopt-dit-niet/?buurt=BU09173300"
    page.screenshot(
        path=str(screenshot_dir / f"walk-two-buurten-375-{language}.png"), full_page=True
    )
    assert serious_accessibility_violations(page, axe_source) == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_map_of_a_two_buurten_answer_draws_both_buurten(
    demo, page, live_server, screenshot_dir, axe_source, language
):
    # 6411 DR's centre lies in Eikenderveld, within 50 metres of Heerlen-Centrum in another wijk:
    # the map drew Eikenderveld alone.
    if language == "en":
        english(page, live_server)
    search_postcode(page, live_server, "6411 DR")
    page.wait_for_url("**/buurt/BU09173400/?ook=BU09173300")
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        figure = page.locator("figure.map-figure")
        drawn = figure.locator("svg.map").bounding_box()
        for role, name in (("focus", "Eikenderveld"), ("also", "Heerlen-Centrum")):
            area = figure.locator(f"path.map-{role}")
            assert area.count() == 1, role
            assert area.locator("title").text_content() == name
            box = area.bounding_box()
            assert box["width"] > 20 and box["height"] > 20, role
            assert drawn["x"] <= box["x"] and box["x"] + box["width"] <= drawn["x"] + drawn["width"]
            assert (
                drawn["y"] <= box["y"] and box["y"] + box["height"] <= drawn["y"] + drawn["height"]
            )
        legend = figure.locator(".map-legend").inner_text()
        assert "Heerlen-Centrum" in legend and "Eikenderveld" in legend
        figure.screenshot(path=str(screenshot_dir / f"walk-two-buurten-map-{width}-{language}.png"))
    assert serious_accessibility_violations(page, axe_source) == []


def test_a_deputy_of_the_nearby_buurt_is_called_a_deputy(demo, page, live_server):
    # 6413 NX lies in Nieuw-Einde near Weggebekker, where Tom Toneel only stands in.
    search_postcode(page, live_server, "6413 NX")
    page.wait_for_url("**/buurt/BU09172100/?ook=BU09172000")
    nearby = page.locator("section", has=page.locator("#also-heading"))
    tom = nearby.locator("article", has=page.get_by_role("link", name="Tom Toneel"))
    assert tom.locator(".role").inner_text().startswith("Vervangend wijkagent")
    olga = nearby.locator("article", has=page.get_by_role("link", name="Olga Bedenkers"))
    assert olga.locator(".role").inner_text().startswith("Wijkagent")


@pytest.mark.parametrize("form", ["postcode", "street"])
def test_the_coverage_answer_opens_on_the_answer_not_on_an_error(
    demo, page, live_server, screenshot_dir, axe_source, form
):
    if form == "postcode":
        search_postcode(page, live_server, "1012 JS", "1")
    else:
        search_street(page, live_server, "Damrak", "1", "Amsterdam")
    outside = page.get_by_role("region", name="Buiten het gebied van Wijkportaal")
    outside.wait_for()
    # The browser applies autofocus once the page has rendered, a moment after it is parsed.
    page.wait_for_function("() => document.activeElement.classList.contains('notice--outside')")
    box = outside.bounding_box()
    assert box["y"] >= 0 and box["y"] + 40 <= 812  # its heading is on the phone's screen
    # The heading sits at the top of the notice, not below a section heading's margin.
    assert outside.get_by_role("heading").bounding_box()["y"] - box["y"] < 24
    assert page.locator(".error-summary").count() == 0
    assert page.locator("[aria-invalid=true]").count() == 0
    assert page.title().startswith("Buiten ons gebied")
    assert outside.locator('a[href="tel:09008844"]').count() == 1
    assert outside.locator('a[href="tel:112"]').count() == 1
    page.screenshot(path=str(screenshot_dir / f"walk-outside-coverage-{form}-375.png"))
    assert serious_accessibility_violations(page, axe_source) == []
    page.locator(".language-switch button").click()
    page.wait_for_url("**/?opnieuw=1")
    assert "please enter your address again" in page.get_by_role("status").inner_text()


def test_a_real_postcode_the_registers_cannot_place_leads_to_the_list_of_buurten(
    demo, page, live_server, screenshot_dir
):
    # 6431 AM is a real Hoensbroek postcode; GeoNames puts its centre in France, so the import
    # skipped it and the search cannot tell its buurt.
    search_postcode(page, live_server, "6431 AM", "1")
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Controleer de postcode en het huisnummer" in summary.inner_text()
    link = page.locator(".search-block", has=summary).get_by_role(
        "link", name="Alle wijken en hun buurten"
    )
    page.screenshot(path=str(screenshot_dir / "walk-unplaced-postcode-375.png"))
    link.click()
    page.wait_for_url("**/wijken/heerlen/")
    assert page.get_by_role("link", name="Hoensbroek-Centrum").is_visible()


def test_a_choice_that_wraps_keeps_its_bullet_and_postcode_on_its_first_line(
    demo, page, live_server, screenshot_dir
):
    # "Demostraat Maria Gewanden 4A, 6499 AA Hoensbroek" takes two lines at 375 px: the bullet
    # stood by the second, and the postcode broke in two.
    search_postcode(page, live_server, "6499 AA", "4")
    choice = page.locator(".alternatives li").first
    choice.wait_for()
    box = choice.bounding_box()
    assert box["height"] > 40  # it does wrap
    marker = Image.open(
        io.BytesIO(
            page.screenshot(
                clip={"x": box["x"] - 20, "y": box["y"], "width": 18, "height": box["height"]}
            )
        )
    ).convert("L")
    dark_rows = [
        y
        for y in range(marker.height)
        if min(marker.getpixel((x, y)) for x in range(marker.width)) < 100
    ]
    assert dark_rows and max(dark_rows) < box["height"] / 2
    assert choice.locator(".postcode-text").evaluate("el => el.getClientRects().length") == 1
    page.screenshot(path=str(screenshot_dir / "walk-address-choices-375.png"))
