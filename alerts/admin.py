"""The alerts in the admin: every member of staff sees how many addresses follow each buurt of
their region; only superusers see the addresses themselves, and nobody adds or edits one (a
subscription needs its owner's confirmation)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from neighbourhoods.regions import region_of

from .counts import followers_per_buurt
from .models import BuurtFollowers, Subscriber, Subscription


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    can_delete = True
    fields = (
        "buurt_code",
        "wants_wijkagent",
        "wants_absences",
        "wants_meetings",
        "wants_priorities",
        "requested_at",
        "confirmed_at",
        "last_change_id",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """The addresses, for superusers only: to answer a resident's request or end a subscription."""

    list_display = ("email", "language", "subscription_count", "created_at", "last_digest_at")
    search_fields = ("email",)
    readonly_fields = ("email", "language", "created_at", "last_digest_at", "refusals")
    inlines = [SubscriptionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(subscription_total=Count("subscriptions"))

    @admin.display(description=_("subscriptions"), ordering="subscription_total")
    def subscription_count(self, obj: Subscriber) -> int:
        return obj.subscription_total  # type: ignore[attr-defined]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Read-only, but the inline's delete boxes need the change form.
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(BuurtFollowers)
class BuurtFollowersAdmin(admin.ModelAdmin):
    """Numbers only, for every member of staff, within their region; no object pages."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and request.user.is_active and request.user.is_staff

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "",
                self.admin_site.admin_view(self.changelist_view),
                name="{}_{}_changelist".format(*info),
            )
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        rows = followers_per_buurt(region=region_of(request.user))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Followers per buurt"),
            "opts": self.model._meta,
            "rows": rows,
            "confirmed_total": sum(row.confirmed for row in rows),
            "waiting_total": sum(row.waiting for row in rows),
            "shows_addresses": request.user.is_superuser,
        }
        return TemplateResponse(request, "admin/alerts/followers.html", context)
