"""Subscribing: the pages, cross-site posts, the double opt-in's first message, the same answer
for every address, and the limits that stop a confirmation flood."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts.models import Subscriber, Subscription
from officers import changes
from tests import factories
from tests.alerts.conftest import ALL_TOPICS, body, link, same_site_post, settle, subscribe
from tests.officers.test_english_words import bare_spreekuur

RESIDENT = "bewoner@example.org"
FOLLOW_WEST = "/buurt/BU00010001/volgen/"


def confirm_by_mail(client: Client, message) -> None:
    assert client.post(link(message, reverse("alerts:confirm"))).status_code == 200


# -- the pages -------------------------------------------------------------------------------


def test_the_cached_buurt_page_links_to_the_subscribe_page_without_a_form_or_cookie(
    client, anna, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 300
    first = client.get("/buurt/BU00010001/")
    html = first.content.decode()
    assert f'href="{FOLLOW_WEST}">Houd me op de hoogte</a>' in html
    assert "csrfmiddlewaretoken" not in html
    assert not first.cookies
    with django_assert_num_queries(0):
        assert client.get("/buurt/BU00010001/").content == first.content


def test_the_subscribe_page_asks_only_for_an_address_and_what_to_hear_about(client, anna):
    response = client.get(FOLLOW_WEST)
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'type="email" name="email"' in html
    assert '<input type="hidden" name="buurt" value="BU00010001"' in html
    for topic in ALL_TOPICS:
        assert f'name="topics" value="{topic}"' in html
    assert html.count(" checked") == 4, "every topic is chosen until the resident unticks one"
    assert 'name="postcode"' not in html and 'name="huisnummer"' not in html
    assert "csrfmiddlewaretoken" not in html


def test_a_buurt_that_does_not_exist_has_no_subscribe_page(client, buurten):
    assert client.get("/buurt/BU99999999/volgen/").status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://elders.example"},
        {},
    ],
    ids=["cross-site", "foreign-origin", "no-browser-headers"],
)
def test_a_post_from_another_site_is_refused_and_sends_nothing(client, anna, smtp_server, headers):
    response = client.post(
        FOLLOW_WEST,
        {"email": RESIDENT, "buurt": "BU00010001", "topics": ALL_TOPICS},
        headers=headers,
    )
    assert response.status_code == 403
    assert "alleen worden verstuurd vanaf de eigen pagina" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert smtp_server.received == []


def test_a_post_with_this_sites_origin_is_accepted(client, anna, smtp_server):
    response = client.post(
        FOLLOW_WEST,
        {"email": RESIDENT, "buurt": "BU00010001", "topics": ALL_TOPICS},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "geen-adres", "topics": ALL_TOPICS}, "Voer een geldig e-mailadres in."),
        ({"email": RESIDENT, "topics": []}, "Kies minstens één onderwerp."),
    ],
)
def test_bad_input_is_named_in_the_error_summary_and_nothing_is_sent(
    client, anna, smtp_server, data, error
):
    response = same_site_post(client, FOLLOW_WEST, {"buurt": "BU00010001", **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert error in html
    assert not Subscriber.objects.exists()
    assert smtp_server.received == []


# -- the first message ---------------------------------------------------------------------------


def test_the_first_message_only_asks_to_confirm_says_who_asked_and_how_to_ignore_it(
    client, anna, smtp_server
):
    asked = timezone.localtime()
    assert subscribe(client, "BU00010001", "Bewoner@Example.org").status_code == 303
    [message] = smtp_server.received
    assert message["To"] == RESIDENT, "stored and written to in lower case"
    assert message["Subject"] == "Bevestig: e-mail over de buurt West"
    text = body(message)
    assert f"Op {asked.day} " in text and "heeft iemand op Wijkportaal gevraagd" in text
    assert "127.0.0.1" not in text, "the requester's IP address is not in the message"
    assert "Heb je dit niet gevraagd? Negeer dan dit bericht." in text
    assert "/volgen/bevestigen/?t=" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/volgen/afmelden/?t=" in message["List-Unsubscribe"]
    subscription = Subscription.objects.get()
    assert subscription.buurt_code == "BU00010001"
    assert not subscription.is_confirmed


def test_nothing_but_the_confirmation_is_sent_before_confirming(client, anna, smtp_server):
    subscribe(client, "BU00010001", RESIDENT)
    changes.record_officer_published(officer=anna, day=timezone.localdate())
    settle()
    call_command("send_alerts")
    assert len(smtp_server.received) == 1


def test_the_confirmation_is_written_in_the_language_of_the_page(client, anna, smtp_server):
    client.cookies["django_language"] = "en"
    subscribe(client, "BU00010001", RESIDENT)
    [message] = smtp_server.received
    assert message["Subject"] == "Please confirm: e-mail about the buurt West"
    assert "Did you not ask for this? Then ignore this message." in body(message)
    assert Subscriber.objects.get().language == "en"


def test_english_follow_pages_and_confirmation_say_office_hours(client, anna, smtp_server):
    client.cookies["django_language"] = "en"
    for url in (FOLLOW_WEST, "/wijkagent/anna-voorbeeld/volgen/"):
        page = client.get(url).content.decode()
        assert "office hours (spreekuren)" in page
        assert "New office hours and meetings" in page
        assert bare_spreekuur(page) == [], url
    subscribe(client, "BU00010001", RESIDENT)
    [message] = smtp_server.received
    assert "- new office hours (spreekuren) and meetings" in body(message)
    assert bare_spreekuur(body(message)) == []


def test_the_dutch_follow_page_keeps_spreekuren(client, anna):
    page = client.get(FOLLOW_WEST).content.decode()
    assert "Nieuwe spreekuren en bijeenkomsten" in page
    assert "een spreekuur of een aandachtspunt" in page


# -- the same answer for every address -----------------------------------------------------


def test_an_address_that_already_follows_the_buurt_gets_the_same_answer_and_no_second_confirmation(
    client, anna, smtp_server
):
    first = subscribe(client, "BU00010001", RESIDENT)
    confirm_by_mail(client, smtp_server.received[0])
    again = subscribe(client, "BU00010001", RESIDENT)
    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    assert Subscription.objects.count() == 1
    note = smtp_server.received[-1]
    assert note["Subject"] == "Je krijgt al e-mail over de buurt West"
    assert "/volgen/bevestigen/" not in body(note)
    assert "/volgen/mijn-berichten/?t=" in body(note)


def test_asking_again_before_confirming_sends_a_new_confirmation_for_the_same_subscription(
    client, anna, smtp_server
):
    subscribe(client, "BU00010001", RESIDENT, topics=["wants_wijkagent"])
    subscribe(client, "BU00010001", RESIDENT, topics=["wants_meetings"])
    subscription = Subscription.objects.get()
    assert (subscription.wants_wijkagent, subscription.wants_meetings) == (False, True)
    assert len(smtp_server.received) == 2
    confirm_by_mail(client, smtp_server.received[0])
    assert Subscription.objects.get().is_confirmed, "the first link still works"


# -- limits ------------------------------------------------------------------------------------


def test_one_address_gets_at_most_five_requested_messages_a_day_whoever_asks(
    anna, smtp_server, buurten
):
    for number in range(7):
        client = Client(REMOTE_ADDR=f"192.0.2.{number}")
        code = "BU00010001" if number % 2 else "BU00010002"
        response = subscribe(client, code, RESIDENT)
        assert response.status_code == 303, "the answer does not give the limit away"
        assert response["Location"] == reverse("alerts:sent")
    assert len(smtp_server.to(RESIDENT)) == 5


def test_one_client_may_ask_ten_times_an_hour(client, anna, smtp_server):
    for number in range(10):
        assert subscribe(client, "BU00010001", f"bewoner{number}@example.org").status_code == 303
    response = subscribe(client, "BU00010001", "bewoner10@example.org")
    assert response.status_code == 429
    assert "verschillende aanvragen" in response.content.decode()
    assert len(smtp_server.received) == 10
    assert not Subscriber.objects.filter(email="bewoner10@example.org").exists()
    other = Client(REMOTE_ADDR="192.0.2.99")
    assert subscribe(other, "BU00010001", "bewoner10@example.org").status_code == 303


# -- when the message cannot be sent ----------------------------------------------------------------


def test_an_address_the_mail_server_refuses_is_not_kept(client, anna, smtp_server):
    smtp_server.refuse[RESIDENT] = "550 5.1.1 No such user"
    response = subscribe(client, "BU00010001", RESIDENT)
    assert response.status_code == 400
    assert "accepteert ons bericht niet" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_mail_server_that_is_down_leaves_nothing_half_done(client, anna, smtp_server, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    response = subscribe(client, "BU00010001", RESIDENT)
    assert response.status_code == 503
    assert "Er is niets bewaard" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_failed_request_for_a_second_buurt_keeps_the_first(client, anna, smtp_server, buurten):
    subscribe(client, "BU00010001", RESIDENT)
    confirm_by_mail(client, smtp_server.received[0])
    smtp_server.refuse[RESIDENT] = "451 4.3.0 Try again later"
    assert subscribe(client, "BU00010002", RESIDENT).status_code == 503
    assert list(Subscription.objects.values_list("buurt_code", flat=True)) == ["BU00010001"]


# -- from a profile ---------------------------------------------------------------------------------


def test_a_profile_offers_its_buurten_with_the_searched_one_chosen(
    client, anna, buurten, smtp_server
):
    factories.assign(anna, buurten["east"])
    profile = client.get("/wijkagent/anna-voorbeeld/?buurt=BU00010002").content.decode()
    assert 'href="/wijkagent/anna-voorbeeld/volgen/?buurt=BU00010002"' in profile
    page = client.get("/wijkagent/anna-voorbeeld/volgen/?buurt=BU00010002").content.decode()
    assert 'type="radio" name="buurt" value="BU00010001" id="id_buurt_1" required>' in page
    assert 'type="radio" name="buurt" value="BU00010002" id="id_buurt_0" required checked' in page
    response = same_site_post(
        client,
        "/wijkagent/anna-voorbeeld/volgen/",
        {"email": RESIDENT, "buurt": "BU00010002", "topics": ALL_TOPICS},
    )
    assert response.status_code == 303
    assert Subscription.objects.get().buurt_code == "BU00010002"


def test_a_profile_accepts_only_its_own_buurten(client, anna, buurten, smtp_server):
    response = same_site_post(
        client,
        "/wijkagent/anna-voorbeeld/volgen/",
        {"email": RESIDENT, "buurt": "BU00010003", "topics": ALL_TOPICS},
    )
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_an_unpublished_officer_has_no_subscribe_page(client, buurten):
    factories.make_officer("Cas Verborgen", slug="cas-verborgen", is_published=False)
    assert client.get("/wijkagent/cas-verborgen/volgen/").status_code == 404
