"""The staff admin for officers, stations and events, and the coverage page: thin over the models' rules."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from neighbourhoods.models import Buurt, without_boundaries

from . import coverage, photos
from .models import (
    Absence,
    Assignment,
    ClosingDay,
    ContactChannel,
    Event,
    Officer,
    OpeningHours,
    Station,
    overlap_message,
    periods_overlap,
)

admin.site.site_header = _("Wijkportaal staff")
admin.site.site_title = _("Wijkportaal staff")
admin.site.index_title = _("Officers, areas and stations")

COVERAGE_PERMISSION = "officers.view_officer"


class PhotoField(forms.FileField):
    """A photo upload decoded and re-encoded by officers.photos; the form gets the clean copy."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def to_python(self, data: Any) -> photos.PreparedPhoto | None:
        upload = super().to_python(data)
        if upload is None:
            return None
        try:
            return photos.prepare_photo(upload=upload)
        except photos.PhotoRejected as error:
            raise ValidationError(error.message, code=error.code) from error


class OfficerAdminForm(forms.ModelForm):
    photo = PhotoField(
        label=_("Photo"),
        required=False,
        help_text=Officer._meta.get_field("photo").help_text,
    )

    class Meta:
        model = Officer
        fields = [
            "name",
            "rank",
            "station",
            "is_published",
            "reviewed_on",
            "is_fictional",
            "photo",
            "photo_alt",
            "intro_nl",
            "intro_en",
        ]


class ContactChannelInline(admin.TabularInline):
    model = ContactChannel
    fk_name = "officer"
    fields = ["kind", "value", "order", "is_public"]
    extra = 0
    verbose_name_plural = _(
        "contact channels (phone numbers as 0900-8844 or 06-12345678; social links as https://...)"
    )


class StationChannelInline(ContactChannelInline):
    fk_name = "station"


class AssignmentFormSet(BaseInlineFormSet):
    """Checks overlaps among the submitted rows; each row's own check skips its siblings' stored dates."""

    @cached_property
    def stored_pks(self) -> frozenset[int]:
        # The formset's own queryset, already fetched for its forms: no query per row.
        return frozenset(assignment.pk for assignment in self.get_queryset())

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        form.instance.checked_alongside = self.stored_pks

    def clean(self) -> None:
        super().clean()
        seen: list[Assignment] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("buurt") or form.errors:
                continue
            if data.get("valid_from") is None:
                continue
            candidate = Assignment(
                buurt=data["buurt"],
                role=data.get("role"),
                valid_from=data.get("valid_from"),
                valid_until=data.get("valid_until"),
            )
            for earlier in seen:
                if (
                    earlier.buurt == candidate.buurt
                    and earlier.role == candidate.role
                    and periods_overlap(
                        (earlier.valid_from, earlier.valid_until),
                        (candidate.valid_from, candidate.valid_until),
                    )
                ):
                    raise ValidationError(overlap_message(earlier), code="overlap")
            seen.append(candidate)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    formset = AssignmentFormSet
    fields = ["buurt", "role", "valid_from", "valid_until"]
    autocomplete_fields = ["buurt"]
    extra = 0
    verbose_name_plural = _(
        "assignments (the public pages use those valid today; enter future ones ahead)"
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        return (
            super()
            .get_queryset(request)
            .select_related("buurt", "officer")
            .defer(*without_boundaries("buurt__"))
        )

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "buurt":
            # Django's autocomplete widget fetches each row's chosen buurt (one light query per
            # row, by its design); the boundary blobs stay in the database.
            kwargs["queryset"] = Buurt.objects.defer(*without_boundaries())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AbsenceInline(admin.TabularInline):
    model = Absence
    fk_name = "officer"
    fields = ["starts_on", "ends_on", "deputy"]
    autocomplete_fields = ["deputy"]
    extra = 0
    verbose_name_plural = _(
        "absences (while one lasts, the profile says so and points to the deputy)"
    )


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    form = OfficerAdminForm
    list_display = ["name", "rank", "is_published", "reviewed_on", "station", "has_photo"]
    list_filter = ["is_published", "station", "is_fictional"]
    search_fields = ["name", "slug"]
    list_select_related = ["station"]
    readonly_fields = ["slug", "photo_preview"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "rank",
                    "station",
                    "is_published",
                    "reviewed_on",
                    "is_fictional",
                ]
            },
        ),
        (_("Photo"), {"fields": ["photo_preview", "photo", "photo_alt"]}),
        (_("Introduction"), {"fields": ["intro_nl", "intro_en"]}),
    ]
    inlines = [ContactChannelInline, AssignmentInline, AbsenceInline]
    actions = ["mark_reviewed_today"]

    @admin.display(boolean=True, description=_("photo"))
    def has_photo(self, officer: Officer) -> bool:
        return bool(officer.photo)

    @admin.display(description=_("current photo"))
    def photo_preview(self, officer: Officer) -> str:
        if not officer.photo:
            return _("No photo: residents see the initials %(initials)s.") % {
                "initials": officer.initials or "?"
            }
        return format_html(
            '<img src="{}" alt="{}" width="160" height="160">', officer.photo.url, officer.photo_alt
        )

    def save_model(
        self, request: HttpRequest, obj: Officer, form: forms.ModelForm, change: bool
    ) -> None:
        previous: set[str] = set()
        if change:
            stored = Officer.objects.filter(pk=obj.pk).values("photo", "photo_small").first()
            previous = photos.stored_photo_names(**stored) if stored else set()
        photos.match_small_rendition(officer=obj, upload=form.cleaned_data.get("photo"))
        if not change:
            self._create_with_unique_slug(request, obj, form)
        else:
            super().save_model(request, obj, form, change)
        photos.delete_unused_photo_files(
            storage=obj.photo.storage,
            previous=previous,
            current=photos.stored_photo_names(
                photo=obj.photo.name, photo_small=obj.photo_small.name
            ),
        )

    def _create_with_unique_slug(
        self, request: HttpRequest, obj: Officer, form: forms.ModelForm
    ) -> None:
        # Two editors adding the same name at once could pick the same slug; the loser retries.
        for attempt in range(3):
            obj.slug = Officer.objects.unique_slug(name=obj.name)
            try:
                with transaction.atomic():
                    super().save_model(request, obj, form, change=False)
                return
            except IntegrityError:
                if attempt == 2 or not Officer.objects.filter(slug=obj.slug).exists():
                    raise

    def delete_model(self, request: HttpRequest, obj: Officer) -> None:
        names = photos.stored_photo_names(photo=obj.photo.name, photo_small=obj.photo_small.name)
        super().delete_model(request, obj)
        photos.delete_unused_photo_files(storage=obj.photo.storage, previous=names, current=set())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Officer]) -> None:
        names: set[str] = set()
        for photo, photo_small in queryset.values_list("photo", "photo_small"):
            names |= photos.stored_photo_names(photo=photo, photo_small=photo_small)
        super().delete_queryset(request, queryset)
        storage = Officer._meta.get_field("photo").storage
        photos.delete_unused_photo_files(storage=storage, previous=names, current=set())

    @admin.action(description=_("Mark the selected profiles as reviewed today"))
    def mark_reviewed_today(self, request: HttpRequest, queryset: QuerySet[Officer]) -> None:
        today = timezone.localdate()
        officers = list(queryset)
        for officer in officers:
            officer.reviewed_on = today
            officer.save(update_fields=["reviewed_on"])
            self.log_change(request, officer, [{"changed": {"fields": ["reviewed_on"]}}])
        self.message_user(
            request,
            ngettext(
                "%(count)d profile marked as reviewed today.",
                "%(count)d profiles marked as reviewed today.",
                len(officers),
            )
            % {"count": len(officers)},
            messages.SUCCESS,
        )

    def get_urls(self) -> list[URLPattern]:
        coverage_url = path(
            "coverage/",
            self.admin_site.admin_view(self.coverage_view),
            name="officers_coverage",
        )
        return [coverage_url, *super().get_urls()]

    def coverage_view(self, request: HttpRequest) -> HttpResponse:
        """Gaps staff should close, each linked to the object to fix."""
        if not request.user.has_perm(COVERAGE_PERMISSION):
            raise PermissionDenied
        gaps = coverage.coverage_gaps(day=timezone.localdate())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Coverage"),
            "gaps": gaps,
            "opts": self.model._meta,
            "stale_months": coverage.STALE_AFTER_MONTHS,
        }
        return TemplateResponse(request, "admin/officers/coverage.html", context)


class OpeningHoursFormSet(BaseInlineFormSet):
    """Opening hours must agree with "by appointment only" and not overlap on one weekday."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and not form.errors
        ]
        if kept and self.instance.by_appointment_only:
            raise ValidationError(
                _(
                    "This station is open by appointment only, so residents are not shown opening "
                    'hours. Delete the opening hours, or untick "by appointment only".'
                ),
                code="hours_with_appointment_only",
            )
        by_day: dict[int, list[tuple[Any, Any]]] = {}
        for data in kept:
            by_day.setdefault(data["weekday"], []).append((data["opens"], data["closes"]))
        for weekday, intervals in by_day.items():
            intervals.sort()
            for (_opens, closes), (next_opens, _next_closes) in pairwise(intervals):
                if next_opens < closes:
                    raise ValidationError(
                        _("Two opening times on %(day)s overlap. Join them into one.")
                        % {"day": OpeningHours.Weekday(weekday).label},
                        code="overlapping_hours",
                    )


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    formset = OpeningHoursFormSet
    fields = ["weekday", "opens", "closes"]
    extra = 0
    verbose_name_plural = _(
        "opening hours (several rows per day for a lunch break; none when by appointment only)"
    )


class ClosingDayInline(admin.TabularInline):
    model = ClosingDay
    fields = ["date", "reason"]
    extra = 0


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "street_address", "city", "phone", "by_appointment_only"]
    list_filter = ["by_appointment_only", "city"]
    search_fields = ["name", "city", "street_address"]
    fieldsets = [
        (None, {"fields": ["name", "phone", "by_appointment_only"]}),
        (_("Visiting address"), {"fields": ["street_address", "postcode", "city"]}),
        (_("Location (WGS84)"), {"fields": ["lat", "lon"]}),
        (_("Source"), {"fields": ["source_uid"], "classes": ["collapse"]}),
    ]
    inlines = [OpeningHoursInline, ClosingDayInline, StationChannelInline]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "officer", "place", "starts_at", "ends_at", "recurrence"]
    list_filter = ["recurrence"]
    search_fields = ["title", "place", "officer__name"]
    list_select_related = ["officer"]
    autocomplete_fields = ["officer"]
    date_hierarchy = "starts_at"
    fields = ["officer", "title", "place", "starts_at", "ends_at", "recurrence", "repeat_until"]
