"""manage.py reset_second_factor USERNAME: remove a staff user's authenticator and recovery codes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import twofactor


class Command(BaseCommand):
    help = (
        "Remove the second factor (authenticator and recovery codes) of a user, for a lost phone. "
        "The user sets up a new one at the next sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed; change nothing."
        )

    def handle(self, *args: Any, username: str, dry_run: bool, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None
        if dry_run:
            enrolled = twofactor.has_authenticator(user)
            self.stdout.write(
                f"Dry run: {username} {'has' if enrolled else 'has no'} authenticator; "
                "nothing was changed."
            )
            return
        removed = twofactor.reset_second_factor(user=user, by=None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Second factor of {username} reset ({removed} device records removed); "
                "they set up a new one at their next sign-in."
            )
        )
