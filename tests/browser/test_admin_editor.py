"""An editor logs in to the admin, changes an officer's introduction and photo, and sees both on the
public profile page."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from tests import factories
from tests.browser.conftest import log_in_to_admin
from tests.officers.admin_support import PASSWORD, make_editor


@pytest.fixture
def site(transactional_db, settings, tmp_path):
    # The live server runs with DEBUG off: the photos are served by the app's own media view.
    settings.MEDIA_ROOT = tmp_path / "media"
    dataset = factories.make_dataset()
    buurt = factories.make_buurt(dataset, "BU00010001", factories.square(0, 0), name="West")
    officer = factories.make_officer(
        "Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Oude introductie."
    )
    factories.assign(officer, buurt)
    editor = make_editor()
    TOTPDevice.objects.create(user=editor, name="authenticator", confirmed=True)
    photo = tmp_path / "portret.png"
    Image.new("RGB", (900, 700), (30, 80, 150)).save(photo)
    return {"officer": officer, "editor": editor, "photo": photo}


def test_an_editor_changes_the_introduction_and_photo_and_residents_see_both(
    site, page, live_server, screenshot_dir
):
    log_in_to_admin(page, live_server, site["editor"], password=PASSWORD)

    page.goto(f"{live_server.url}/beheer/officers/officer/{site['officer'].pk}/change/")
    page.fill("#id_intro_nl", "Ik ben elke dinsdag op het buurtspreekuur in het wijkcentrum.")
    page.set_input_files("#id_photo", str(site["photo"]))
    page.fill("#id_photo_alt", "Anna Voorbeeld in uniform voor het bureau")
    page.click("input[name=_save]")
    page.wait_for_url("**/beheer/officers/officer/")
    assert page.locator(".messagelist .success").count() == 1

    page.goto(live_server.url + "/wijkagent/anna-voorbeeld/")
    assert page.locator("h1").inner_text() == "Anna Voorbeeld"
    assert "Ik ben elke dinsdag op het buurtspreekuur" in page.locator("main").inner_text()
    photo = page.locator("img.photo--large")
    assert photo.get_attribute("alt") == "Anna Voorbeeld in uniform voor het bureau"
    assert "/media/officers/" in photo.get_attribute("src")
    photo.wait_for()
    page.wait_for_function("document.querySelector('img.photo--large').complete")
    assert photo.evaluate("image => image.naturalWidth") == 480
    page.screenshot(path=str(screenshot_dir / "admin-editor-profile.png"), full_page=True)


def _broken_images(page) -> list[str]:
    return page.evaluate(
        "() => [...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)"
    )


def test_a_chosen_photo_survives_an_error_in_another_field(site, page, live_server, screenshot_dir):
    log_in_to_admin(page, live_server, site["editor"], password=PASSWORD)
    page.goto(f"{live_server.url}/beheer/officers/officer/{site['officer'].pk}/change/")
    page.set_input_files("#id_photo", str(site["photo"]))
    page.fill("#id_photo_alt", "Anna Voorbeeld in uniform voor het bureau")
    page.click("#channels-group .add-row a")
    page.select_option("#id_channels-0-kind", "instagram")
    page.fill("#id_channels-0-value", "instagram.com/x")
    page.click("input[name=_save]")
    page.wait_for_selector(".errornote")
    kept = page.locator(".photo-kept")
    assert "portret.png" in kept.inner_text()
    page.wait_for_load_state("load")
    assert _broken_images(page) == []
    kept.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "admin-photo-kept-after-error.png"), full_page=True)

    page.fill("#id_channels-0-value", "https://www.instagram.com/x")
    page.click("input[name=_save]")
    page.wait_for_url("**/beheer/officers/officer/")
    assert page.locator(".messagelist .success").count() == 1
    page.goto(live_server.url + "/wijkagent/anna-voorbeeld/")
    photo = page.locator("img.photo--large")
    assert photo.get_attribute("alt") == "Anna Voorbeeld in uniform voor het bureau"
    page.wait_for_function("document.querySelector('img.photo--large').complete")
    assert photo.evaluate("image => image.naturalWidth") == 480
