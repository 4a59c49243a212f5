"""Atom feeds of what changes in a buurt and for an officer, read from the change log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from neighbourhoods.models import Buurt, without_boundaries

from .changes import ChangeText, describe, published_names, update_texts
from .models import ChangeLogEntry, ChangeLogQuerySet, Officer

# Enough for a reader that looks in once a month; older news is on the pages themselves.
FEED_ENTRIES = 30
# Part of every entry's id: tag URIs need a date, and this one never changes, so an entry's id
# stays the same whatever happens to the site's pages.
TAG_DATE = "2026"


def entry_tag(*, host: str, entry_id: int) -> str:
    """The entry's permanent id (RFC 4151 tag URI), made from its change log id."""
    return f"tag:{host},{TAG_DATE}:wijkportaal/change/{entry_id}"


def tag_authority(request: HttpRequest) -> str:
    """The site's own name for tag URIs, so an entry has one id whichever of its names a reader
    used: the host of SITE_URL, else the first host it is configured to serve, else the name of
    this request."""
    site_host = urlsplit(settings.SITE_URL).hostname
    if site_host:
        return site_host
    for host in settings.ALLOWED_HOSTS:
        if host and "*" not in host and not host.startswith("."):
            return host
    return request.get_host().split(":")[0]


@dataclass(frozen=True)
class Subject:
    """What a feed is about, with the name its entry ids carry (a Feed serves every thread, so
    nothing of one request may be kept on it)."""

    item: Any
    host: str


@dataclass(frozen=True)
class FeedItem:
    entry: ChangeLogEntry
    text: ChangeText
    host: str


class ChangeFeed(Feed):
    """What the buurt and officer feeds share: the entries, their words and their ids."""

    feed_type = Atom1Feed
    author_name = "Wijkportaal"

    def entries(self, obj: Any) -> ChangeLogQuerySet:
        raise NotImplementedError

    def page(self, obj: Any) -> str:
        raise NotImplementedError

    def items(self, obj: Subject) -> list[FeedItem]:
        entries = list(
            self.entries(obj.item)
            .public()
            .select_related("officer", "priority__buurt")
            .order_by("-pk")[:FEED_ENTRIES]
        )
        deputies = published_names(entries)
        updates = update_texts(entries)
        page = self.page(obj.item)
        return [
            FeedItem(
                entry, describe(entry, deputies=deputies, updates=updates, page=page), obj.host
            )
            for entry in entries
        ]

    def link(self, obj: Subject) -> str:
        return self.page(obj.item)

    def feed_guid(self, obj: Subject) -> str:
        return f"tag:{obj.host},{TAG_DATE}:wijkportaal{self.link(obj)}berichten.atom"

    def item_title(self, item: FeedItem) -> str:
        return item.text.title

    def item_description(self, item: FeedItem) -> str:
        return item.text.text

    def item_link(self, item: FeedItem) -> str:
        return item.text.link

    def item_guid(self, item: FeedItem) -> str:
        return entry_tag(host=item.host, entry_id=item.entry.pk)

    def item_guid_is_permalink(self, item: FeedItem) -> bool:
        return False

    def item_pubdate(self, item: FeedItem) -> dt.datetime:
        return item.entry.created_at

    def item_updateddate(self, item: FeedItem) -> dt.datetime:
        return item.entry.created_at


class BuurtFeed(ChangeFeed):
    def get_object(self, request: HttpRequest, code: str) -> Subject:
        buurt = (
            Buurt.objects.active().filter(code=code.upper()).defer(*without_boundaries()).first()
        )
        if buurt is None:
            raise Http404(_("No buurt has this code."))
        return Subject(buurt, tag_authority(request))

    def title(self, obj: Subject) -> str:
        return _("News of the buurt %(name)s") % {"name": obj.item.name}

    def subtitle(self, obj: Subject) -> str:
        return _(
            "Priorities, wijkagenten, absences, office hours (spreekuren) and meetings of the buurt "
            "%(name)s."
        ) % {"name": obj.item.name}

    def page(self, obj: Buurt) -> str:
        return reverse("officers:buurt", kwargs={"code": obj.code})

    def entries(self, obj: Buurt) -> ChangeLogQuerySet:
        return ChangeLogEntry.objects.for_buurt(obj.code)


class OfficerFeed(ChangeFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Subject:
        officer = Officer.objects.published().filter(slug=slug).first()
        if officer is None:
            raise Http404(_("No published officer has this address."))
        return Subject(officer, tag_authority(request))

    def title(self, obj: Subject) -> str:
        return _("News of wijkagent %(name)s") % {"name": obj.item.name}

    def subtitle(self, obj: Subject) -> str:
        return _(
            "Priorities, areas, absences, office hours (spreekuren) and meetings of wijkagent "
            "%(name)s."
        ) % {"name": obj.item.name}

    def page(self, obj: Officer) -> str:
        return obj.get_absolute_url()

    def entries(self, obj: Officer) -> ChangeLogQuerySet:
        return ChangeLogEntry.objects.for_officer(obj)
