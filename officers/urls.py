"""URLs of the resident's pages (Dutch paths; the interface language is switched separately)."""

from django.urls import path

from wijkportaal.cache import cache_public_page

from . import views

app_name = "officers"

urlpatterns = [
    # The home page is not cached: its form carries a CSRF token.
    path("", views.search, name="search"),
    path("adres/", views.street_search, name="street-search"),
    path("wijkagent/<slug:slug>/", cache_public_page(views.officer_profile), name="profile"),
    path("wijkagent/<slug:slug>/contact.vcf", views.officer_contact_card, name="vcard"),
    path("agenda/<int:pk>.ics", views.event_calendar, name="event-ical"),
    path("buurt/<str:code>/", cache_public_page(views.buurt_detail), name="buurt"),
    path("wijkagenten/", cache_public_page(views.officer_list), name="list"),
    path("buiten-werkgebied/", views.outside_area, name="outside-area"),
]
