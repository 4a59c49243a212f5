"""The two journeys of a real postcode on the demo, in a real browser (Dutch, the default): a
Heerlen postcode the address register does not hold answers by postcode, and an Amsterdam address
gets the coverage answer. Screenshots go to test-artifacts/."""

from tests.browser.conftest import serious_accessibility_violations


def search(page, live_server, *, postcode: str, number: str = "") -> None:
    page.goto(live_server.url + "/")
    form = page.locator("form", has=page.locator("#id_postcode"))
    form.get_by_label("Postcode").fill(postcode)
    form.get_by_label("Huisnummer").fill(number)
    with page.expect_navigation():  # the answer to the post, not the page before it
        form.get_by_role("button", name="Vind mijn wijkagent").click()


def test_a_heerlen_postcode_answers_by_postcode(
    demo, page, live_server, screenshot_dir, axe_source
):
    page.goto(live_server.url + "/")
    assert "Wijkportaal werkt voor Heerlen (met Hoensbroek)." in page.inner_text("main")
    search(page, live_server, postcode="6411 HA", number="7")
    page.wait_for_url("**/wijkagent/**")
    assert "6411" not in page.url.removeprefix(live_server.url)
    assert page.locator("h1").inner_text() == "Anna Voorbeeld"
    notice = page.get_by_role("status")
    assert "op basis van je postcode" in notice.inner_text()
    page.screenshot(path=screenshot_dir / "postcode-answer.png", full_page=True)
    assert serious_accessibility_violations(page, axe_source) == []

    search(page, live_server, postcode="6411 DR")
    page.wait_for_url("**/buurt/BU09173400/?ook=BU09173300")
    text = page.inner_text("main")
    assert text.index("Eikenderveld") < text.index("Heerlen-Centrum")
    assert "minder dan 50 meter" in text
    page.screenshot(path=screenshot_dir / "postcode-two-buurten.png", full_page=True)
    assert serious_accessibility_violations(page, axe_source) == []


def test_an_amsterdam_address_gets_the_coverage_answer(
    demo, page, live_server, screenshot_dir, axe_source
):
    search(page, live_server, postcode="1012 JS", number="1")
    outside = page.get_by_role("region", name="Buiten het gebied van Wijkportaal")
    assert outside.is_visible()
    text = outside.inner_text()
    assert "Heerlen (met Hoensbroek)" in text
    assert "0900-8844" in text and "112" in text
    link = outside.get_by_role("link", name="zoek je wijkagent op politie.nl")
    assert link.get_attribute("href") == "https://www.politie.nl/mijn-buurt/wijkagenten"
    page.screenshot(path=screenshot_dir / "outside-coverage.png", full_page=True)
    assert serious_accessibility_violations(page, axe_source) == []
