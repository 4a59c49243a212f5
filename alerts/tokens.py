"""The signed links of the alerts' messages: confirm, unsubscribe, and see all subscriptions.

A token is a row's id with a signature whose salt also holds the row's e-mail address, so a token
works only for the address it was sent to (never for a later row that got the same id), and the
URL that carries it shows no address. Tokens travel in query strings, which the access log leaves
out (gunicorn.conf.py).
"""

from __future__ import annotations

import datetime as dt

from django.core import signing

from .models import CONFIRMATION_DAYS, Subscriber, Subscription

# A link to see all subscriptions works this long; a new one can be asked for at any time.
MANAGE_LINK_DAYS = 7


def _salt(purpose: str, email: str) -> str:
    return f"wijkportaal.alerts.{purpose}:{email}"


def _row_id(token: str) -> int | None:
    value = token.partition(":")[0]
    return int(value) if value.isascii() and value.isdigit() else None


def confirmation_token(subscription: Subscription) -> str:
    salt = _salt("confirm", f"{subscription.subscriber.email}:{subscription.buurt_code}")
    return signing.TimestampSigner(salt=salt).sign(str(subscription.pk))


def subscription_to_confirm(token: str) -> Subscription | None:
    """The unconfirmed or confirmed subscription a confirmation link names, if it is genuine,
    younger than CONFIRMATION_DAYS and the subscription still exists."""
    pk = _row_id(token)
    subscription = (
        Subscription.objects.select_related("subscriber").filter(pk=pk).first() if pk else None
    )
    if subscription is None:
        return None
    salt = _salt("confirm", f"{subscription.subscriber.email}:{subscription.buurt_code}")
    try:
        signing.TimestampSigner(salt=salt).unsign(
            token, max_age=dt.timedelta(days=CONFIRMATION_DAYS)
        )
    except signing.BadSignature:
        return None
    return subscription


def unsubscribe_token(subscriber: Subscriber) -> str:
    """A link that ends every subscription of the address; it does not expire."""
    return signing.Signer(salt=_salt("unsubscribe", subscriber.email)).sign(str(subscriber.pk))


def subscriber_to_unsubscribe(token: str) -> Subscriber | None:
    pk = _row_id(token)
    subscriber = Subscriber.objects.filter(pk=pk).first() if pk else None
    if subscriber is None:
        return None
    try:
        signing.Signer(salt=_salt("unsubscribe", subscriber.email)).unsign(token)
    except signing.BadSignature:
        return None
    return subscriber


def manage_token(subscriber: Subscriber) -> str:
    salt = _salt("manage", subscriber.email)
    return signing.TimestampSigner(salt=salt).sign(str(subscriber.pk))


def subscriber_to_manage(token: str) -> Subscriber | None:
    """The subscriber a link to see all subscriptions names, if genuine and not too old."""
    pk = _row_id(token)
    subscriber = Subscriber.objects.filter(pk=pk).first() if pk else None
    if subscriber is None:
        return None
    try:
        signing.TimestampSigner(salt=_salt("manage", subscriber.email)).unsign(
            token, max_age=dt.timedelta(days=MANAGE_LINK_DAYS)
        )
    except signing.BadSignature:
        return None
    return subscriber
