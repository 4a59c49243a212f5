"""The alerts in the admin: counts per buurt for every member of staff, within their region; the
addresses for superusers only; nothing added or edited by hand."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alerts.models import Subscriber, Subscription
from tests import factories
from tests.officers.admin_support import log_in_verified, make_editor, make_superuser

COUNTS = "/beheer/alerts/buurtfollowers/"
ADDRESSES = "/beheer/alerts/subscriber/"


@pytest.fixture
def followers(buurten):
    """Two addresses follow West, one confirmed; one follows a buurt elsewhere."""
    elsewhere = factories.make_buurt(
        buurten["west"].dataset, "BU00020001", factories.square(5, 5), name="Ver Weg"
    )
    for address, code, confirmed in [
        ("een@example.org", "BU00010001", True),
        ("twee@example.org", "BU00010001", False),
        ("drie@example.org", elsewhere.code, True),
    ]:
        subscriber = Subscriber.objects.create(email=address)
        Subscription.objects.create(
            subscriber=subscriber,
            buurt_code=code,
            confirmed_at="2026-01-01T10:00:00+01:00" if confirmed else None,
        )


def signed_in(user) -> Client:
    client = Client()
    log_in_verified(client, user)
    return client


def test_an_editor_sees_the_counts_of_their_region_and_never_an_address(followers):
    editor = signed_in(make_editor(gemeenten=["GM0001"]))
    index = editor.get("/beheer/").content.decode()
    assert COUNTS in index
    assert ADDRESSES not in index
    html = editor.get(COUNTS).content.decode()
    assert "BU00010001 West" in html
    assert "<td>1</td><td>1</td>" in html, "one confirmed, one waiting"
    assert "Ver Weg" not in html, "another municipality's buurt"
    assert "@example.org" not in html
    assert editor.get(ADDRESSES).status_code == 403
    subscriber = Subscriber.objects.get(email="een@example.org")
    assert editor.get(f"{ADDRESSES}{subscriber.pk}/change/").status_code == 403


def test_a_superuser_sees_every_buurt_and_the_addresses_but_adds_none(followers):
    superuser = signed_in(make_superuser())
    html = superuser.get(COUNTS).content.decode()
    assert "Ver Weg" in html and "BU00010001 West" in html
    listing = superuser.get(ADDRESSES).content.decode()
    assert "een@example.org" in listing and "drie@example.org" in listing
    assert superuser.get(f"{ADDRESSES}add/").status_code == 403


def test_the_counts_need_a_staff_sign_in(client, followers):
    response = client.get(COUNTS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
