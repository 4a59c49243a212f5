"""Buurten in the staff admin: read-only (boundaries come from imports), with a map and who covers them;
editors' municipalities; and what every app's admin shares to keep an editor to their region.

Geography knows nothing of people: the officers of a buurt are read through the reverse relation
`buurt.assignments` by field name, without importing the officers app.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .maps import MapShape, render_map
from .models import (
    Address,
    Buurt,
    EditorScope,
    Municipality,
    Postcode,
    Wijk,
    without_boundaries,
)
from .regions import Region, municipalities_in, region_of

# The autocomplete request Django's admin sends for the buurt field of an officer's assignment.
ASSIGNMENT_AUTOCOMPLETE = {
    "app_label": "officers",
    "model_name": "assignment",
    "field_name": "buurt",
}


class RegionalAdminMixin:
    """An admin whose lists, object pages and object permissions stop at the editor's region.

    `in_region` narrows the queryset; an object outside it is refused (403) on its change, delete
    and history pages rather than passed off as missing, and has no view, change or delete
    permission, whatever the model permissions say.
    """

    model: type[Any]

    def in_region(self, region: Region, queryset: QuerySet) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.in_region(region_of(request.user), super().get_queryset(request))  # type: ignore[misc]

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Model | None:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None:
            self._reached(request)[obj.pk] = True
            return obj
        field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
        try:
            exists = self.model._default_manager.filter(
                **{field.name: field.to_python(object_id)}
            ).exists()
        except (ValidationError, ValueError):
            exists = False
        if exists:
            raise PermissionDenied
        return None

    def _reached(self, request: HttpRequest) -> dict[Any, bool]:
        memo = request.__dict__.setdefault("_regional_reach", {})
        return memo.setdefault(self.model._meta.label, {})

    def reaches(self, request: HttpRequest, obj: Model | None) -> bool:
        """Whether `obj` lies in the region of the request's user (one query per object a request)."""
        if obj is None or obj.pk is None:
            return True
        reached = self._reached(request)
        if obj.pk not in reached:
            reached[obj.pk] = self.get_queryset(request).filter(pk=obj.pk).exists()
        return reached[obj.pk]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_view_permission(request, obj)  # type: ignore[misc]
        return allowed and self.reaches(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]
        return allowed and self.reaches(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return allowed and self.reaches(request, obj)


def choices_in_region(
    queryset: QuerySet, *, region: Region, path: str, keep: Q | None = None
) -> QuerySet:
    """`queryset` narrowed to the region along `path`, plus the rows `keep` selects (the values
    an object already has, so an editor can save it without being made to change them)."""
    if region.is_national:
        return queryset
    wanted = region.q(path)
    return queryset.filter(wanted | keep if keep is not None else wanted)


class MunicipalityFilter(admin.SimpleListFilter):
    """The municipalities of the editor's region; a subclass says how its rows lie in one."""

    title = _("municipality")
    parameter_name = "gemeente"
    municipality_path = "wijk__municipality_id"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        region = region_of(request.user)
        return [
            (str(pk), f"{name} ({code})")
            for pk, name, code in municipalities_in(region).values_list("pk", "name", "code")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        return queryset.filter(**{self.municipality_path: self.value()})


class WijkFilter(admin.SimpleListFilter):
    """The wijken (of the active dataset) of the municipality chosen in MunicipalityFilter: a
    national list of thousands of wijken would be no use in a sidebar."""

    title = _("wijk")
    parameter_name = "wijk"
    wijk_path = "wijk_id"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        municipality = request.GET.get(MunicipalityFilter.parameter_name, "")
        if not municipality.isdigit() or not region_of(request.user).contains(int(municipality)):
            return []
        wijken = (
            Wijk.objects.filter(municipality_id=int(municipality), dataset__is_active=True)
            .order_by("name", "code")
            .values_list("pk", "name", "code")
        )
        return [(str(pk), f"{name} ({code})") for pk, name, code in wijken]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        return queryset.filter(**{self.wijk_path: self.value()})


@admin.register(EditorScope)
class EditorScopeAdmin(admin.ModelAdmin):
    """Which municipalities each editor keeps; only superusers hold its permissions."""

    list_display = ["user", "municipality"]
    list_filter = ["municipality"]
    list_select_related = ["user", "municipality"]
    search_fields = ["user__username", "municipality__name", "municipality__code"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "municipality":
            kwargs["queryset"] = Municipality.objects.order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Buurt)
class BuurtAdmin(RegionalAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "wijk", "municipality_name", "dataset", "address_count"]
    list_filter = ["dataset", MunicipalityFilter, WijkFilter]
    search_fields = ["code", "name", "wijk__name", "wijk__municipality__name"]
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

    def in_region(self, region: Region, queryset: QuerySet) -> QuerySet:
        return queryset.filter(region.q("wijk__municipality_id"))

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
            # Lists and the autocomplete show no map; the change page loads its one boundary.
            .defer(*without_boundaries())
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
