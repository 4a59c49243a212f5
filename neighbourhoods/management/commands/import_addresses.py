"""manage.py import_addresses: import BAG address CSVs (plain, .gz or .zst) in one transaction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from neighbourhoods.importing.addresses import (
    DEFAULT_MAX_BAD_SHARE,
    AddressFileError,
    AddressImportSummary,
    TooManyBadRows,
    import_addresses,
)
from neighbourhoods.importing.summary import (
    CLEAR_LINE,
    ImportProgress,
    counts_report,
    skipped_report,
)

# Skipped rows listed at the default verbosity; the rest are counted per reason.
LISTED = 20


class Command(BaseCommand):
    help = (
        "Import BAG addresses from semicolon-separated CSVs (plain, .gz or .zst) and assign each "
        "its buurt in the active boundary dataset. All or nothing: one transaction for all the "
        "files, which count as one register (a repeated address is skipped across files too)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths",
            metavar="PATH",
            nargs="+",
            type=Path,
            help="BAG address CSV, plain, .gz or .zst; several are imported as one",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--max-bad-share",
            type=float,
            default=DEFAULT_MAX_BAD_SHARE,
            help="Abort, writing nothing, when more than this share of rows is bad "
            f"(default {DEFAULT_MAX_BAD_SHARE}).",
        )

    def handle(
        self,
        *args: Any,
        paths: list[Path],
        dry_run: bool = False,
        max_bad_share: float = DEFAULT_MAX_BAD_SHARE,
        **options: Any,
    ) -> None:
        if not 0 <= max_bad_share <= 1:
            raise CommandError("--max-bad-share is a share between 0 and 1, e.g. 0.01 for 1%.")
        self.verbosity = int(options.get("verbosity", 1))
        on_terminal = self.stdout.isatty()
        try:
            summary = import_addresses(
                paths=paths,
                dry_run=dry_run,
                max_bad_share=max_bad_share,
                progress=self._show_progress if on_terminal else None,
            )
        except TooManyBadRows as error:
            self._clear_progress(on_terminal)
            self._report_skipped(error.summary)
            raise CommandError(str(error)) from error
        except AddressFileError as error:
            self._clear_progress(on_terminal)
            raise CommandError(f"{error} Nothing was written.") from error
        except KeyboardInterrupt:
            self._clear_progress(on_terminal)
            raise CommandError("Interrupted: nothing was written.") from None
        self._clear_progress(on_terminal)
        self._report_skipped(summary)
        for line in counts_report(summary):
            self.stdout.write(line)

    def _report_skipped(self, summary: AddressImportSummary) -> None:
        for line in skipped_report(summary, listed=None if self.verbosity >= 2 else LISTED):
            self.stderr.write(line)

    def _show_progress(self, progress: ImportProgress) -> None:
        eta = progress.eta_seconds
        eta_text = f", eta {dt.timedelta(seconds=round(eta))}" if eta is not None else ""
        self.stdout.write(
            f"\r{progress.phase}: {progress.rows:,} rows, "
            f"{progress.rows_per_second:,.0f} rows/s{eta_text}\033[K",
            ending="",
        )
        self.stdout.flush()

    def _clear_progress(self, on_terminal: bool) -> None:
        if on_terminal:
            self.stdout.write(CLEAR_LINE, ending="")
