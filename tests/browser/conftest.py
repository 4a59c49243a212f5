"""Browser tests: Playwright drives the system Chromium against the app on a live server.

Chromium comes from the distribution (`scripts/install-browser`), never from Playwright's download.
When it is missing the tests skip locally with the reason, and fail in CI (where `CI` is set).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots the tests write, for people to look at; named in the README.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# axe-core, vendored from the npm registry with its licence (MPL-2.0); see vendor/README.md.
AXE_PATH = Path(__file__).with_name("vendor") / "axe.min.js"
# The WCAG 2.0/2.1 A and AA rules plus axe's best practices; the tests fail on serious or critical.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests make
# in between are ordinary synchronous calls, so the async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    if not Path(CHROMIUM_PATH).exists():
        message = f"Chromium not found at {CHROMIUM_PATH}; run scripts/install-browser"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server) -> Iterator:
    """A fresh browser context (no cookies) on a phone-sized screen, failing on any off-site request."""
    context = chromium.new_context(viewport={"width": 375, "height": 812}, locale="nl-NL")
    offsite: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        if url.startswith(live_server.url) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            offsite.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not offsite, f"the page requested third-party URLs: {offsite}"


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def serious_accessibility_violations(page, axe_source: str) -> list[dict]:
    """Run axe-core on the page and return its serious and critical violations.

    The script is evaluated through the browser's DevTools protocol, not added as a <script>
    element, so it runs under a strict Content-Security-Policy too.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def demo(transactional_db) -> Iterator[None]:
    """The Heerlen demo, with an empty page cache before and after (a module that needs more
    overrides this fixture)."""
    from django.core.cache import cache
    from django.core.management import call_command

    cache.clear()
    call_command("load_demo", verbosity=0)
    yield
    cache.clear()


def english(page, live_server) -> None:
    """Make the browser ask for English, as the language switch's cookie does."""
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def log_in_to_admin(page, live_server, user, *, password: str, start: str = "/beheer/") -> None:
    """Sign `user` in through the admin's two steps, the password and then a code from a confirmed
    authenticator (made here when the user has none), ending on `start`."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.officers.admin_support import authenticator_code

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    page.goto(live_server.url + start)
    page.wait_for_url("**/beheer/login/**")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/beheer/login/code/**")
    page.fill("#id_code", authenticator_code(device))
    page.click("#second-factor-form input[type=submit]")
    page.wait_for_url(live_server.url + start)
