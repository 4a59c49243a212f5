"""The staff admin for priorities (aandachtspunten), the admin save paths that write the change log,
and the Dutch wording of the admin's messages and history.

Kept apart from officers/admin.py: the officer and event admins take `ChangeLoggingMixin` and
`StaffWordingMixin` as base classes, and priorities have their own admin here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from neighbourhoods.admin import RegionalAdminMixin
from neighbourhoods.models import Buurt, Wijk, without_boundaries
from neighbourhoods.regions import Region, region_of

from . import changes, staffing
from .models import (
    Absence,
    Assignment,
    ChangeLogEntry,
    Event,
    Officer,
    Priority,
    PriorityQuerySet,
    PriorityUpdate,
)

Kind = ChangeLogEntry.Kind

# Which entry a saved inline row makes: (added, changed, deleted) per model.
_INLINE_KINDS: dict[type, tuple[str, str, str]] = {
    Assignment: (Kind.ASSIGNMENT_NEW, Kind.ASSIGNMENT_CHANGED, Kind.ASSIGNMENT_REMOVED),
    Absence: (Kind.ABSENCE_NEW, Kind.ABSENCE_CHANGED, Kind.ABSENCE_REMOVED),
}


def _record_row(obj: Any, kind: str) -> None:
    day = timezone.localdate()
    if isinstance(obj, Assignment):
        changes.record_assignment(assignment=obj, kind=kind)
    elif isinstance(obj, Absence):
        changes.record_absence(absence=obj, kind=kind, day=day)
    elif isinstance(obj, Event):
        changes.record_event(event=obj, kind=kind, day=day)


class StaffWordingMixin:
    """Admin messages with the right Dutch article, and history lines in the site's language.

    Django's Dutch messages say "De {name} ... is gewijzigd. U kunt deze ..." for every model; a
    neuter noun ("politiebureau") takes "Het" and "het", and "spreekuur of bijeenkomst" needs an
    article for each noun. Django also writes the names of inline objects into the history in
    English ("Phone: 0900-8844"); they are written in Dutch instead (staffing).
    """

    # The model's name with its article as Dutch messages open with it; empty keeps Django's.
    dutch_subject = ""
    model: type[Any]

    def message_user(self, request: HttpRequest, message: Any, *args: Any, **kwargs: Any) -> None:
        if self.dutch_subject and translation.get_language() == "nl":
            wrong = f"De {self.model._meta.verbose_name} "
            text = str(message)
            if text.startswith(wrong):
                text = f"{self.dutch_subject} {text[len(wrong) :]}"
                text = text.replace(" U kunt deze hieronder ", " U kunt het hieronder ")
                # Keep the message safe HTML: Django formats it with format_html.
                message = type(message)(text)
        super().message_user(request, message, *args, **kwargs)  # type: ignore[misc]

    def construct_change_message(
        self, request: HttpRequest, form: forms.Form, formsets: Any, add: bool = False
    ) -> list[dict]:
        message = super().construct_change_message(request, form, formsets, add)  # type: ignore[misc]
        return staffing.localised_change_message(message, formsets=formsets or [])


class ChangeLoggingMixin:
    """Writes the change log when staff save officers' assignments and absences (inline rows),
    publish an officer, or save or delete an event. In the admin's transaction, so an entry
    exists exactly when the change it describes does."""

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        kinds = _INLINE_KINDS.get(formset.model)
        if kinds is None:
            return
        added, changed, deleted = kinds
        for obj in formset.new_objects:
            _record_row(obj, added)
        for obj, _fields in formset.changed_objects:
            _record_row(obj, changed)
        for obj in formset.deleted_objects:
            _record_row(obj, deleted)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        obj = form.instance
        if isinstance(obj, Officer) and obj.is_published and "is_published" in form.changed_data:
            changes.record_officer_published(officer=obj, day=timezone.localdate())
        elif isinstance(obj, Event) and (not change or form.has_changed()):
            _record_row(obj, Kind.EVENT_CHANGED if change else Kind.EVENT_NEW)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        if isinstance(obj, Event):
            _record_row(obj, Kind.EVENT_REMOVED)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        if queryset.model is Event:
            for event in queryset.select_related("officer"):
                _record_row(event, Kind.EVENT_REMOVED)
        super().delete_queryset(request, queryset)  # type: ignore[misc]


class PriorityUpdateInline(admin.TabularInline):
    model = PriorityUpdate
    fields = ["date", "text"]
    extra = 1


def _priorities_in(region: Region) -> Any:
    return region.q("buurt__wijk__municipality_id") | region.q("wijk__municipality_id")


@admin.register(Priority)
class PriorityAdmin(RegionalAdminMixin, StaffWordingMixin, admin.ModelAdmin):
    dutch_subject = "Het aandachtspunt"
    list_display = ["title", "area", "status", "last_update", "opened_on"]
    list_filter = ["status"]
    search_fields = ["title", "buurt__name", "buurt__code", "wijk__name"]
    autocomplete_fields = ["buurt"]
    date_hierarchy = "opened_on"
    fieldsets = [
        (_("Where"), {"fields": ["buurt", "wijk"]}),
        (
            None,
            {
                "fields": ["title", "issue", "action", "opened_on"],
                "description": _(
                    "Add a dated update at least every 3 months; the coverage page lists open "
                    "priorities without one for longer."
                ),
            },
        ),
        (_("Closing"), {"fields": ["status", "closed_on", "outcome"]}),
    ]
    inlines = [PriorityUpdateInline]

    def in_region(self, region: Region, queryset: QuerySet) -> QuerySet:
        return queryset.filter(_priorities_in(region))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Priority]:
        queryset: PriorityQuerySet = super().get_queryset(request)  # type: ignore[assignment]
        return (
            queryset.with_last_update()
            .select_related("buurt", "wijk")
            .defer("buurt__boundary", "wijk__boundary")
        )

    @admin.display(description=_("buurt or wijk"))
    def area(self, priority: Priority) -> str:
        return priority.area_name

    @admin.display(description=_("last update"), ordering="last_update_on")
    def last_update(self, priority: Priority) -> Any:
        return priority.last_update_on

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        # Priorities go to areas residents can find (those of the active dataset) in the
        # editor's region.
        region = region_of(request.user)
        if db_field.name == "buurt":
            kwargs["queryset"] = (
                Buurt.objects.active()
                .filter(region.q("wijk__municipality_id"))
                .defer(*without_boundaries())
            )
        elif db_field.name == "wijk":
            kwargs["queryset"] = (
                Wijk.objects.filter(dataset__is_active=True)
                .filter(region.q("municipality_id"))
                .select_related("municipality")
                .defer("boundary")
                .order_by("municipality__name", "name")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Priority, form: forms.ModelForm, change: bool
    ) -> None:
        stored = Priority.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        obj.was_open = stored == Priority.Status.OPEN  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        priority = form.instance
        if change and not (form.has_changed() or any(f.has_changed() for f in formsets)):
            return
        kind = changes.priority_change_kind(
            created=not change, was_open=getattr(priority, "was_open", None), priority=priority
        )
        added = [
            update
            for formset in formsets
            for update in getattr(formset, "new_objects", [])
            if isinstance(update, PriorityUpdate)
        ]
        changes.record_priority(
            priority=priority,
            kind=kind,
            day=timezone.localdate(),
            update=max(added, key=lambda u: (u.date, u.pk), default=None),
        )
