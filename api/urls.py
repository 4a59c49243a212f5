"""URLs of the JSON API, version 1 (mounted at /api/v1/)."""

from django.urls import path, re_path

import neighbourhoods.converters  # noqa: F401  (registers `buurt_code`)

from . import views

app_name = "api"

urlpatterns = [
    path("lookup", views.lookup, name="lookup"),
    path("point", views.point, name="point"),
    path("officers", views.officer_list, name="officers"),
    path("officers/<slug:slug>", views.officer_detail, name="officer"),
    path("buurten/<buurt_code:code>.geojson", views.buurt_geojson, name="buurt-geojson"),
    path("buurten/<buurt_code:code>", views.buurt_detail, name="buurt"),
    path("stations", views.station_list, name="stations"),
    path("stations/<int:station_id>", views.station_detail, name="station"),
    path("openapi.json", views.openapi, name="openapi"),
    # [\s\S] rather than ".": an encoded newline (%0A) in the path must get the JSON 404 too.
    re_path(r"^(?P<path>[\s\S]*)\Z", views.unknown, name="unknown"),
]
