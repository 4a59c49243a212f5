"""E-mail alerts: which address follows which buurt, about what, and what it was last sent.

Nothing else of the resident is kept: no name, no address, no record of opened messages or
followed links. Buurten are held by CBS code, which outlives boundary datasets.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# An unconfirmed subscription is deleted this long after it was asked for, and its confirmation
# link stops working then.
CONFIRMATION_DAYS = 7
# Deliveries a mail server refused for good (a 5xx answer) before the address is deleted.
REFUSALS_ALLOWED = 3


class SubscriberQuerySet(models.QuerySet["Subscriber"]):
    def due(self, *, now: dt.datetime) -> SubscriberQuerySet:
        """Addresses with a confirmed subscription that got no digest yet on `now`'s day."""
        start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        return self.filter(
            Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=start_of_day),
            subscriptions__confirmed_at__isnull=False,
        ).distinct()

    def without_subscriptions(self) -> SubscriberQuerySet:
        return self.filter(subscriptions__isnull=True)


class Subscriber(models.Model):
    """An e-mail address that follows one or more buurten.

    Deleted with its subscriptions when its owner unsubscribes, when its last subscription ends,
    or after REFUSALS_ALLOWED refused deliveries in a row.
    """

    # Stored in lower case: one person, one row, however they type it.
    email = models.EmailField(_("e-mail address"), unique=True)
    # The language of the page it subscribed on; its messages are written in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_digest_at = models.DateTimeField(_("last digest sent at"), null=True, blank=True)
    refusals = models.PositiveSmallIntegerField(_("refused deliveries in a row"), default=0)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.email


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def confirmed(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=True)

    def expired(self, *, now: dt.datetime) -> SubscriptionQuerySet:
        """Unconfirmed subscriptions asked for CONFIRMATION_DAYS or longer before `now`."""
        return self.unconfirmed().filter(
            requested_at__lte=now - dt.timedelta(days=CONFIRMATION_DAYS)
        )


class Subscription(models.Model):
    """One address following one buurt, once it confirmed; until then only asked for."""

    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    buurt_code = models.CharField(_("buurt code"), max_length=10)
    wants_wijkagent = models.BooleanField(_("a new or changed wijkagent"), default=True)
    wants_absences = models.BooleanField(_("an absence and who stands in"), default=True)
    wants_meetings = models.BooleanField(_("new spreekuren and meetings"), default=True)
    wants_priorities = models.BooleanField(_("new or updated priorities"), default=True)
    requested_at = models.DateTimeField(_("asked for at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The change log entry up to which this subscription has been considered: raised right after
    # each digest the mail server accepted, so an accepted digest is never sent again.
    last_change_id = models.BigIntegerField(_("last change considered"), default=0)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["subscriber", "buurt_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "buurt_code"], name="one_subscription_per_buurt"
            ),
            models.CheckConstraint(
                condition=Q(wants_wijkagent=True)
                | Q(wants_absences=True)
                | Q(wants_meetings=True)
                | Q(wants_priorities=True),
                name="subscription_wants_something",
            ),
        ]
        indexes = [models.Index(fields=["buurt_code"], name="subscription_buurt_idx")]

    def __str__(self) -> str:
        return self.buurt_code

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class BuurtFollowers(Subscription):
    """Subscriptions as every member of staff sees them: counted per buurt, without an address
    (alerts/admin.py)."""

    class Meta:
        proxy = True
        verbose_name = _("followers per buurt")
        verbose_name_plural = _("followers per buurt")
