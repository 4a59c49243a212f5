"""Buurten in the staff admin: read-only (boundaries come from imports), with a map and who covers them.

Geography knows nothing of people: the officers of a buurt are read through the reverse relation
`buurt.assignments` by field name, without importing the officers app.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .maps import MapShape, render_map
from .models import Address, Buurt, Postcode

# The autocomplete request Django's admin sends for the buurt field of an officer's assignment.
ASSIGNMENT_AUTOCOMPLETE = {
    "app_label": "officers",
    "model_name": "assignment",
    "field_name": "buurt",
}


@admin.register(Buurt)
class BuurtAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "wijk", "dataset", "address_count"]
    list_filter = ["dataset", "wijk__municipality"]
    search_fields = ["code", "name"]
    list_select_related = ["wijk", "dataset"]
    ordering = ["code"]
    fields: ClassVar[tuple[str, ...]] = (
        "code",
        "name",
        "wijk",
        "municipality_name",
        "dataset",
        "boundary_map",
        "officers_today",
        "address_count",
    )
    readonly_fields = fields

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Buurt]:
        # A correlated count: evaluated only for the rows of the page shown, and dropped by
        # Django from the paginator's count query.
        addresses = (
            Address.objects.filter(buurt=OuterRef("pk"))
            .order_by()
            .values("buurt")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("wijk__municipality", "dataset")
            .annotate(addresses_total=Coalesce(Subquery(addresses), 0))
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Buurt], search_term: str
    ) -> tuple[QuerySet[Buurt], bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        asked = {key: request.GET.get(key) for key in ASSIGNMENT_AUTOCOMPLETE}
        if request.path.endswith("/autocomplete/") and asked == ASSIGNMENT_AUTOCOMPLETE:
            # New assignments go to buurten that residents can find: those of the active dataset.
            queryset = queryset.filter(dataset__is_active=True)
        return queryset, may_have_duplicates

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Buurt | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Buurt | None = None) -> bool:
        return False

    @admin.display(description=_("addresses"), ordering="addresses_total")
    def address_count(self, buurt: Buurt) -> int:
        return buurt.addresses_total  # type: ignore[attr-defined]  # annotated by get_queryset

    @admin.display(description=_("municipality"))
    def municipality_name(self, buurt: Buurt) -> str:
        return str(buurt.wijk.municipality)

    @admin.display(description=_("boundary"))
    def boundary_map(self, buurt: Buurt) -> str | Promise:
        geometry = buurt.geometry
        if geometry is None:
            return _("No boundary stored.")
        svg = render_map(shapes=[MapShape(geometry, buurt.name)], title=str(buurt), size=240)
        return format_html('<div class="boundary-map">{}</div>', svg)

    @admin.display(description=_("officers today"))
    def officers_today(self, buurt: Buurt) -> str | Promise:
        today = timezone.localdate()
        assignments: Any = (
            buurt.assignments.filter(valid_from__lte=today)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .select_related("officer")
            .order_by("role", "officer__name")
        )
        rows = [
            (
                reverse("admin:officers_officer_change", args=[assignment.officer_id]),
                assignment.officer.name,
                assignment.get_role_display(),
                "" if assignment.officer.is_published else _(" (not published)"),
            )
            for assignment in assignments
        ]
        if not rows:
            return _("None: residents of this buurt see the page without a wijkagent.")
        return format_html(
            "<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a>, {}{}</li>', rows)
        )


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    """The postcode register, read-only: it comes from `import_postcodes`."""

    list_display = ["spaced_postcode", "woonplaats", "gemeente_name", "buurt", "near_buurt"]
    list_filter = ["gemeente_name", "woonplaats"]
    search_fields = ["postcode", "woonplaats"]
    list_select_related = ["buurt", "near_buurt"]
    fields: ClassVar[tuple[str, ...]] = (
        "postcode",
        "woonplaats",
        "gemeente_code",
        "gemeente_name",
        "lat",
        "lon",
        "buurt",
        "near_buurt",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Postcode]:
        return super().get_queryset(request).defer("buurt__boundary", "near_buurt__boundary")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("postcode"), ordering="postcode")
    def spaced_postcode(self, postcode: Postcode) -> str:
        return f"{postcode.postcode[:4]} {postcode.postcode[4:]}"

    def has_change_permission(self, request: HttpRequest, obj: Postcode | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Postcode | None = None) -> bool:
        return False
