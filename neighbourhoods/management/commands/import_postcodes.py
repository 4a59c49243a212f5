"""manage.py import_postcodes: import postcode centroids (GeoNames or CSV) in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from neighbourhoods.importing.postcodes import (
    PostcodeFileError,
    PostcodeImportSummary,
    PostcodeProgress,
    import_postcodes,
)

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
            self._clear_progress(on_terminal)
            raise CommandError(f"{error} Nothing was written.") from error
        except KeyboardInterrupt:
            self._clear_progress(on_terminal)
            raise CommandError("Interrupted: nothing was written.") from None
        self._clear_progress(on_terminal)
        self._report_skipped(summary)
        self.stdout.write(
            f"{summary.rows} rows: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {summary.skipped} skipped; "
            f"{summary.outside} outside every buurt."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")

    def _report_skipped(self, summary: PostcodeImportSummary) -> None:
        """Skipped rows go to stderr: each with its line and reason (the first ones, or up to a
        thousand with --verbosity 2), then a count per reason."""
        listed = summary.skipped_rows if self.verbosity >= 2 else summary.skipped_rows[:LISTED]
        for row in listed:
            self.stderr.write(f"line {row.line}: skipped, {row.reason}")
        if summary.skipped > len(listed):
            self.stderr.write(
                f"... {summary.skipped - len(listed)} more skipped rows not listed "
                "(--verbosity 2 lists the first thousand)."
            )
        for kind, count in sorted(summary.skipped_by_kind.items()):
            self.stderr.write(f"skipped, {kind}: {count}")

    def _show_progress(self, progress: PostcodeProgress) -> None:
        self.stdout.write(f"\r{progress.phase}: {progress.rows:,} rows\033[K", ending="")
        self.stdout.flush()

    def _clear_progress(self, on_terminal: bool) -> None:
        if on_terminal:
            self.stdout.write("\r\033[K", ending="")
