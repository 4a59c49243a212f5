"""A new editor's first sign-in sets up the authenticator (QR code drawn by the server, no script),
the next sign-in asks for its code, and a contact change the editor makes is undone from the
coverage page in one step."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from officers.models import ContactChannel
from tests import factories
from tests.officers.admin_support import PASSWORD, authenticator_code, make_editor


def code_for(secret: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app computes from the key typed off the enrolment page."""
    compact = secret.replace(" ", "")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    totp = TOTP(key)
    totp.time = totp.time + steps_ahead * totp.step
    return f"{totp.token():06d}"


@pytest.fixture
def site(transactional_db):
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.add_channel(officer, ContactChannel.Kind.PHONE, "045-1234567")
    return {"officer": officer, "editor": make_editor()}


def sign_in_with_password(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/beheer/")
    page.wait_for_url("**/beheer/login/**")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_enrolment_then_sign_in_with_a_code_then_a_contact_change_reverted(
    site, page, live_server, screenshot_dir
):
    sign_in_with_password(page, live_server, site["editor"].username)
    page.wait_for_url("**/beheer/login/set-up/**")
    qr = page.locator(".qr-code svg")
    assert qr.is_visible()
    assert qr.bounding_box()["width"] >= 120
    secret = page.locator("#totp-secret").inner_text()
    page.screenshot(path=str(screenshot_dir / "second-factor-enrolment.png"), full_page=True)

    page.fill("#id_code", code_for(secret))
    page.click("#enrol-form input[type=submit]")
    page.wait_for_url("**/beheer/login/recovery-codes/**")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=str(screenshot_dir / "second-factor-recovery-codes.png"), full_page=True)
    page.click("#continue")
    page.wait_for_url(live_server.url + "/beheer/")

    # Sign out and in again: now the password is followed by the code step.
    page.click("#logout-form button")
    sign_in_with_password(page, live_server, site["editor"].username)
    page.wait_for_url("**/beheer/login/code/**")
    page.fill("#id_code", "000000")
    page.click("#second-factor-form input[type=submit]")
    page.wait_for_selector(".errorlist")
    page.screenshot(path=str(screenshot_dir / "second-factor-code-refused.png"), full_page=True)
    page.wait_for_timeout(1100)  # django-otp's wait after a wrong code
    # The code of the enrolment was used; the next period's code is accepted at once.
    page.fill("#id_code", code_for(secret, steps_ahead=1))
    page.click("#second-factor-form input[type=submit]")
    page.wait_for_url(live_server.url + "/beheer/")

    # The editor changes the officer's phone number ...
    page.goto(f"{live_server.url}/beheer/officers/officer/{site['officer'].pk}/change/")
    page.fill("#id_channels-0-value", "06-12345678")
    page.click("input[name=_save]")
    page.wait_for_url("**/beheer/officers/officer/")
    page.goto(live_server.url + "/wijkagent/anna-voorbeeld/")
    assert "06-12345678" in page.locator("main").inner_text()

    # ... which the coverage page lists with who and when, and undoes in one step.
    page.goto(live_server.url + "/beheer/officers/officer/coverage/")
    row = page.locator("#contact-changes tr.contact-change")
    assert row.count() == 1
    assert "redacteur" in row.inner_text() and "045-1234567" in row.inner_text()
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "contact-change-listed.png"), full_page=True)
    row.locator("button.revert").click()
    page.wait_for_url("**/coverage/#contact-changes")
    assert page.locator(".messagelist .success").count() == 1
    assert "teruggedraaid door redacteur" in page.locator("#contact-changes").inner_text()
    page.screenshot(path=str(screenshot_dir / "contact-change-reverted.png"), full_page=True)
    page.goto(live_server.url + "/wijkagent/anna-voorbeeld/")
    assert "045-1234567" in page.locator("main").inner_text()


def test_both_sign_in_steps_work_without_javascript(chromium, live_server, transactional_db):
    editor = make_editor("zonder-script")
    device = TOTPDevice.objects.create(user=editor, name="authenticator", confirmed=True)
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_with_password(page, live_server, editor.username)
        page.wait_for_url("**/beheer/login/code/**")
        page.fill("#id_code", authenticator_code(device))
        page.click("#second-factor-form input[type=submit]")
        page.wait_for_url(live_server.url + "/beheer/")
        assert page.locator("#user-tools").inner_text().upper().count("ZONDER-SCRIPT") == 1
    finally:
        context.close()
