"""URLs of the JSON API, version 1 (mounted at /api/v1/)."""

from django.urls import path, re_path, register_converter

from . import views


class BuurtCodeConverter:
    """A CBS code such as BU09173300; letters and digits only, so `.geojson` stays a suffix."""

    regex = "[A-Za-z0-9]{1,10}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(BuurtCodeConverter, "buurtcode")

app_name = "api"

urlpatterns = [
    path("lookup", views.lookup, name="lookup"),
    path("point", views.point, name="point"),
    path("officers", views.officer_list, name="officers"),
    path("officers/<slug:slug>", views.officer_detail, name="officer"),
    path("buurten/<buurtcode:code>.geojson", views.buurt_geojson, name="buurt-geojson"),
    path("buurten/<buurtcode:code>", views.buurt_detail, name="buurt"),
    path("stations", views.station_list, name="stations"),
    path("stations/<int:station_id>", views.station_detail, name="station"),
    path("openapi.json", views.openapi, name="openapi"),
    # [\s\S] rather than ".": an encoded newline (%0A) in the path must get the JSON 404 too.
    re_path(r"^(?P<path>[\s\S]*)\Z", views.unknown, name="unknown"),
]
