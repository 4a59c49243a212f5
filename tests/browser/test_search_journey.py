"""The core journey in a real browser (Dutch, the default): type the station's address, land on the
wijkagent's profile."""


def test_police_station_address_lands_on_heerlen_centrum_officer(demo, page, live_server):
    page.goto(live_server.url + "/")
    form = page.locator("form", has=page.locator("#id_postcode"))
    form.get_by_label("Postcode").fill("6411 NH")
    form.get_by_label("Huisnummer").fill("13 E")
    form.get_by_role("button", name="Vind mijn wijkagent").click()
    page.wait_for_url("**/wijkagent/**")
    assert "6411" not in page.url.removeprefix(live_server.url)
    assert page.locator("h1").inner_text() == "Anna Voorbeeld"
    assert "Heerlen-Centrum" in page.content()


def test_bad_postcode_shows_the_error_summary_linked_to_the_field(demo, page, live_server):
    page.goto(live_server.url + "/")
    form = page.locator("form", has=page.locator("#id_postcode"))
    form.get_by_label("Postcode").fill("12")
    with page.expect_navigation():  # the answer to the post, not the page before it
        form.get_by_role("button", name="Vind mijn wijkagent").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_postcode"
