"""sitemap.xml: an index of sitemaps of every public profile and buurt page, and the lists, so
search engines find them ("wijkagent Palemig").

The portal has no setting for its public address, so Django's sitemaps framework builds absolute
URLs from the request's host and scheme (`RequestSite`, as django.contrib.sites is not installed);
the host is one of ALLOWED_HOSTS, and behind a proxy the scheme follows SECURE_PROXY_SSL_HEADER.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils.functional import cached_property

from neighbourhoods.covered import served_municipalities
from neighbourhoods.models import Buurt

from .models import Officer

# Rows per sitemap page: rendering the country's buurten in one template would take seconds.
SITEMAP_PAGE = 5000
# Stands for the code or slug in a path reversed once per sitemap; valid for both converters.
PLACEHOLDER = "X0X0X0X0X0"


def path_maker(name: str, argument: str) -> Any:
    """A function of one code or slug giving the path of the URL `name`: one reverse() per
    sitemap rather than one for each of thousands of rows."""
    before, after = reverse(name, kwargs={argument: PLACEHOLDER}).split(PLACEHOLDER)
    return lambda value: f"{before}{value}{after}"


class OfficerSitemap(Sitemap):
    limit = SITEMAP_PAGE
    changefreq = "weekly"
    priority = 0.8

    @cached_property
    def path_of(self) -> Any:
        return path_maker("officers:profile", "slug")

    def items(self) -> Any:
        return Officer.objects.published().order_by("slug").values_list("slug", flat=True)

    def location(self, item: str) -> str:
        return self.path_of(item)


class BuurtSitemap(Sitemap):
    limit = SITEMAP_PAGE
    changefreq = "weekly"
    priority = 0.6

    @cached_property
    def path_of(self) -> Any:
        return path_maker("officers:buurt", "code")

    def items(self) -> Any:
        return Buurt.objects.active().order_by("code").values_list("code", flat=True)

    def location(self, item: str) -> str:
        return self.path_of(item)


class ListSitemap(Sitemap):
    """The two bare lists and, per covered municipality, its officers and its wijken."""

    limit = SITEMAP_PAGE
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
