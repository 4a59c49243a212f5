"""URLs of the resident's pages (Dutch paths; the interface language is switched separately)."""

from django.urls import path

from wijkportaal.cache import cache_public_page

from . import views

app_name = "officers"

urlpatterns = [
    path("", views.search, name="search"),
    # The home page is not cached: its form carries a CSRF token.
    path("wijkagent/<slug:slug>/", cache_public_page(views.officer_profile), name="profile"),
    path("buurt/<str:code>/", cache_public_page(views.buurt_detail), name="buurt"),
    path("wijkagenten/", cache_public_page(views.officer_list), name="list"),
    path("buiten-werkgebied/", views.outside_area, name="outside-area"),
]
