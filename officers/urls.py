"""URLs of the resident's pages (Dutch paths; the interface language is switched separately)."""

from django.urls import path

from . import views

app_name = "officers"

urlpatterns = [
    path("", views.search, name="search"),
    path("adres/", views.street_search, name="street-search"),
    path("wijkagent/<slug:slug>/", views.officer_profile, name="profile"),
    path("wijkagent/<slug:slug>/contact.vcf", views.officer_contact_card, name="vcard"),
    path("agenda/<int:pk>.ics", views.event_calendar, name="event-ical"),
    path("buurt/<str:code>/", views.buurt_detail, name="buurt"),
    path("wijkagenten/", views.officer_list, name="list"),
    path("buiten-werkgebied/", views.outside_area, name="outside-area"),
]
