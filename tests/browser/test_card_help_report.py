"""The buurt card, /hulp/ and "Klopt dit niet?" in a real browser: one printed page in A4 and A5
from a phone and a desktop, a QR code that decodes to the buurt page on screen and on paper, the
quick exit with and without JavaScript, a report that reaches the admin and is deleted 90 days
after staff handled it, each problem on /hulp/ with its channel, and axe-core on each page."""

from __future__ import annotations

import datetime as dt
import io

import pypdfium2 as pdfium
import pytest
import time_machine
import zxingcpp
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from guidance.models import AnswerReport
from neighbourhoods.models import Buurt
from officers.models import Assignment, ContactChannel, Event, Officer
from tests.browser.conftest import log_in_to_admin
from tests.guidance.conftest import ensure_national_entries
from tests.officers.admin_support import PASSWORD, make_editor

from .conftest import serious_accessibility_violations

BUURT = "BU09173300"
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def demo(transactional_db, settings, live_server):
    cache.clear()
    call_command("load_demo", verbosity=0)
    ensure_national_entries()
    settings.SITE_URL = live_server.url
    yield
    cache.clear()


def crowd_the_buurt() -> None:
    """The fullest card: more officers than it lists, each with every kind of channel, and more
    spreekuren than it lists, with long titles and places."""
    buurt = Buurt.objects.active().get(code=BUURT)
    start = (timezone.localtime() + dt.timedelta(days=1)).replace(hour=19, minute=0)
    for number in range(5):
        officer = Officer.objects.create(
            name=f"Wilhelmina van Oranje-Nassau {number}",
            slug=f"drukke-agent-{number}",
            rank="Hoofdagent",
            is_published=True,
        )
        Assignment.objects.create(
            officer=officer, buurt=buurt, role="deputy", valid_from=dt.date(2020, 1, 1)
        )
        for kind, value in (
            ("phone", "06-12345678"),
            ("email", f"wilhelmina.van.oranje.nassau.{number}@politie.example.org"),
            ("whatsapp", "06-12345678"),
            ("instagram", f"https://www.instagram.com/wijkagent.wilhelmina.{number}"),
        ):
            ContactChannel.objects.create(officer=officer, kind=kind, value=value)
        Event.objects.create(
            officer=officer,
            title="Spreekuur over veiligheid, overlast en inbraakpreventie in de wijk",
            place="Buurthuis De Kling, grote zaal op de eerste verdieping, Heerlen",
            starts_at=start + dt.timedelta(days=number),
            ends_at=start + dt.timedelta(days=number, hours=2),
        )


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("paper", ["A4", "A5"])
@pytest.mark.parametrize("crowded", [False, True], ids=["demo", "crowded"])
def test_the_card_prints_on_one_page(
    demo, page, live_server, screenshot_dir, viewport, paper, crowded
):
    if crowded:
        crowd_the_buurt()
    page.set_viewport_size(VIEWPORTS[viewport])
    suffix = "a5/" if paper == "A5" else ""
    page.goto(f"{live_server.url}/buurt/{BUURT}/kaart/{suffix}")
    page.get_by_role("heading", name="Je wijkagent in Heerlen-Centrum").wait_for()
    pdf = page.pdf(format=paper, print_background=True)
    name = f"card-{paper.lower()}-{viewport}{'-crowded' if crowded else ''}"
    (screenshot_dir / f"{name}.pdf").write_bytes(pdf)
    page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    # The QR code as printed, not as on screen: the printed page, rasterised, decodes to the
    # buurt page (a print style that hid, clipped or shrank it would fail here).
    printed = pdfium.PdfDocument(pdf)[0].render(scale=2).to_pil()
    printed.save(screenshot_dir / f"{name}-printed.png")
    decoded = [result.text for result in zxingcpp.read_barcodes(printed)]
    assert decoded == [f"{live_server.url}/buurt/{BUURT}/"]


def test_the_qr_code_decodes_to_the_buurt_page(demo, page, live_server):
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(f"{live_server.url}/buurt/{BUURT}/kaart/")
    png = page.locator(".card-qr-code").screenshot()
    decoded = [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert decoded == [f"{live_server.url}/buurt/{BUURT}/"]
    page.goto(decoded[0])
    assert page.get_by_role("heading", level=1).inner_text() == "Buurt Heerlen-Centrum"


def test_the_card_is_reached_from_the_buurt_page_and_is_accessible(
    demo, page, live_server, axe_source
):
    page.goto(f"{live_server.url}/buurt/{BUURT}/")
    page.get_by_role("link", name="Kaart voor het prikbord (om te printen)").click()
    page.wait_for_url(f"**/buurt/{BUURT}/kaart/")
    assert serious_accessibility_violations(page, axe_source) == []
    page.get_by_role("link", name="A5").click()
    page.wait_for_url("**/kaart/a5/")
    assert serious_accessibility_violations(page, axe_source) == []


# Each problem the issue lists, its channels and their numbers as /hulp/ shows them for Heerlen:
# topic -> (the problem's heading, the channels' headings, the numbers to call, in order).
HELP_GUIDE = {
    "nl": {
        "emergency": ("Spoed", ["Alarmnummer 112"], ["112"]),
        "crime": ("Aangifte doen", ["Aangifte doen bij de politie"], ["0900-8844"]),
        "anonymous": ("Anoniem iets melden", ["Meld Misdaad Anoniem"], ["0800-7000"]),
        "nuisance": (
            "Overlast en burenruzies",
            ["Je wijkagent", "Buurtbemiddeling"],
            ["0900-8844"],
        ),
        "domestic-violence": (
            "Huiselijk geweld en kindermishandeling",
            ["Veilig Thuis"],
            ["0800-2000"],
        ),
        "discrimination": ("Discriminatie", ["Antidiscriminatievoorziening"], ["0800-0880"]),
        "municipality": ("Zaken voor de gemeente", ["Je gemeente", "Gemeente Heerlen"], ["14 045"]),
    },
    "en": {
        "emergency": ("Emergency", ["Emergency number 112"], ["112"]),
        "crime": ("Reporting a crime", ["Reporting a crime to the police"], ["0900-8844"]),
        "anonymous": ("Telling something anonymously", ["Meld Misdaad Anoniem"], ["0800-7000"]),
        "nuisance": (
            "Nuisance and neighbour disputes",
            ["Your wijkagent", "Buurtbemiddeling"],
            ["0900-8844"],
        ),
        "domestic-violence": (
            "Domestic violence and child abuse",
            ["Veilig Thuis"],
            ["0800-2000"],
        ),
        "discrimination": ("Discrimination", ["Antidiscriminatievoorziening"], ["0800-0880"]),
        "municipality": (
            "Things for the municipality",
            ["Your municipality", "Municipality of Heerlen"],
            ["14 045"],
        ),
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_help_page_guides_each_problem_and_is_accessible(
    demo, page, live_server, axe_source, screenshot_dir, language
):
    page.goto(f"{live_server.url}/buurt/{BUURT}/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("html[lang=en]")
    link = {"nl": "Waarvoor kan ik bij mijn wijkagent terecht?", "en": "What can my wijkagent"}
    page.get_by_role("link", name=link[language]).click()
    page.wait_for_url("**/hulp/")
    assert page.locator("li.help-topic").count() == len(HELP_GUIDE[language])
    for topic, (problem, channels, numbers) in HELP_GUIDE[language].items():
        section = page.locator(f"li.help-topic--{topic}")
        assert section.get_by_role("heading", level=2).inner_text() == problem
        headings = section.get_by_role("heading", level=3).all_inner_texts()
        for channel in channels:
            assert any(heading.startswith(channel) for heading in headings), (topic, headings)
        assert section.locator("a.help-phone").all_inner_texts() == numbers
    crime = page.locator("li.help-topic--crime a[href^='https://']")
    assert crime.get_attribute("href") == "https://www.politie.nl/aangifte-of-melding-doen"
    quick_exit = page.locator("li.help-topic--domestic-violence a.quick-exit")
    assert quick_exit.get_attribute("href") == "https://www.google.nl/"
    assert serious_accessibility_violations(page, axe_source) == []
    page.screenshot(path=screenshot_dir / f"help-{language}.png", full_page=True)


def assert_hulp_left_the_history(page, length_before: int) -> None:
    """Replaced, not pushed: the history is no longer, and Back does not lead to /hulp/."""
    assert page.evaluate("history.length") == length_before
    page.go_back()
    assert "/hulp/" not in page.url


def test_the_quick_exit_replaces_the_page_in_the_history(demo, page, live_server):
    page.route(
        "https://www.google.nl/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>neutraal</p>"),
    )
    page.goto(f"{live_server.url}/hulp/")
    before = page.evaluate("history.length")
    assert page.locator(".quick-exit-key").is_visible()
    page.get_by_role("link", name="Snel weg van deze site").click()
    page.wait_for_url("https://www.google.nl/")
    assert_hulp_left_the_history(page, before)


def test_escape_leaves_at_once(demo, page, live_server):
    page.route(
        "https://www.google.nl/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>neutraal</p>"),
    )
    page.goto(f"{live_server.url}/hulp/")
    before = page.evaluate("history.length")
    page.keyboard.press("Escape")
    page.wait_for_url("https://www.google.nl/")
    assert_hulp_left_the_history(page, before)


def test_the_quick_exit_is_a_plain_link_without_javascript(demo, chromium, live_server):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/hulp/")
    link = page.get_by_role("link", name="Snel weg van deze site")
    assert link.get_attribute("href") == "https://www.google.nl/"
    assert link.get_attribute("rel") == "noreferrer"
    assert not page.locator(".quick-exit-key").is_visible()
    context.close()


def test_a_wrong_answer_report_reaches_the_admin(
    demo, page, live_server, axe_source, screenshot_dir
):
    page.goto(live_server.url + "/")
    form = page.locator("form", has=page.locator("#id_postcode"))
    form.locator("#id_postcode").fill("6411 NH")
    form.locator("#id_huisnummer").fill("13 E")
    form.get_by_role("button", name="Vind mijn wijkagent").click()
    page.wait_for_url(f"**/wijkagent/anna-voorbeeld/?buurt={BUURT}")
    page.get_by_role("link", name="Klopt dit niet?").click()
    page.wait_for_url("**/klopt-dit-niet/**")
    assert serious_accessibility_violations(page, axe_source) == []
    page.get_by_label("Wat is volgens jou juist?").fill("Mijn huis ligt in Heerlerbaan.")
    page.get_by_label("Het adres dat je zocht").fill("Stationstraat 13 E, Heerlen")
    page.get_by_role("button", name="Melding versturen").click()
    # Without consent the address is refused, and nothing is stored.
    page.locator(".error-summary").wait_for()
    assert serious_accessibility_violations(page, axe_source) == []
    page.screenshot(path=screenshot_dir / "report-consent-error.png", full_page=True)
    assert not AnswerReport.objects.exists()
    page.get_by_label("De politie mag dit adres bewaren").check()
    page.get_by_role("button", name="Melding versturen").click()
    page.wait_for_url("**/klopt-dit-niet/verstuurd/")
    assert page.context.cookies() == []
    report = AnswerReport.objects.get()
    assert (report.buurt_code, report.officer_slug) == (BUURT, "anna-voorbeeld")
    assert report.address == "Stationstraat 13 E, Heerlen"
    assert report.municipality.name == "Heerlen"

    # Heerlen's editor, as the README's create_editor makes one, sees it.
    user = make_editor("redactie", gemeenten=["GM0917"])
    log_in_to_admin(
        page, live_server, user, password=PASSWORD, start="/beheer/guidance/answerreport/"
    )
    page.get_by_role("link", name=BUURT).wait_for()
    page.screenshot(path=screenshot_dir / "report-admin.png", full_page=True)

    # Staff mark it handled; the daily command deletes it 90 days later, not a day sooner.
    page.locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", "mark_handled")
    page.locator("button[name=index]").click()
    page.locator(".messagelist .success").wait_for()
    report.refresh_from_db()
    assert report.handled_by == user
    out = io.StringIO()
    with time_machine.travel(report.handled_at + dt.timedelta(days=89), tick=False):
        call_command("delete_handled_reports", stdout=out)
    assert AnswerReport.objects.filter(pk=report.pk).exists()
    with time_machine.travel(report.handled_at + dt.timedelta(days=90), tick=False):
        call_command("delete_handled_reports", stdout=out)
    assert not AnswerReport.objects.exists()
    assert "Deleted 1 handled report(s); 0 kept." in out.getvalue()
