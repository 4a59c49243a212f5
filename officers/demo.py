"""The Heerlen demo: real CBS boundaries, postcodes and police stations, fictional officers, and
demo addresses on made-up streets.

Loading it again keeps what staff changed: boundaries, postcodes and addresses (which staff cannot
edit) are only added where missing, and the people (stations, officers and everything hanging off
them) are only loaded into a database that has none yet.
"""

from __future__ import annotations

import csv
import datetime as dt
import string
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from guidance.demo import HEERLEN_CODE, HEERLEN_ENTRIES
from guidance.models import HelpEntry
from neighbourhoods.importing.boundaries import (
    activate_dataset,
    assign_addresses,
    import_boundaries,
    read_boundary_file,
)
from neighbourhoods.importing.postcodes import import_postcodes
from neighbourhoods.models import Address, Buurt, Dataset, Municipality, Postcode, Wijk

from .demo_priorities import load_demo_priorities
from .models import (
    Absence,
    Assignment,
    ClosingDay,
    ContactChannel,
    Event,
    Officer,
    OpeningHours,
    Station,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "heerlen"
DATASET_NAME = "cbs-2023-heerlen"
BOUNDARY_FILES = (("wijken_2023.geojson", "wijken"), ("buurten_2023.geojson", "buurten"))
POSTCODE_FILE = "postcodes_pc6_geonames.txt"
# The names the demo's boundaries had in earlier versions: such a dataset, when active, gives way
# to the current one. Any other active dataset is staff's and stays active.
EARLIER_DEMO_DATASETS = ("cbs-2022-heerlen-generalised",)
ASSIGNED_SINCE = dt.date(2024, 1, 1)
# Left without a wijkagent on purpose, so residents and staff see what a gap looks like.
UNCOVERED_BUURT = "BU09172300"
DEMO_ADDRESSES_PER_BUURT = 8
# Generated addresses get postcodes in a PC4 that no real address has (Heerlen's run from 6411 to
# 6433, and South Limburg's PC4s end well before 6499), one letter pair per buurt, on streets
# named "Demostraat ...": they can neither collide with nor contradict a real postcode.
GENERATED_PC4 = "6499"
GENERATED_STREET = "Demostraat"


@dataclass(frozen=True)
class DemoOfficer:
    name: str
    rank: str
    wijken: tuple[str, ...]
    deputy_in: tuple[str, ...] = ()
    station: str = "Heerlen"


# Fictional people: the surnames say so (voorbeeld = example, verzonnen = made up, ...).
DEMO_OFFICERS = (
    DemoOfficer("Anna Voorbeeld", "Hoofdagent", ("WK091733",)),
    DemoOfficer("Bram Verzonnen", "Brigadier", ("WK091731",)),
    DemoOfficer("Carla Fictief", "Hoofdagent", ("WK091732",)),
    DemoOfficer("Daan Denkbeeldig", "Brigadier", ("WK091730",)),
    DemoOfficer("Eva Proefmans", "Hoofdagent", ("WK091734", "WK091735")),
    DemoOfficer("Frank Testelaar", "Brigadier", ("WK091736",)),
    DemoOfficer("Gina Bedacht", "Hoofdagent", ("WK091737", "WK091738")),
    DemoOfficer("Hasan Verdicht", "Brigadier", ("WK091739",)),
    DemoOfficer("Iris Onecht", "Hoofdagent", ("WK091740", "WK091741")),
    DemoOfficer("Joost Nepper", "Brigadier", ("WK091742",)),
    DemoOfficer("Karin Schijnhout", "Hoofdagent", ("WK091710",), station="Hoensbroek"),
    DemoOfficer("Lars Ficties", "Brigadier", ("WK091711",), station="Hoensbroek"),
    DemoOfficer("Mila Gefantaseerd", "Hoofdagent", ("WK091712",), station="Hoensbroek"),
    DemoOfficer("Nico Droomers", "Brigadier", ("WK091713", "WK091714"), station="Hoensbroek"),
    DemoOfficer("Olga Bedenkers", "Hoofdagent", ("WK091720",), station="Hoensbroek"),
    DemoOfficer("Pim Verbeelding", "Brigadier", ("WK091721",), station="Hoensbroek"),
    DemoOfficer("Quinty Zogenaamd", "Hoofdagent", ("WK091722",), station="Hoensbroek"),
    DemoOfficer("Ruben Luchtkasteel", "Brigadier", ("WK091724",), station="Hoensbroek"),
    DemoOfficer("Sara Spiegelbeeld", "Hoofdagent", (), deputy_in=("WK091732", "WK091739")),
    DemoOfficer("Tom Toneel", "Agent", (), deputy_in=("WK091720",), station="Hoensbroek"),
)
# (officer away, deputy or None): one absence with a deputy, one without, on purpose.
DEMO_ABSENCES = (("Frank Testelaar", "Gina Bedacht"), ("Joost Nepper", None))

WEEKDAY_HOURS = ((dt.time(9, 0), dt.time(17, 0)),)
# A weekly spreekuur since a fixed Tuesday, so its next occurrence follows from the date alone.
WEEKLY_SPREEKUUR_SINCE = dt.date(2026, 1, 6)
DEMO_TIME_ZONE = ZoneInfo("Europe/Amsterdam")


@dataclass
class DemoSummary:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    # The database had stations or officers already: those belong to staff now.
    kept_people: bool = False

    def lines(self) -> list[str]:
        counters = (self.created, self.updated, self.unchanged, self.skipped, self.removed)
        kinds = sorted(set().union(*counters))
        lines = []
        for kind in kinds:
            line = (
                f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
                f"{self.unchanged[kind]} unchanged"
            )
            if self.skipped[kind]:
                line += f", {self.skipped[kind]} skipped"
            if self.removed[kind]:
                line += f", {self.removed[kind]} removed"
            lines.append(line)
        return lines

    @property
    def changed(self) -> bool:
        return any(sum(counter.values()) for counter in (self.created, self.updated, self.removed))


def load_demo(*, today: dt.date | None = None) -> DemoSummary:
    """Load the Heerlen demo in one transaction, adding only what is missing."""
    today = today or timezone.localdate()
    summary = DemoSummary()
    with transaction.atomic():
        _load_boundaries(summary)
        _load_postcodes(summary)
        if Station.objects.exists() or Officer.objects.exists():
            summary.kept_people = True
            summary.unchanged["stations"] += Station.objects.count()
            summary.unchanged["officers"] += Officer.objects.count()
        else:
            # The demo's officers and stations are Heerlen's editors' to keep (regional editors).
            heerlen = Municipality.objects.filter(code="GM0917").first()
            stations = _load_stations(summary, today=today, municipality=heerlen)
            _load_officers(summary, stations, today=today, municipality=heerlen)
        if _load_addresses(summary):
            active = Dataset.objects.active()
            if active is not None:
                assign_addresses(active)
        _load_help_entries(summary)
        created, unchanged = load_demo_priorities(today=today)
        summary.created["priorities"] += created
        summary.unchanged["priorities"] += unchanged
    return summary


def _load_help_entries(summary: DemoSummary) -> None:
    """Heerlen's own entries of /hulp/ (its phone number), beside the national ones."""
    heerlen = Municipality.objects.filter(code=HEERLEN_CODE).first()
    if heerlen is None:
        return
    for entry in HEERLEN_ENTRIES:
        keys = {"municipality": heerlen, "topic": entry["topic"], "channel_nl": entry["channel_nl"]}
        values = {key: value for key, value in entry.items() if key not in keys}
        _ensure(HelpEntry, summary, "help entries", keys, values)


def _record(summary: DemoSummary, kind: str, created: bool) -> None:
    if created:
        summary.created[kind] += 1
    else:
        summary.unchanged[kind] += 1


def _ensure(
    model: Any, summary: DemoSummary, kind: str, keys: dict[str, Any], values: dict[str, Any]
) -> Any:
    """get-or-create on `keys`: an existing row is left exactly as it is."""
    instance = model.objects.filter(**keys).first()
    created = instance is None
    if created:
        instance = model.objects.create(**keys, **values)
    _record(summary, kind, created=created)
    return instance


def _load_boundaries(summary: DemoSummary) -> Dataset:
    """Import the boundaries once; later loads leave the dataset as it is. The demo's dataset is
    activated when none is active, or when the active one is an earlier version of the demo's."""
    dataset = Dataset.objects.filter(name=DATASET_NAME).first()
    if dataset is None:
        for filename, kind in BOUNDARY_FILES:
            result = import_boundaries(
                features=read_boundary_file(FIXTURES / filename),
                dataset_name=DATASET_NAME,
                source=f"fixtures/heerlen/{filename} (CBS / Kadaster, Wijk- en buurtkaart 2023)",
            )
            summary.created[kind] += result.created
            summary.updated[kind] += result.updated
            summary.unchanged[kind] += result.unchanged
        dataset = Dataset.objects.get(name=DATASET_NAME)
    else:
        summary.unchanged["wijken"] += Wijk.objects.filter(dataset=dataset).count()
        summary.unchanged["buurten"] += Buurt.objects.filter(dataset=dataset).count()
    active = Dataset.objects.active()
    if active is None or (active != dataset and active.name in EARLIER_DEMO_DATASETS):
        activate_dataset(dataset)
        dataset.refresh_from_db()
    return dataset


def _load_postcodes(summary: DemoSummary) -> None:
    """The real postcode register, through the same import as `manage.py import_postcodes`; the
    source's misplaced rows are skipped as that command reports them."""
    result = import_postcodes(path=FIXTURES / POSTCODE_FILE)
    summary.created["postcodes"] += result.created
    summary.updated["postcodes"] += result.updated
    summary.unchanged["postcodes"] += result.unchanged
    summary.skipped["postcodes"] += result.skipped


def _load_stations(
    summary: DemoSummary, *, today: dt.date, municipality: Municipality | None
) -> dict[str, Station]:
    stations = {}
    with (FIXTURES / "police_stations.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            station = _ensure(
                Station,
                summary,
                "stations",
                {"source_uid": row["uid"]},
                {
                    "name": row["naam"],
                    "street_address": row["bezoek_adres"],
                    "postcode": row["bezoek_postcode"],
                    "city": row["bezoek_plaats"],
                    "lat": float(row["lat"]),
                    "lon": float(row["lon"]),
                    "phone": "0900-8844",
                    "municipality": municipality,
                },
            )
            for weekday in range(5):
                for opens, closes in WEEKDAY_HOURS:
                    _ensure(
                        OpeningHours,
                        summary,
                        "opening hours",
                        {"station": station, "weekday": weekday, "opens": opens},
                        {"closes": closes},
                    )
            for day in (dt.date(today.year, 12, 25), dt.date(today.year, 12, 26)):
                _ensure(
                    ClosingDay,
                    summary,
                    "closing days",
                    {"station": station, "date": day},
                    {"reason": "Kerstmis"},
                )
            stations[station.name] = station
    return stations


def _intro(
    officer: DemoOfficer, *, wijk_names: list[str], deputy_wijk_names: list[str]
) -> tuple[str, str]:
    first = officer.name.split()[0]
    if wijk_names:
        area = ", ".join(wijk_names)
        role_nl, role_en = f"wijkagent voor {area}", f"the wijkagent for {area}"
    else:
        # Only standing in: the introduction must not claim the wijkagent's role.
        area = ", ".join(deputy_wijk_names)
        role_nl = f"vervangend wijkagent in {area}: ik neem het over als de wijkagent er niet is"
        role_en = f"the deputy wijkagent in {area}: I stand in when the wijkagent is away"
    return (
        f"Ik ben {first}, {role_nl}. Ik ben er voor vragen over veiligheid en "
        f"leefbaarheid in de buurt. Dit is een fictief demoprofiel.",
        f"I am {first}, {role_en}. Come to me with questions about safety and "
        f"quality of life in the neighbourhood. This is a fictional demo profile.",
    )


def _load_officers(
    summary: DemoSummary,
    stations: dict[str, Station],
    *,
    today: dt.date,
    municipality: Municipality | None,
) -> None:
    buurten = list(Buurt.objects.active().select_related("wijk"))
    by_wijk: dict[str, list[Buurt]] = {}
    for buurt in buurten:
        by_wijk.setdefault(buurt.wijk.code, []).append(buurt)
    wijk_names = {buurt.wijk.code: buurt.wijk.name for buurt in buurten}
    officers: dict[str, Officer] = {}
    for number, demo in enumerate(DEMO_OFFICERS):
        slug = slugify(demo.name)
        intro_nl, intro_en = _intro(
            demo,
            wijk_names=[wijk_names[code] for code in demo.wijken],
            deputy_wijk_names=[wijk_names[code] for code in demo.deputy_in],
        )
        officer = _ensure(
            Officer,
            summary,
            "officers",
            {"slug": slug},
            {
                "name": demo.name,
                "rank": demo.rank,
                "intro_nl": intro_nl,
                "intro_en": intro_en,
                "station": stations[demo.station],
                "municipality": municipality,
                "is_published": True,
                "is_fictional": True,
                # One profile not reviewed for a year, so staff see what a stale one looks like.
                "reviewed_on": dt.date(2025, 9, 1) if number == 7 else dt.date(2026, 10, 1),
            },
        )
        officers[demo.name] = officer
        handle = slug.replace("-", ".")
        channels = [
            (ContactChannel.Kind.PHONE, "0900-8844", True),
            (ContactChannel.Kind.EMAIL, f"{handle}@example.org", True),
            (ContactChannel.Kind.INSTAGRAM, f"https://www.instagram.com/wijkagent.{handle}", True),
            (ContactChannel.Kind.PHONE, f"06-{12345600 + number:08d}", False),
        ]
        for order, (kind, value, public) in enumerate(channels):
            _ensure(
                ContactChannel,
                summary,
                "channels",
                {"officer": officer, "kind": kind, "value": value},
                {"order": order, "is_public": public},
            )
        for role, wijk_codes in (
            (Assignment.Role.PRIMARY, demo.wijken),
            (Assignment.Role.DEPUTY, demo.deputy_in),
        ):
            for wijk_code in wijk_codes:
                for buurt in by_wijk.get(wijk_code, []):
                    if buurt.code == UNCOVERED_BUURT:
                        continue
                    _ensure(
                        Assignment,
                        summary,
                        "assignments",
                        {"officer": officer, "buurt": buurt, "role": role},
                        {"valid_from": ASSIGNED_SINCE, "valid_until": None},
                    )
    _load_events(summary, officers, today=today)
    for away, deputy in DEMO_ABSENCES:
        officer = officers[away]
        if officer.absences.exists():
            summary.unchanged["absences"] += 1
            continue
        Absence.objects.create(
            officer=officer,
            starts_on=today - dt.timedelta(days=7),
            ends_on=today + dt.timedelta(days=60),
            deputy=officers[deputy] if deputy else None,
        )
        summary.created["absences"] += 1


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=DEMO_TIME_ZONE)


def _load_events(summary: DemoSummary, officers: dict[str, Officer], *, today: dt.date) -> None:
    """A weekly spreekuur (stable whatever the date) and a one-off meeting, created once, ten days
    after the first load, so a second load changes nothing."""
    _ensure(
        Event,
        summary,
        "events",
        {"officer": officers["Anna Voorbeeld"], "title": "Spreekuur"},
        {
            "place": "Wijkcentrum Heerlen-Centrum (demo)",
            "starts_at": _at(WEEKLY_SPREEKUUR_SINCE, 19),
            "ends_at": _at(WEEKLY_SPREEKUUR_SINCE, 20),
            "recurrence": Event.Recurrence.WEEKLY,
            "repeat_until": None,
        },
    )
    bram = officers["Bram Verzonnen"]
    if bram.events.filter(title="Buurtoverleg Schandelen").exists():
        summary.unchanged["events"] += 1
        return
    meeting_day = today + dt.timedelta(days=10)
    Event.objects.create(
        officer=bram,
        title="Buurtoverleg Schandelen",
        place="Wijkcentrum Schandelen (demo)",
        starts_at=_at(meeting_day, 20),
        ends_at=_at(meeting_day, 21, 30),
        recurrence=Event.Recurrence.ONCE,
    )
    summary.created["events"] += 1


def _load_addresses(summary: DemoSummary) -> bool:
    """The real sample addresses and the generated ones; returns whether any was created.

    Generated addresses of earlier versions of the demo, in real PC4 areas, are removed."""
    generated = _generated_addresses()
    stale = Address.objects.filter(straat__startswith=f"{GENERATED_STREET} ").exclude(
        postcode__in={values["postcode"] for values in generated}
    )
    removed, _ = stale.delete()
    summary.removed["addresses"] += removed
    for values in [*_sample_addresses(), *generated]:
        keys = {
            name: values.pop(name)
            for name in ("postcode", "huisnummer", "huisletter", "huisnummertoevoeging")
        }
        _ensure(Address, summary, "addresses", keys, values)
    return bool(summary.created["addresses"])


def _sample_addresses() -> list[dict[str, Any]]:
    rows = []
    with (FIXTURES / "sample_addresses.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if len(row["postcode"]) != 6:
                continue  # Kempkensweg 3 has only its PC4 in the source
            rows.append(
                {
                    "postcode": row["postcode"],
                    "huisnummer": int(row["huisnummer"]),
                    "huisletter": row["huisletter"].upper(),
                    "huisnummertoevoeging": row["toevoeging"].upper(),
                    "straat": row["straat"],
                    "woonplaats": row["woonplaats"],
                    "lat": round(float(row["lat"]), 7),
                    "lon": round(float(row["lon"]), 7),
                }
            )
    return rows


def generated_postcode(number: int) -> str:
    """The made-up postcode of the `number`-th buurt in code order: 6499AA, 6499AB, ..."""
    letters = string.ascii_uppercase
    return f"{GENERATED_PC4}{letters[number // 26]}{letters[number % 26]}"


def _generated_addresses() -> list[dict[str, Any]]:
    """Demo addresses on a grid inside each buurt of the demo's dataset: one made-up postcode per
    buurt, the place most of the buurt's real postcodes name, and a street that says it is demo."""
    places = Counter(
        Postcode.objects.filter(buurt__dataset__name=DATASET_NAME).values_list(
            "buurt__code", "woonplaats"
        )
    )
    rows = []
    buurten = Buurt.objects.filter(dataset__name=DATASET_NAME).order_by("code")
    for order, buurt in enumerate(buurten):
        named = [(count, place) for (code, place), count in places.items() if code == buurt.code]
        woonplaats = max(named)[1] if named else "Heerlen"
        for number, point in enumerate(
            _grid_points_inside(buurt.geometry, DEMO_ADDRESSES_PER_BUURT), start=1
        ):
            rows.append(
                {
                    "postcode": generated_postcode(order),
                    "huisnummer": number,
                    "huisletter": "A" if number % 4 == 0 else "",
                    "huisnummertoevoeging": "",
                    "straat": f"{GENERATED_STREET} {buurt.name}",
                    "woonplaats": woonplaats,
                    "lat": round(point.y, 7),
                    "lon": round(point.x, 7),
                }
            )
    return rows


def _grid_points_inside(polygon: Any, count: int) -> list[Any]:
    """Up to `count` points of a regular grid that lie strictly inside the polygon, in a fixed order."""
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    for steps in range(4, 40, 2):
        lons = np.linspace(min_lon, max_lon, steps + 2)[1:-1]
        lats = np.linspace(min_lat, max_lat, steps + 2)[1:-1]
        grid = shapely.points(*[axis.ravel() for axis in np.meshgrid(lons, lats)])
        inside = [point for point in grid if polygon.contains(point)]
        if len(inside) >= count:
            picks = np.linspace(0, len(inside) - 1, count).round().astype(int)
            return [inside[i] for i in picks]
    return [shapely.point_on_surface(polygon)]
