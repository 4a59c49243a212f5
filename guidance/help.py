"""Which channel for which problem: the help entries of /hulp/, grouped per topic."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from neighbourhoods.models import Municipality

from .models import HelpEntry


@dataclass(frozen=True)
class ShownEntry:
    """A help entry in the reader's language."""

    channel: str
    advice: str
    phone: str
    phone_href: str
    website: str
    municipality: str
    quick_exit: bool

    @property
    def website_label(self) -> str:
        """The site's name as residents say it: politie.nl, not https://www.politie.nl/..."""
        host = urlsplit(self.website).hostname or ""
        return host.removeprefix("www.")

    @classmethod
    def of(cls, entry: HelpEntry, *, language: str) -> ShownEntry:
        return cls(
            channel=entry.channel(language),
            advice=entry.advice(language),
            phone=entry.phone,
            phone_href=entry.phone_href,
            website=entry.website,
            municipality=entry.municipality.name if entry.municipality else "",
            quick_exit=entry.quick_exit,
        )


@dataclass(frozen=True)
class HelpTopic:
    """One problem and its channels: the national ones first, then the municipality's own."""

    topic: HelpEntry.Topic
    entries: list[ShownEntry]

    @property
    def label(self) -> str:
        return str(self.topic.label)

    @property
    def quick_exit(self) -> bool:
        return any(entry.quick_exit for entry in self.entries)


def help_topics(*, municipality: Municipality | None, language: str) -> list[HelpTopic]:
    """Every topic that has an entry, in the order of HelpEntry.Topic (one query)."""
    entries = list(HelpEntry.objects.for_municipality(municipality).select_related("municipality"))
    # National entries (no municipality) first within each topic; NULL sorts differently per
    # database, so the order is settled here.
    entries.sort(key=lambda entry: (entry.municipality_id is not None, entry.order, entry.pk))
    return [
        HelpTopic(
            topic,
            [
                ShownEntry.of(entry, language=language)
                for entry in entries
                if entry.topic == topic.value
            ],
        )
        for topic in HelpEntry.Topic
        if any(entry.topic == topic.value for entry in entries)
    ]
