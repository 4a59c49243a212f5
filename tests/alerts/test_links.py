"""The signed links of the messages: confirm, unsubscribe, and the page with all subscriptions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts import tokens
from alerts.models import Subscriber, Subscription
from tests.alerts.conftest import link, same_site_post, subscribe

RESIDENT = "bewoner@example.org"
NEIGHBOUR = "buur@example.org"
MANAGE_REQUEST = "/volgen/beheren/"


@pytest.fixture
def confirmation(client, anna, smtp_server):
    """The confirmation message of a resident who asked for alerts about West."""
    subscribe(client, "BU00010001", RESIDENT)
    return smtp_server.received[-1]


def confirmed(client: Client, smtp_server, code: str, address: str) -> Subscription:
    subscribe(client, code, address)
    client.post(link(smtp_server.received[-1], reverse("alerts:confirm")))
    return Subscription.objects.get(subscriber__email=address, buurt_code=code)


# -- confirming ------------------------------------------------------------------------------


def test_the_confirmation_page_keeps_its_token_to_itself(client, confirmation):
    response = client.get(link(confirmation, reverse("alerts:confirm")))
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_a_confirmation_link_works_for_seven_days(client, confirmation):
    url = link(confirmation, reverse("alerts:confirm"))
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        response = client.post(url)
    assert response.status_code == 400
    assert "Deze link werkt niet" in response.content.decode()
    assert not Subscription.objects.get().is_confirmed
    with time_machine.travel(timezone.now() + dt.timedelta(days=6, hours=23)):
        assert client.post(url).status_code == 200
    assert Subscription.objects.get().is_confirmed


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "9" + token,
        lambda token: "",
        lambda token: "abc:def",
    ],
    ids=["changed-signature", "other-id", "empty", "junk"],
)
def test_a_forged_confirmation_link_confirms_nothing(client, confirmation, forge):
    token = tokens.confirmation_token(Subscription.objects.get())
    response = client.post(reverse("alerts:confirm"), QUERY_STRING=f"t={forge(token)}")
    assert response.status_code == 400
    assert not Subscription.objects.get().is_confirmed


def test_a_link_signed_for_one_address_does_not_work_for_a_row_that_later_has_its_id(
    client, confirmation, anna
):
    subscription = Subscription.objects.get()
    token = tokens.confirmation_token(subscription)
    Subscriber.objects.filter(pk=subscription.subscriber_id).update(email=NEIGHBOUR)
    assert client.post(reverse("alerts:confirm"), QUERY_STRING=f"t={token}").status_code == 400


# -- unsubscribing -----------------------------------------------------------------------------


def test_an_unsubscribe_link_of_a_deleted_address_says_there_is_nothing_to_do(client, confirmation):
    url = link(confirmation, reverse("alerts:unsubscribe"))
    Subscriber.objects.all().delete()
    response = client.get(url)
    assert response.status_code == 200
    assert "Er is niets om af te melden" in response.content.decode()
    assert client.post(url).status_code == 200


def test_a_forged_unsubscribe_post_deletes_nobody(client, confirmation, smtp_server):
    subscriber = Subscriber.objects.get()
    token = tokens.unsubscribe_token(subscriber)
    forged = token.split(":")[0] + ":" + "x" * 43
    response = Client(enforce_csrf_checks=True).post(
        reverse("alerts:unsubscribe"), QUERY_STRING=f"t={forged}"
    )
    assert response.status_code == 200
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_unsubscribing_from_the_confirmation_message_deletes_the_address(client, confirmation):
    url = link(confirmation, reverse("alerts:unsubscribe"))
    response = Client(enforce_csrf_checks=True).post(url)
    assert response.status_code == 200
    assert "Je bent afgemeld" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not Subscription.objects.exists()


# -- all subscriptions of an address -----------------------------------------------------------


def test_a_resident_sees_and_ends_each_subscription_through_a_link_sent_to_them(
    client, anna, buurten, smtp_server
):
    confirmed(client, smtp_server, "BU00010001", RESIDENT)
    subscribe(client, "BU00010002", RESIDENT)  # asked for, not confirmed
    response = same_site_post(client, MANAGE_REQUEST, {"email": RESIDENT})
    assert response.status_code == 303
    assert response["Location"] == "/volgen/beheren/verstuurd/"
    message = smtp_server.received[-1]
    assert message["Subject"] == "Je e-mailberichten van Wijkportaal"
    manage = link(message, reverse("alerts:manage"))

    page = client.get(manage)
    assert page["Referrer-Policy"] == "no-referrer"
    html = page.content.decode()
    assert RESIDENT in html
    assert "West" in html and "Oost" in html
    assert "Nog niet bevestigd" in html

    east = Subscription.objects.get(buurt_code="BU00010002")
    response = client.post(manage, {"end": str(east.pk)})
    assert response.status_code == 200
    assert "Je krijgt geen e-mail meer over Oost." in response.content.decode()
    assert list(Subscription.objects.values_list("buurt_code", flat=True)) == ["BU00010001"]

    west = Subscription.objects.get()
    response = client.post(manage, {"end": str(west.pk)})
    assert "Je bent afgemeld" in response.content.decode()
    assert not Subscriber.objects.exists(), "the address goes with its last subscription"


def test_ending_everything_deletes_the_address(client, anna, buurten, smtp_server):
    confirmed(client, smtp_server, "BU00010001", RESIDENT)
    confirmed(client, smtp_server, "BU00010002", RESIDENT)
    manage = f"{reverse('alerts:manage')}?t={tokens.manage_token(Subscriber.objects.get())}"
    client.post(manage, {"end": "all"})
    assert not Subscriber.objects.exists()
    assert not Subscription.objects.exists()


def test_a_manage_link_cannot_end_someone_elses_subscription(client, anna, buurten, smtp_server):
    confirmed(client, smtp_server, "BU00010001", RESIDENT)
    neighbours = confirmed(client, smtp_server, "BU00010001", NEIGHBOUR)
    mine = Subscriber.objects.get(email=RESIDENT)
    manage = f"{reverse('alerts:manage')}?t={tokens.manage_token(mine)}"
    client.post(manage, {"end": str(neighbours.pk)})
    assert Subscription.objects.filter(pk=neighbours.pk).exists()


def test_an_unknown_address_gets_the_same_answer_and_no_message(client, anna, smtp_server):
    response = same_site_post(client, MANAGE_REQUEST, {"email": "niemand@example.org"})
    assert response.status_code == 303
    assert response["Location"] == "/volgen/beheren/verstuurd/"
    assert smtp_server.received == []


def test_the_manage_form_refuses_posts_from_other_sites(client, anna, smtp_server):
    confirmed(client, smtp_server, "BU00010001", RESIDENT)
    sent = len(smtp_server.received)
    response = client.post(
        MANAGE_REQUEST, {"email": RESIDENT}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403
    assert len(smtp_server.received) == sent


def test_a_manage_link_works_for_seven_days(client, anna, smtp_server):
    confirmed(client, smtp_server, "BU00010001", RESIDENT)
    same_site_post(client, MANAGE_REQUEST, {"email": RESIDENT})
    manage = link(smtp_server.received[-1], reverse("alerts:manage"))
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        response = client.get(manage)
    assert response.status_code == 400
    assert "Vraag een nieuwe link aan" in response.content.decode()


def test_the_note_to_an_address_already_subscribed_links_to_its_subscriptions(
    client, anna, smtp_server
):
    confirmed(client, smtp_server, "BU00010001", RESIDENT)
    subscribe(client, "BU00010001", RESIDENT)
    manage = link(smtp_server.received[-1], reverse("alerts:manage"))
    assert "West" in client.get(manage).content.decode()
