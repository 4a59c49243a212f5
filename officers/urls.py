"""URLs of the resident's pages (Dutch paths; the interface language is switched separately)."""

from django.urls import path

import neighbourhoods.converters  # noqa: F401  (registers `buurt_code`)
from wijkportaal.cache import cache_public_page

from . import pages, views

app_name = "officers"

urlpatterns = [
    # Only the home page's GET is cached; a search is a POST and never is.
    path("", cache_public_page(views.search), name="search"),
    path("adres/", views.street_search, name="street-search"),
    path("wijkagent/<slug:slug>/", cache_public_page(views.officer_profile), name="profile"),
    path("wijkagent/<slug:slug>/contact.vcf", views.officer_contact_card, name="vcard"),
    path("agenda/<int:pk>.ics", views.event_calendar, name="event-ical"),
    path("buurt/<buurt_code:code>/", cache_public_page(views.buurt_detail), name="buurt"),
    path("wijkagenten/", cache_public_page(views.officer_list), name="list"),
    path("wijken/", pages.wijk_list, name="wijken"),
    path("buiten-werkgebied/", views.outside_area, name="outside-area"),
]
