"""Residents see an officer's absence and the deputy on the buurt page, and spreekuren that fall
in the absence are said not to take place; at phone and desktop width, in Dutch and English."""

import datetime as dt

import pytest
from django.utils import timezone

from officers.models import Absence, Event
from tests import factories


@pytest.fixture
def absent_officer(transactional_db):
    dataset = factories.make_dataset()
    buurt = factories.make_buurt(dataset, "BU00010001", factories.square(0, 0), name="West")
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen", intro_nl="Hoi!")
    factories.assign(anna, buurt)
    today = timezone.localdate()
    Absence.objects.create(
        officer=anna, starts_on=today, ends_on=today + dt.timedelta(days=6), deputy=bram
    )
    starts = timezone.now() + dt.timedelta(days=2)
    Event.objects.create(
        officer=anna,
        title="Buurtspreekuur",
        place="Wijkcentrum",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    return buurt


@pytest.mark.parametrize(("width", "language"), [(375, "nl"), (1280, "en")])
def test_the_buurt_page_shows_the_absence_and_the_deputy(
    absent_officer, page, live_server, screenshot_dir, width, language
):
    page.set_viewport_size({"width": width, "height": 900})
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + "/buurt/BU00010001/")
    card = page.locator(".officer-card", has_text="Anna Voorbeeld")
    notice = card.locator(".notice--absence")
    assert notice.is_visible()
    text = notice.inner_text()
    assert ("Afwezig tot en met" if language == "nl" else "Away until") in text
    deputy = notice.locator("a", has_text="Bram Verzonnen")
    assert deputy.get_attribute("href") == "/wijkagent/bram-verzonnen/"
    event = page.locator(".event", has_text="Buurtspreekuur")
    assert ("gaat niet door" if language == "nl" else "cancelled") in event.inner_text()
    assert event.locator("a.download").count() == 0
    page.screenshot(
        path=str(screenshot_dir / f"buurt-absence-{width}-{language}.png"), full_page=True
    )
