"""The Heerlen demo's own help entries, beside the national ones of migration 0002."""

from __future__ import annotations

from typing import Any

HEERLEN_CODE = "GM0917"

# Keyed on (topic, channel_nl); the rest is written when it differs.
HEERLEN_ENTRIES: list[dict[str, Any]] = [
    {
        "topic": "municipality",
        "channel_nl": "Gemeente Heerlen",
        "channel_en": "Municipality of Heerlen",
        "advice_nl": (
            "Voor meldingen over de openbare ruimte, buurtbemiddeling en vragen aan de gemeente: "
            "bel 14 045 of kijk op heerlen.nl."
        ),
        "advice_en": (
            "For reports about streets and public spaces, neighbour mediation and questions for "
            "the municipality: call 14 045 or visit heerlen.nl."
        ),
        "phone": "14 045",
        "website": "https://www.heerlen.nl/",
        "order": 0,
    },
]
