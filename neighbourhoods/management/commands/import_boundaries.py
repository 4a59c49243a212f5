"""manage.py import_boundaries: stage (and optionally activate) a CBS boundary dataset from GeoJSON,
GeoPackage or shapefile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from neighbourhoods.importing.boundaries import (
    BoundaryFileError,
    BoundarySummary,
    dataset_name_for,
    import_boundaries,
    read_boundary_layers,
)

LEVEL_NAMES = {"GM": "municipalities", "WK": "wijken", "BU": "buurten"}


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


class Command(BaseCommand):
    help = (
        "Import CBS buurten, wijken or municipalities into a named boundary dataset: a GeoJSON "
        "FeatureCollection (WGS84, or RD New with a crs member), or the Wijk- en buurtkaart as CBS "
        "publishes it (GeoPackage or shapefile). Nothing is written when the file has an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, help="GeoJSON (.geojson, .gz, .zst), GeoPackage or shapefile"
        )
        parser.add_argument(
            "--layer",
            help="The GeoPackage layer to import (default: its layers named gemeenten, wijken and "
            "buurten, in that order).",
        )
        parser.add_argument(
            "--dataset", help="Dataset name (default: the file name without .geojson)."
        )
        parser.add_argument(
            "--activate",
            action="store_true",
            help="Make the dataset the one that answers lookups and re-assign every address.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(
        self,
        *args: Any,
        path: Path,
        dataset: str | None = None,
        layer: str | None = None,
        activate: bool = False,
        dry_run: bool = False,
        **options: Any,
    ) -> None:
        summaries: list[BoundarySummary] = []
        try:
            levels = read_boundary_layers(path, layer=layer)
            last_level = levels[-1][1][0].level
            if activate and last_level == "GM":
                raise BoundaryFileError(
                    "A municipality (GM) file has no dataset to activate; import buurten with "
                    "--activate."
                )
            with transaction.atomic():
                for _name, features in levels:
                    summaries.append(
                        import_boundaries(
                            features=features,
                            dataset_name=dataset or dataset_name_for(path),
                            source=path.name,
                            # With several layers, activate once the buurten are in.
                            activate=activate and features is levels[-1][1],
                            progress=self._show_progress if self.stdout.isatty() else None,
                        )
                    )
                if dry_run:
                    raise DryRunRollback
        except DryRunRollback:
            pass
        except BoundaryFileError as error:
            raise CommandError(f"{error} Nothing was written.") from error
        if self.stdout.isatty():
            self.stdout.write("\r\033[K", ending="")
        for number, summary in enumerate(summaries, start=1):
            self._report(summary, dry_run=dry_run, last=number == len(summaries))

    def _show_progress(self, located: int) -> None:
        self.stdout.write(f"\rre-assigning addresses: {located:,} located\033[K", ending="")
        self.stdout.flush()

    def _report(self, summary: BoundarySummary, *, dry_run: bool, last: bool = True) -> None:
        kind = LEVEL_NAMES[summary.level]
        counts = f"{summary.created} {kind} created, {summary.updated} updated, " + (
            f"{summary.unchanged} unchanged."
        )
        if summary.water:
            counts += f" {summary.water} of the {kind} are water."
        self.stdout.write(f"Dataset {summary.dataset}: {counts}" if summary.dataset else counts)
        for left, right, area in summary.overlaps:
            self.stdout.write(
                self.style.WARNING(f"Overlap: {left} and {right} share {area:,.0f} m².")
            )
        if summary.activated:
            self.stdout.write(
                f"Activated {summary.dataset}: {summary.addresses_assigned} addresses in a buurt, "
                f"{summary.addresses_outside} outside every buurt."
            )
        elif summary.addresses_assigned or summary.addresses_outside:
            self.stdout.write(
                f"Addresses re-assigned: {summary.addresses_assigned} in a buurt, "
                f"{summary.addresses_outside} outside every buurt."
            )
        if not last:
            # The closing lines are said once, after the last layer.
            return
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        elif summary.dataset and not summary.activated:
            self.stdout.write(
                "Not activated: lookups keep using the active dataset. Use --activate to switch."
            )
