"""The e-mail alerts in a real browser on a phone: from a buurt page to the confirmed
subscription, with the error summary on the way, no cookie, nothing wider than the screen, and
axe-core on each page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command

from alerts.models import Subscription
from tests.alerts.conftest import link, smtp_server  # noqa: F401 (a fixture)

from .conftest import serious_accessibility_violations

BUURT = "BU09173300"


@pytest.fixture
def demo(transactional_db, settings, live_server, smtp_server):  # noqa: F811
    cache.clear()
    call_command("load_demo", verbosity=0)
    settings.SITE_URL = live_server.url
    yield
    cache.clear()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_subscribes_from_the_buurt_page_and_confirms(
    demo,
    page,
    live_server,
    axe_source,
    screenshot_dir,
    smtp_server,  # noqa: F811
):
    page.goto(f"{live_server.url}/buurt/{BUURT}/")
    page.get_by_role("link", name="Houd me op de hoogte").click()
    page.wait_for_url(f"**/buurt/{BUURT}/volgen/")
    assert serious_accessibility_violations(page, axe_source) == []
    assert fits_the_screen(page)
    page.get_by_label("Je e-mailadres").fill("bewoner@example")
    page.get_by_label("Nieuwe spreekuren en bijeenkomsten").uncheck()
    page.get_by_role("button", name="Stuur me de bevestiging").click()
    page.locator(".error-summary").wait_for()
    assert serious_accessibility_violations(page, axe_source) == []
    assert fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "alerts-subscribe-error.png", full_page=True)
    page.get_by_label("Je e-mailadres").fill("bewoner@example.org")
    page.get_by_role("button", name="Stuur me de bevestiging").click()
    page.wait_for_url("**/volgen/verstuurd/")
    assert page.context.cookies() == []

    [confirmation] = smtp_server.received
    page.goto(live_server.url + link(confirmation, "/volgen/bevestigen/"))
    assert serious_accessibility_violations(page, axe_source) == []
    page.get_by_role("button", name="Ja, stuur me deze e-mails").click()
    page.get_by_role("heading", name="Je aanmelding is bevestigd").wait_for()
    assert fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "alerts-confirmed.png", full_page=True)
    subscription = Subscription.objects.get()
    assert subscription.is_confirmed
    assert (subscription.wants_meetings, subscription.wants_wijkagent) == (False, True)
