"""The admin side of the contact review: the history of changes, and the revert and review buttons
of the coverage page (POST only, CSRF-protected by the admin, staff with editing rights only)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from neighbourhoods.regions import region_of

from . import contact_review
from .models import ContactChange

# The editors hold this; the revert changes contact details, so it asks for the same right.
REVIEW_PERMISSION = "officers.change_contactchannel"


class ContactChangeAdmin(admin.ModelAdmin):
    """Read-only history; changes are made by editing an officer or station, undone from coverage."""

    list_display = [
        "changed_at",
        "subject",
        "what",
        "old_value",
        "new_value",
        "changed_by",
        "reviewed_by",
        "reverted_by",
    ]
    list_filter = ["what", "changed_at"]
    list_select_related = ["officer", "station", "changed_by", "reviewed_by", "reverted_by"]
    search_fields = ["old_value", "new_value", "officer__name", "station__name"]
    date_hierarchy = "changed_at"

    @admin.display(description=gettext_lazy("officer or station"))
    def subject(self, change: ContactChange) -> str:
        return str(change.officer or change.station)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:change_id>/revert/",
                wrap(require_POST(self.revert_view)),
                name="officers_contactchange_revert",
            ),
            path(
                "<int:change_id>/review/",
                wrap(require_POST(self.review_view)),
                name="officers_contactchange_review",
            ),
            *super().get_urls(),
        ]

    def revert_view(self, request: HttpRequest, change_id: int) -> HttpResponseRedirect:
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied
        try:
            change = contact_review.revert(
                change_id=change_id, user=request.user, region=region_of(request.user)
            )
        except contact_review.ChangeRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("Reverted: %(subject)s has %(value)s again.")
                % {
                    "subject": change.officer or change.station,
                    "value": change.old_value or _("no such contact detail"),
                },
            )
        return HttpResponseRedirect(reverse("admin:officers_coverage") + "#contact-changes")

    def review_view(self, request: HttpRequest, change_id: int) -> HttpResponseRedirect:
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied
        try:
            contact_review.mark_reviewed(
                change_id=change_id, user=request.user, region=region_of(request.user)
            )
        except contact_review.ChangeRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Marked as reviewed."))
        return HttpResponseRedirect(reverse("admin:officers_coverage") + "#contact-changes")
