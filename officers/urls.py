"""URLs of the resident's pages (Dutch paths; the interface language is switched separately)."""

from django.urls import path

from . import views

app_name = "officers"

urlpatterns = [
    path("", views.search, name="search"),
    path("wijkagent/<slug:slug>/", views.officer_profile, name="profile"),
    path("buurt/<str:code>/", views.buurt_detail, name="buurt"),
    path("wijkagenten/", views.officer_list, name="list"),
    path("buiten-werkgebied/", views.outside_area, name="outside-area"),
]
