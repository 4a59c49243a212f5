"""manage.py import_postcodes: import postcode centroids (GeoNames or CSV) in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from neighbourhoods.importing.postcodes import (
    PostcodeFileError,
    PostcodeProgress,
    import_postcodes,
)
from neighbourhoods.importing.summary import CLEAR_LINE, counts_report, skipped_report

# Skipped rows listed at the default verbosity; the rest are counted per reason.
LISTED = 100


class Command(BaseCommand):
    help = (
        "Import six-character postcodes with their centroid, from GeoNames' postal-code text "
        "format (12 tab-separated columns, no header) or a CSV with the header postcode;lat;lon "
        "(optional woonplaats and gemeente columns), and give each its buurt in the active "
        "boundary dataset. Centroids outside the Netherlands or outside the municipality they "
        "name are reported by line and skipped. All or nothing: one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", type=Path, help="GeoNames text file or CSV")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *args: Any, path: Path, dry_run: bool = False, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        on_terminal = self.stdout.isatty()
        try:
            summary = import_postcodes(
                path=path, dry_run=dry_run, progress=self._show_progress if on_terminal else None
            )
        except PostcodeFileError as error:
            raise CommandError(f"{error} Nothing was written.") from error
        except KeyboardInterrupt:
            raise CommandError("Interrupted: nothing was written.") from None
        finally:
            if on_terminal:
                self.stdout.write(CLEAR_LINE, ending="")
        listed = None if self.verbosity >= 2 else LISTED
        for line in skipped_report(summary, listed=listed):
            self.stderr.write(line)
        for line in counts_report(summary):
            self.stdout.write(line)

    def _show_progress(self, progress: PostcodeProgress) -> None:
        self.stdout.write(f"\r{progress.phase}: {progress.rows:,} rows\033[K", ending="")
        self.stdout.flush()
