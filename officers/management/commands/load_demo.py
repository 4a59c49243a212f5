"""manage.py load_demo: the Heerlen demo (real boundaries, postcodes and stations, fictional officers)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from neighbourhoods.importing.boundaries import BoundaryFileError
from neighbourhoods.importing.postcodes import PostcodeFileError
from officers.demo import load_demo


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


class Command(BaseCommand):
    help = (
        "Load the Heerlen demo: the 57 real CBS buurten and 23 wijken (2023, full resolution), "
        "the real postcodes, the two real police stations, fictional officers and demo "
        "addresses. Running it again only adds what is missing: what staff changed stays, and "
        "officers and stations are only loaded into a database that has none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        try:
            with transaction.atomic():
                summary = load_demo()
                if dry_run:
                    raise DryRunRollback
        except DryRunRollback:
            pass
        except (BoundaryFileError, PostcodeFileError) as error:
            raise CommandError(str(error)) from error
        for line in summary.lines():
            self.stdout.write(line)
        if summary.kept_people:
            self.stdout.write(
                "Stations and officers exist already: left as they are, with their channels, "
                "areas and events."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        elif summary.changed:
            self.stdout.write(self.style.SUCCESS("Heerlen demo loaded."))
        else:
            self.stdout.write(self.style.SUCCESS("Heerlen demo already up to date."))
