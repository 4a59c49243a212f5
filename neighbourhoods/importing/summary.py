"""What every import reports: its counts, and where a long one has got to."""

from __future__ import annotations

from dataclasses import dataclass


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
