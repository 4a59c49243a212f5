"""What every import reports: its counts, its skipped rows, and where a long one has got to."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Erases a command's progress line when the import ends, so what follows starts on a clean line.
CLEAR_LINE = "\r\033[K"
# Skipped rows kept with their line and reason; the rest are only counted, so memory stays flat
# however bad a very large file is.
LISTED_SKIPPED_ROWS = 1_000


@dataclass
class ImportCounts:
    """What an import did to the rows it read (a dry run counts what it would have done)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False


@dataclass(frozen=True)
class ImportProgress:
    """Where a running import is: `fraction` of the (compressed) input read, or None if unknown."""

    phase: str
    rows: int
    seconds: float
    fraction: float | None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        if not self.fraction or self.fraction >= 1:
            return None
        return self.seconds * (1 - self.fraction) / self.fraction


@dataclass(frozen=True)
class SkippedRow:
    """A skipped row: its line, and its file when the import read several."""

    line: int
    reason: str
    path: Path | None = None

    @property
    def where(self) -> str:
        return f"{self.path}, line {self.line}" if self.path is not None else f"line {self.line}"


@dataclass
class RowImportSummary(ImportCounts):
    """What a row-by-row import (addresses, postcodes) did: `outside` = rows stored without a
    buurt; skipped rows are counted per kind, and the first LISTED_SKIPPED_ROWS kept."""

    rows: int = 0
    outside: int = 0
    skipped_rows: list[SkippedRow] = field(default_factory=list)
    skipped_by_kind: Counter[str] = field(default_factory=Counter)

    @property
    def skipped(self) -> int:
        return sum(self.skipped_by_kind.values())


def skipped_report(summary: RowImportSummary, *, listed: int | None) -> list[str]:
    """Lines for stderr: the first `listed` skipped rows (all that were kept when None) with their
    line and reason, how many more there were, then a count per reason."""
    rows = summary.skipped_rows if listed is None else summary.skipped_rows[:listed]
    lines = [f"{row.where}: skipped, {row.reason}" for row in rows]
    if summary.skipped > len(rows):
        lines.append(
            f"... {summary.skipped - len(rows)} more skipped rows not listed "
            "(--verbosity 2 lists the first thousand)."
        )
    lines.extend(
        f"skipped, {kind}: {count}" for kind, count in sorted(summary.skipped_by_kind.items())
    )
    return lines


def counts_report(summary: RowImportSummary) -> list[str]:
    """Lines for stdout once the import is done: what happened to the rows."""
    lines = [
        f"{summary.rows} rows: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.skipped} skipped; "
        f"{summary.outside} outside every buurt."
    ]
    if summary.dry_run:
        lines.append("Dry run: nothing was written.")
    return lines
