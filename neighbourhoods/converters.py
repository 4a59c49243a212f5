"""The URL converter for a CBS buurt code, registered once as `buurt_code` for every URLconf."""

from __future__ import annotations

from django.urls import register_converter


class BuurtCodeConverter:
    """A CBS buurt code such as BU09173300, in any case, given to the view upper-case: letters and
    digits only, so junk (a NUL byte PostgreSQL refuses, a slash) is a plain 404 before any query
    runs and a suffix such as `.geojson` stays outside the code."""

    regex = "[A-Za-z0-9]{1,10}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(BuurtCodeConverter, "buurt_code")
