"""manage.py create_editor: a staff account in the group "Redactie wijkagenten"."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from officers.roles import EDITOR_GROUP, ensure_editor_group

PASSWORD_VARIABLE = "EDITOR_PASSWORD"  # noqa: S105 - the name of a variable, not a secret


class Command(BaseCommand):
    help = (
        f"Create a staff account that may edit officers, channels, assignments, absences, "
        f"stations and events, and view buurten (the group {EDITOR_GROUP!r}). The password "
        f"is asked for, or read from ${PASSWORD_VARIABLE}. An existing account is added to "
        f"the group and made staff; its password is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--no-input",
            action="store_true",
            help=f"Never prompt; a new account then needs ${PASSWORD_VARIABLE}.",
        )

    def handle(
        self, *args: Any, username: str, email: str = "", no_input: bool = False, **options: Any
    ) -> None:
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        password = None
        if user is None:
            password = self._password(username=username, email=email, no_input=no_input)
        with transaction.atomic():
            group = ensure_editor_group()
            created = user is None
            if user is None:
                user = user_model.objects.create_user(
                    username=username, email=email, password=password
                )
            if user.is_superuser:
                raise CommandError(f"{username} is a superuser and may already do everything.")
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(group)
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} editor {username}: staff, in group {EDITOR_GROUP!r}.")
        )

    def _password(self, *, username: str, email: str, no_input: bool) -> str:
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            if no_input:
                raise CommandError(
                    f"Set ${PASSWORD_VARIABLE} to create {username} without a prompt."
                )
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match; nothing was created.")
        user = get_user_model()(username=username, email=email)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        return password
