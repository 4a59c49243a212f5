"""Subscribing with double opt-in, confirming, ending subscriptions, and the limits that keep the
form from being used to flood someone's mailbox.

Every request gets the same answer whether or not the address already follows the buurt; what
differs is only the message the address receives.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import salted_hmac

from officers.models import ChangeLogEntry
from wijkportaal.limits import check_rate

from . import messages
from .delivery import Delivery, close_quietly, deliver
from .models import Subscriber, Subscription

# Requests (subscribe, ask for the link to all subscriptions) one client may make an hour.
REQUESTS_PER_CLIENT_PER_HOUR = 10
# Messages one address may be sent on request a day, whoever asks: a confirmation flood stops here.
MESSAGES_PER_ADDRESS_PER_DAY = 5

TOPIC_FIELDS = ("wants_wijkagent", "wants_absences", "wants_meetings", "wants_priorities")


class Outcome(enum.Enum):
    # The page says "a message is on its way" for both: an address over its daily allowance
    # silently gets nothing, so the answer tells no one whether it was asked for before.
    SENT = "sent"
    NOT_SENT = "not-sent"
    REFUSED = "refused"
    FAILED = "failed"


def normalise(email: str) -> str:
    return email.strip().lower()


def client_allowed(client: str) -> bool:
    """Count one request of the client (a hashed IP address) against its hourly allowance."""
    return check_rate(
        scope="alerts-requests", client=client, limit=REQUESTS_PER_CLIENT_PER_HOUR, window=3600
    ).allowed


def _address_allowed(email: str) -> bool:
    # A keyed hash: the counters hold no address, and no list of addresses can be hashed to find one.
    digest = salted_hmac("wijkportaal.alerts.address", email, algorithm="sha256").hexdigest()
    return check_rate(
        scope="alerts-address",
        client=digest[:32],
        limit=MESSAGES_PER_ADDRESS_PER_DAY,
        window=86_400,
    ).allowed


def _send(message: EmailMessage) -> Outcome:
    connection = get_connection()
    try:
        result = deliver(message, connection=connection)
    finally:
        close_quietly(connection)
    if result == Delivery.SENT:
        return Outcome.SENT
    if result == Delivery.REFUSED:
        return Outcome.REFUSED
    return Outcome.FAILED


def request_subscription(
    *,
    email: str,
    buurt_code: str,
    buurt_name: str,
    topics: Iterable[str],
    language: str,
    site: messages.Site,
    now: dt.datetime | None = None,
) -> Outcome:
    """Ask `email` to confirm that it wants alerts about the buurt, or tell it that it already
    gets them. Nothing is kept when the message could not be sent."""
    email = normalise(email)
    now = now or timezone.now()
    if not _address_allowed(email):
        return Outcome.NOT_SENT
    wanted = {name: name in set(topics) for name in TOPIC_FIELDS}
    confirmed = (
        Subscription.objects.confirmed()
        .select_related("subscriber")
        .filter(subscriber__email=email, buurt_code=buurt_code)
        .first()
    )
    if confirmed is not None:
        return _send(
            messages.already_subscribed_message(confirmed, buurt_name=buurt_name, site=site)
        )
    with transaction.atomic():
        subscriber, new_subscriber = Subscriber.objects.get_or_create(
            email=email, defaults={"language": language, "created_at": now}
        )
        # Not confirmed (checked above): asking again renews the request and its choice.
        subscription, new_subscription = Subscription.objects.update_or_create(
            subscriber=subscriber, buurt_code=buurt_code, defaults={**wanted, "requested_at": now}
        )
    outcome = _send(messages.confirmation_message(subscription, buurt_name=buurt_name, site=site))
    if outcome != Outcome.SENT:
        # Nothing half-done: a request whose confirmation did not go out leaves no new row.
        if new_subscriber:
            subscriber.delete()
        elif new_subscription:
            subscription.delete()
    return outcome


def request_manage_link(
    *, email: str, site: messages.Site, now: dt.datetime | None = None
) -> Outcome:
    """Send the link to all subscriptions of `email`, if it has any; the answer is the same."""
    email = normalise(email)
    if not _address_allowed(email):
        return Outcome.NOT_SENT
    subscriber = Subscriber.objects.filter(email=email).first()
    if subscriber is None:
        return Outcome.NOT_SENT
    return _send(messages.manage_message(subscriber, site=site))


# Every change to an address and its subscriptions locks the address's row first, as a digest
# run does (alerts/digests.py): one order of locks, so the two never wait on each other in a circle.


def _lock(subscriber_id: int) -> Subscriber | None:
    return Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()


def confirm(subscription: Subscription, *, language: str, now: dt.datetime | None = None) -> None:
    """Start the alerts: from the newest change on, in the language of the confirming page."""
    if subscription.is_confirmed:
        return
    with transaction.atomic():
        if _lock(subscription.subscriber_id) is None:
            return
        Subscriber.objects.filter(pk=subscription.subscriber_id).update(language=language)
        subscription.confirmed_at = now or timezone.now()
        # Only news after the confirmation: the change log's history is on the buurt's page.
        subscription.last_change_id = ChangeLogEntry.objects.aggregate(top=Max("pk"))["top"] or 0
        subscription.save(update_fields=["confirmed_at", "last_change_id"])


def unsubscribe(subscriber: Subscriber) -> None:
    """End every subscription of the address and delete the address."""
    with transaction.atomic():
        locked = _lock(subscriber.pk)
        if locked is not None:
            locked.delete()


def end_subscription(subscriber: Subscriber, *, subscription_id: int) -> bool:
    """End one subscription; the address goes with its last one. Whether the address is kept."""
    with transaction.atomic():
        locked = _lock(subscriber.pk)
        if locked is None:
            return False
        locked.subscriptions.filter(pk=subscription_id).delete()
        if locked.subscriptions.exists():
            return True
        locked.delete()
        return False


def delete_unconfirmed(*, now: dt.datetime) -> tuple[int, int]:
    """Delete subscriptions left unconfirmed for CONFIRMATION_DAYS, and addresses left with no
    subscription: (subscriptions deleted, addresses deleted)."""
    with transaction.atomic():
        subscriptions, _per_model = Subscription.objects.expired(now=now).delete()
        addresses, _per_model = Subscriber.objects.without_subscriptions().delete()
    return subscriptions, addresses
