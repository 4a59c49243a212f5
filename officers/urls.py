"""URLs of the resident's pages (Dutch paths; the interface language is switched separately)."""

from django.contrib.sitemaps import views as sitemaps
from django.urls import path

import neighbourhoods.converters  # noqa: F401  (registers `buurt_code`)
from wijkportaal.cache import cache_public_page

from . import card, feeds, pages, views
from .sitemaps import SITEMAPS
from .subjects import buurt_page, municipality_page, officer_page

app_name = "officers"

urlpatterns = [
    # Only the home page's GET is cached; a search is a POST and never is.
    path("", cache_public_page(views.search), name="search"),
    path("adres/", views.street_search, name="street-search"),
    path(
        "wijkagent/<slug:slug>/",
        cache_public_page(views.officer_profile, subjects=officer_page),
        name="profile",
    ),
    path("wijkagent/<slug:slug>/contact.vcf", views.officer_contact_card, name="vcard"),
    path("agenda/<int:pk>.ics", views.event_calendar, name="event-ical"),
    path(
        "buurt/<buurt_code:code>/",
        cache_public_page(views.buurt_detail, subjects=buurt_page),
        name="buurt",
    ),
    path(
        "buurt/<buurt_code:code>/kaart/",
        cache_public_page(card.buurt_card, subjects=buurt_page),
        name="buurt-card",
    ),
    path(
        "buurt/<buurt_code:code>/kaart/a5/",
        cache_public_page(card.buurt_card, subjects=buurt_page),
        {"paper": "a5"},
        name="buurt-card-a5",
    ),
    path(
        "buurt/<buurt_code:code>/berichten.atom",
        cache_public_page(feeds.BuurtFeed(), subjects=buurt_page),
        name="buurt-feed",
    ),
    path(
        "wijkagent/<slug:slug>/berichten.atom",
        cache_public_page(feeds.OfficerFeed(), subjects=officer_page),
        name="officer-feed",
    ),
    # Per municipality, named by the slug of its name (`/wijkagenten/heerlen/`); its CBS code
    # (`/wijkagenten/GM0917/`) redirects there. The bare paths offer the choice.
    path("wijkagenten/", cache_public_page(pages.officer_list), name="list"),
    path(
        "wijkagenten/<slug:gemeente>/",
        cache_public_page(pages.officer_list, subjects=municipality_page),
        name="municipality-list",
    ),
    path("wijken/", cache_public_page(pages.wijk_list), name="wijken"),
    path(
        "wijken/<slug:gemeente>/",
        cache_public_page(pages.wijk_list, subjects=municipality_page),
        name="municipality-wijken",
    ),
    # An index of sections, each in pages of SITEMAP_PAGE rows: no one request renders them all.
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "officers:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("buiten-werkgebied/", views.outside_area, name="outside-area"),
]
