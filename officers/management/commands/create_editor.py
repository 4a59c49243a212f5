"""manage.py create_editor: a staff account in the group "Redactie wijkagenten", editing in the
municipalities given with --gemeente (or, with --national, in all of them)."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from neighbourhoods.models import EditorScope, Municipality
from officers.roles import EDITOR_GROUP, ensure_editor_group

PASSWORD_VARIABLE = "EDITOR_PASSWORD"  # noqa: S105 - the name of a variable, not a secret


class Command(BaseCommand):
    help = (
        f"Create a staff account that may edit officers, channels, assignments, absences, "
        f"stations and events, and view buurten (the group {EDITOR_GROUP!r}). The password "
        f"is asked for, or read from ${PASSWORD_VARIABLE}. An existing account is added to "
        f"the group and made staff; its password is kept. An editor sees and edits only the "
        f"officers, stations and events of their municipalities (--gemeente, repeatable, adds "
        f"to those an account has), or of the whole country (--national)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--gemeente",
            action="append",
            default=[],
            metavar="CODE",
            help="CBS code of a municipality the editor edits in (GM0917); repeat for more.",
        )
        parser.add_argument(
            "--national",
            action="store_true",
            help="The editor edits in every municipality.",
        )
        parser.add_argument(
            "--no-input",
            action="store_true",
            help=f"Never prompt; a new account then needs ${PASSWORD_VARIABLE}.",
        )

    def handle(
        self,
        *args: Any,
        username: str,
        email: str = "",
        no_input: bool = False,
        gemeente: list[str] | None = None,
        national: bool = False,
        **options: Any,
    ) -> None:
        municipalities = self._municipalities(gemeente or [])
        if municipalities and national:
            raise CommandError("Give --gemeente or --national, not both.")
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
            if national:
                user.user_permissions.add(
                    Permission.objects.get(
                        content_type__app_label="neighbourhoods", codename="every_municipality"
                    )
                )
            for municipality in municipalities:
                EditorScope.objects.get_or_create(user=user, municipality=municipality)
            scope = sorted(
                f"{name} ({code})"
                for code, name in Municipality.objects.filter(editor_scopes__user=user).values_list(
                    "code", "name"
                )
            )
            is_national = user.has_perm("neighbourhoods.every_municipality")
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} editor {username}: staff, in group {EDITOR_GROUP!r}.")
        )
        if is_national:
            self.stdout.write("Edits in every municipality.")
        elif scope:
            self.stdout.write(f"Edits in: {', '.join(scope)}.")
        else:
            self.stdout.write(
                self.style.WARNING(
                    "Edits in no municipality yet, so sees no officers: give one with "
                    "--gemeente CODE (or --national)."
                )
            )

    def _municipalities(self, codes: list[str]) -> list[Municipality]:
        wanted = {code.strip().upper() for code in codes}
        # "0917" is as clear as "GM0917"; CBS writes the prefix, people often do not.
        wanted = {code if code.startswith("GM") else f"GM{code}" for code in wanted}
        found = list(Municipality.objects.filter(code__in=wanted).order_by("code"))
        missing = sorted(wanted - {municipality.code for municipality in found})
        if missing:
            raise CommandError(
                f"No municipality has the code {', '.join(missing)}; nothing was changed. "
                f"Import the boundaries first, or check the code (GM followed by four digits)."
            )
        return found

    def _password(self, *, username: str, email: str, no_input: bool) -> str:
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            if no_input:
                raise CommandError(
                    f"Set ${PASSWORD_VARIABLE} to create {username} without a prompt."
                )
            # Without a terminal (a script, `docker exec` without -t) getpass would end in a
            # traceback; say what to do instead.
            if not sys.stdin.isatty():
                raise CommandError(
                    f"There is no terminal to ask for a password on: set ${PASSWORD_VARIABLE} "
                    f"to create {username}, or run the command in a terminal."
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
