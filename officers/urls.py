"""URLs of the resident's pages (Dutch paths; the interface language is switched separately)."""

from django.urls import path, register_converter

from wijkportaal.cache import cache_public_page

from . import views


class BuurtCodeConverter:
    """A CBS buurt code such as BU09173300, in any case: letters and digits only, so junk (a NUL
    byte PostgreSQL refuses, a slash) is a plain 404 before any query runs."""

    regex = "[A-Za-z0-9]{1,10}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(BuurtCodeConverter, "buurt_code")

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
    path("buiten-werkgebied/", views.outside_area, name="outside-area"),
]
