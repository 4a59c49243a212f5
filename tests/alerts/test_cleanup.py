"""manage.py delete_unconfirmed_subscriptions: nobody's address is kept unconfirmed past 7 days."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.management import call_command
from django.utils import timezone

from alerts.models import Subscriber, Subscription


def ask(address: str, code: str, *, confirmed: bool = False) -> Subscription:
    subscriber, _created = Subscriber.objects.get_or_create(email=address)
    return Subscription.objects.create(
        subscriber=subscriber,
        buurt_code=code,
        confirmed_at=timezone.now() if confirmed else None,
    )


def delete(**options) -> str:
    out = io.StringIO()
    call_command("delete_unconfirmed_subscriptions", stdout=out, **options)
    return out.getvalue()


def test_unconfirmed_subscriptions_go_after_seven_days_with_addresses_left_without_one(db):
    ask("nooit@example.org", "BU00010001")
    ask("half@example.org", "BU00010001", confirmed=True)
    ask("half@example.org", "BU00010002")
    with time_machine.travel(timezone.now() + dt.timedelta(days=6, hours=23)):
        ask("later@example.org", "BU00010001")
        assert "Deleted 0 unconfirmed subscription(s)" in delete()
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        assert "Dry run: 2 unconfirmed subscription(s)" in delete(dry_run=True)
        assert Subscription.objects.count() == 4
        output = delete()
        assert (
            "Deleted 2 unconfirmed subscription(s) and 1 address(es); 2 address(es) kept" in output
        )
        assert "Deleted 0 unconfirmed" in delete(), "a second run deletes nothing more"
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "half@example.org",
        "later@example.org",
    }
    assert list(
        Subscription.objects.filter(subscriber__email="half@example.org").values_list(
            "buurt_code", flat=True
        )
    ) == ["BU00010001"]
