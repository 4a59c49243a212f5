"""manage.py delete_unconfirmed_subscriptions: delete alert subscriptions nobody confirmed within
7 days, and the addresses left without one, as the privacy page promises."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from alerts.models import CONFIRMATION_DAYS, Subscriber, Subscription
from alerts.subscribing import delete_unconfirmed


class Command(BaseCommand):
    help = (
        f"Delete the e-mail alert subscriptions left unconfirmed for {CONFIRMATION_DAYS} days, "
        "with the addresses that then follow nothing. Run it from the schedule in "
        "docs/deployment.md; running it again deletes nothing more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be deleted; delete nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        now = timezone.now()
        if dry_run:
            due = Subscription.objects.expired(now=now).count()
            self.stdout.write(f"Dry run: {due} unconfirmed subscription(s) would be deleted.")
            return
        subscriptions, addresses = delete_unconfirmed(now=now)
        kept = Subscriber.objects.count()
        self.stdout.write(
            f"Deleted {subscriptions} unconfirmed subscription(s) and {addresses} address(es); "
            f"{kept} address(es) kept."
        )
