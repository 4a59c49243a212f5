"""The staff admin for help entries and wrong-answer reports."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from neighbourhoods.admin import RegionalAdminMixin
from neighbourhoods.regions import Region, municipalities_in, region_of

from .models import AnswerReport, HelpEntry


def _page_link(url_name: str, *, key: str, value: str) -> str:
    """A link to the resident page a report was about, named by its code or slug; "-" for none."""
    if not value:
        return "-"
    return format_html('<a href="{}">{}</a>', reverse(url_name, kwargs={key: value}), value)


@admin.register(HelpEntry)
class HelpEntryAdmin(RegionalAdminMixin, admin.ModelAdmin):
    """National entries are for national staff; a regional editor keeps their municipalities'."""

    list_display = ("channel_nl", "topic", "municipality", "phone", "order")
    # An address typed without a scheme is the organisation's site, which is on HTTPS.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ("topic", ("municipality", admin.EmptyFieldListFilter), "municipality")
    search_fields = ("channel_nl", "channel_en", "phone")
    fieldsets = (
        (None, {"fields": ("topic", "municipality", "order")}),
        (_("Dutch"), {"fields": ("channel_nl", "advice_nl")}),
        (_("English"), {"fields": ("channel_en", "advice_en")}),
        (_("Contact"), {"fields": ("phone", "website", "quick_exit")}),
    )

    def in_region(self, region: Region, queryset: QuerySet) -> QuerySet:
        return queryset.filter(region.q("municipality_id"))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        region = region_of(request.user)
        if db_field.name == "municipality" and not region.is_national:
            kwargs["queryset"] = municipalities_in(region)
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            if field is not None:
                # Only national staff write national entries.
                field.required = True
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class HandledFilter(admin.SimpleListFilter):
    title = _("handled")
    parameter_name = "handled"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("no", _("Not yet")), ("yes", _("Handled"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "no":
            return queryset.filter(handled_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(handled_at__isnull=False)
        return queryset


@admin.register(AnswerReport)
class AnswerReportAdmin(RegionalAdminMixin, admin.ModelAdmin):
    """A regional editor sees the reports about buurten of their region; national staff all."""

    list_display = ("created_at", "buurt_link", "officer_slug", "municipality", "handled_at")
    list_filter = (HandledFilter, "municipality")
    search_fields = ("buurt_code", "officer_slug", "correction")
    date_hierarchy = "created_at"
    actions = ["mark_handled"]
    readonly_fields = (
        "created_at",
        "buurt_link",
        "officer_link",
        "municipality",
        "address",
        "address_consent",
        "correction",
        "handled_at",
        "handled_by",
        "deletion_due",
    )
    fields = readonly_fields

    def in_region(self, region: Region, queryset: QuerySet) -> QuerySet:
        return queryset.filter(region.q("municipality_id"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Reports come from residents only.
        return False

    @admin.display(description=_("buurt shown"), ordering="buurt_code")
    def buurt_link(self, report: AnswerReport) -> str:
        return _page_link("officers:buurt", key="code", value=report.buurt_code)

    @admin.display(description=_("officer shown"))
    def officer_link(self, report: AnswerReport) -> str:
        return _page_link("officers:profile", key="slug", value=report.officer_slug)

    @admin.display(description=_("deleted after"))
    def deletion_due(self, report: AnswerReport) -> str:
        due = report.deletion_due
        return (
            f"{timezone.localtime(due):%d-%m-%Y}" if due else str(_("90 days after it is handled"))
        )

    @admin.action(description=_("Mark the selected reports handled"), permissions=["change"])
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[AnswerReport]) -> None:
        count = queryset.filter(handled_at__isnull=True).update(
            handled_at=timezone.now(), handled_by=request.user
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d report marked handled; it is deleted 90 days from now.",
                "%(count)d reports marked handled; they are deleted 90 days from now.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
