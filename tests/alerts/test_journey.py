"""The whole path on a real SMTP server: a resident subscribes on a buurt's page, confirms, an
editor gives the buurt a new wijkagent in the admin, send_alerts sends one digest, a second run
sends nothing, and the digest's one-click unsubscribe deletes the address."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts.models import Subscriber, Subscription
from tests import factories
from tests.alerts.conftest import SITE, body, link, settle, subscribe
from tests.officers.admin_support import log_in_verified, make_editor
from tests.officers.test_admin_officers import change_url, officer_form
from tests.officers.test_change_log import as_browser_posts

RESIDENT = "bewoner@example.org"


@pytest.fixture
def editor(db) -> Client:
    signed_in = Client()
    log_in_verified(signed_in, make_editor())
    return signed_in


def give_buurt_a_new_wijkagent(editor: Client, buurt, name: str = "Bram Verzonnen") -> None:
    """An editor adds a new officer to the buurt in the admin, as staff do."""
    bram = factories.make_officer(name, intro_nl="Hoi!")
    rows = [{"buurt": buurt.pk, "role": "primary", "valid_from": timezone.localdate().isoformat(),
             "valid_until": ""}]  # fmt: skip
    response = editor.post(change_url(bram), as_browser_posts(officer_form(bram, assignments=rows)))
    assert response.status_code == 302


@pytest.mark.django_db
def test_subscribe_confirm_change_digest_unsubscribe(client, smtp_server, buurten, anna, editor):
    west = buurten["west"]
    page = client.get(reverse("officers:buurt", kwargs={"code": west.code}))
    follow = reverse("alerts:buurt", kwargs={"code": west.code})
    assert f'href="{follow}"' in page.content.decode()

    response = subscribe(client, west.code, RESIDENT)
    assert response.status_code == 303
    assert response["Location"] == reverse("alerts:sent")
    assert RESIDENT not in response["Location"]
    [confirmation] = smtp_server.received
    assert confirmation["To"] == RESIDENT
    assert "West" in confirmation["Subject"]

    confirm = link(confirmation, reverse("alerts:confirm"))
    shown = client.get(confirm)
    assert shown.status_code == 200
    assert not Subscription.objects.get().is_confirmed, "opening the link alone confirms nothing"
    assert client.post(confirm).status_code == 200
    assert Subscription.objects.get().is_confirmed

    give_buurt_a_new_wijkagent(editor, west)
    settle()
    call_command("send_alerts")
    [_, digest] = smtp_server.received
    assert digest["To"] == RESIDENT
    text = body(digest)
    assert "Bram Verzonnen is de nieuwe wijkagent voor West" in text
    assert f"{SITE}/buurt/{west.code}/" in text
    unsubscribe = link(digest, reverse("alerts:unsubscribe"))
    assert digest["List-Unsubscribe"].strip() == f"<{SITE}{unsubscribe}>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    call_command("send_alerts")
    assert len(smtp_server.received) == 2, "a second run sends nothing"

    shown = client.get(unsubscribe)
    assert f'<form method="post" action="{unsubscribe}">' in shown.content.decode()
    assert Subscriber.objects.filter(email=RESIDENT).exists(), "GET shows a button, no more"
    # The mail program's one-click post (RFC 8058): no cookie, no CSRF token.
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(
        unsubscribe,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscriber.objects.filter(email=RESIDENT).exists()
    assert not Subscription.objects.exists()

    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        give_buurt_a_new_wijkagent(editor, west, name="Cas Nieuw")
        settle()
        call_command("send_alerts")
    assert len(smtp_server.received) == 2
