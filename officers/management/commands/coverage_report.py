"""manage.py coverage_report: buurten without an officer, officers without a buurt, addresses outside."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from neighbourhoods.models import Dataset
from officers import coverage


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date {value!r} is not a date: use YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = (
        "Report the gaps in coverage on a day (default today): per municipality the buurten of "
        "the active dataset without an assigned officer, then officers without a buurt, and "
        "addresses outside every buurt per woonplaats. Reads only; exits 0 even with gaps."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day to report on, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Accepted for symmetry with the other commands; this one never writes.",
        )

    def handle(self, *args: Any, date: str | None = None, **options: Any) -> None:
        day = _day(date) if date else timezone.localdate()
        dataset = Dataset.objects.active()
        if dataset is None:
            raise CommandError(
                "No boundary dataset is active. Import one with import_boundaries --activate "
                "(or run load_demo) first."
            )
        self.stdout.write(f"Coverage on {day.isoformat()}, dataset {dataset.name}")
        self.stdout.write("")
        self.stdout.write("Buurten without an assigned officer, per municipality:")
        total_uncovered = 0
        for entry in coverage.coverage_by_municipality(day=day):
            total_uncovered += len(entry.uncovered)
            self.stdout.write(
                f"  {entry.municipality.name} ({entry.municipality.code}): "
                f"{len(entry.uncovered)} of {entry.buurten} buurten"
            )
            for buurt in entry.uncovered:
                self.stdout.write(f"    {buurt.code} {buurt.name}")
        self.stdout.write("")
        officers = list(coverage.officers_without_buurt(day=day))
        self.stdout.write(f"Officers without a buurt: {len(officers)}")
        for officer in officers:
            self.stdout.write(f"  {officer.slug} {officer.name}")
        self.stdout.write("")
        outside = coverage.addresses_outside_buurten()
        self.stdout.write(f"Addresses outside every buurt: {sum(outside.values())}")
        for place, count in outside.items():
            self.stdout.write(f"  {place}: {count}")
        self.stdout.write("")
        self.stdout.write(
            f"Summary: {total_uncovered} buurten without an officer, {len(officers)} officers "
            f"without a buurt, {sum(outside.values())} addresses outside every buurt."
        )
