"""The demo's fictional priorities, with their change log entries, created only when missing.

Staff may edit or close them in the admin; loading the demo again leaves what they did alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from neighbourhoods.models import Buurt, Wijk

from . import changes
from .models import ChangeLogEntry, Priority, PriorityUpdate


@dataclass(frozen=True)
class DemoPriority:
    area: str  # a buurt code (BU...) or a wijk code (WK...)
    title: str
    issue: str
    action: str
    opened_days_ago: int
    updates: tuple[tuple[int, str], ...] = ()  # (days ago, text)
    closed_days_ago: int | None = None
    outcome: str = ""


# In Dutch like the rest of the text: staff write priorities in Dutch only.
DEMO_NOTE = " (Demo: verzonnen.)"

DEMO_PRIORITIES = (
    DemoPriority(
        "BU09173300",
        "Fietsendiefstal rond het station",
        "Bij de fietsenstallingen rond station Heerlen worden veel fietsen gestolen.",
        "Extra surveillance in de avond, samen met de gemeente en de stationsbeheerder. "
        "Bewoners kunnen hun fiets gratis laten graveren.",
        opened_days_ago=75,
        updates=(
            (40, "Graveeractie gehouden: 120 fietsen gegraveerd."),
            (6, "Twee verdachten aangehouden; de surveillance gaat door."),
        ),
    ),
    DemoPriority(
        "WK091733",
        "Woninginbraken in de donkere maanden",
        "In de herfst en winter stijgt het aantal inbraken in de hele wijk.",
        "Buurtpreventie-avonden met de gemeente, en extra controles in de avonduren.",
        opened_days_ago=30,
        updates=((12, "Eerste preventie-avond in het wijkcentrum gehouden."),),
    ),
    DemoPriority(
        "BU09173300",
        "Scooteroverlast op het Pancratiusplein",
        "Scooters reden 's avonds over het plein en maakten veel lawaai.",
        "Controles op snelheid en geluid, en gesprekken met jongerenwerk.",
        opened_days_ago=200,
        updates=((120, "Controles gehouden; twaalf bekeuringen."),),
        closed_days_ago=60,
        outcome="Paaltjes geplaatst door de gemeente; sindsdien nauwelijks meldingen.",
    ),
    DemoPriority(
        "BU09173100",
        "Verkeersveiligheid bij de basisschool",
        "Ouders parkeren dubbel en rijden te hard bij de school.",
        "Controles bij het begin en einde van de schooldag, samen met de gemeente.",
        opened_days_ago=150,
        updates=((110, "Gesprek met de school en de gemeente over een kiss-and-ride-zone."),),
    ),
)


def load_demo_priorities(*, today: dt.date) -> tuple[int, int]:
    """Create each demo priority whose title its area does not have yet; returns (created,
    unchanged). A priority staff changed or closed is found by its title and left as it is."""
    created = unchanged = 0
    for demo in DEMO_PRIORITIES:
        area: dict[str, Buurt | Wijk | None] = (
            {"buurt": Buurt.objects.active().filter(code=demo.area).first()}
            if demo.area.startswith("BU")
            else {"wijk": Wijk.objects.filter(dataset__is_active=True, code=demo.area).first()}
        )
        if None in area.values():
            continue
        if Priority.objects.filter(title=demo.title, **area).exists():
            unchanged += 1
            continue
        _create(demo, area, today=today)
        created += 1
    return created, unchanged


def _create(demo: DemoPriority, area: dict[str, Buurt | Wijk | None], *, today: dt.date) -> None:
    closed = demo.closed_days_ago is not None
    priority = Priority.objects.create(
        **area,
        title=demo.title,
        issue=demo.issue + DEMO_NOTE,
        action=demo.action,
        opened_on=today - dt.timedelta(days=demo.opened_days_ago),
        status=Priority.Status.CLOSED if closed else Priority.Status.OPEN,
        closed_on=(
            today - dt.timedelta(days=demo.closed_days_ago)
            if demo.closed_days_ago is not None
            else None
        ),
        outcome=demo.outcome,
    )
    PriorityUpdate.objects.bulk_create(
        [
            PriorityUpdate(priority=priority, date=today - dt.timedelta(days=days), text=text)
            for days, text in demo.updates
        ]
    )
    kind = ChangeLogEntry.Kind.PRIORITY_CLOSED if closed else ChangeLogEntry.Kind.PRIORITY_NEW
    changes.record_priority(priority=priority, kind=kind, day=today)
