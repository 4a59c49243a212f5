"""sitemap.xml: every public profile and buurt page, and the lists, so search engines find them
("wijkagent Palemig").

The portal has no setting for its public address, so Django's sitemaps framework builds absolute
URLs from the request's host and scheme (`RequestSite`, as django.contrib.sites is not installed);
the host is one of ALLOWED_HOSTS, and behind a proxy the scheme follows SECURE_PROXY_SSL_HEADER.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from neighbourhoods.models import Buurt

from .models import Officer
from .pages import buurt_path, served_municipalities


class OfficerSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> Any:
        return Officer.objects.published().only("slug").order_by("slug")


class BuurtSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self) -> Any:
        return Buurt.objects.active().order_by("code").values_list("code", flat=True)

    def location(self, item: str) -> str:
        return buurt_path(item)


class ListSitemap(Sitemap):
    """The two bare lists and, per covered municipality, its officers and its wijken."""

    changefreq = "weekly"
    priority = 0.5

    def items(self) -> list[tuple[str, str]]:
        served = served_municipalities()
        listed = [("officers:list", ""), ("officers:wijken", "")] if len(served) != 1 else []
        for entry in served:
            listed += [
                ("officers:municipality-list", entry.slug),
                ("officers:municipality-wijken", entry.slug),
            ]
        return listed

    def location(self, item: tuple[str, str]) -> str:
        name, gemeente = item
        return reverse(name, kwargs={"gemeente": gemeente} if gemeente else None)


SITEMAPS: dict[str, type[Sitemap]] = {
    "lijsten": ListSitemap,
    "wijkagenten": OfficerSitemap,
    "buurten": BuurtSitemap,
}
