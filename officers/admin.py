"""The staff admin for officers, stations and events, and the coverage page: thin over the models' rules.

Each editor reaches only their region (neighbourhoods.regions, officers.scoping): lists, choices,
object pages and the coverage page stop at its edge, and assignments are added or ended only in it.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from neighbourhoods.admin import (
    MunicipalityFilter,
    RegionalAdminMixin,
    WijkFilter,
    choices_in_region,
)
from neighbourhoods.models import Buurt, Municipality, without_boundaries
from neighbourhoods.regions import NATIONAL, Region, municipalities_in, region_of

from . import contact_review, contact_review_admin, coverage, photos, scoping, staffing
from .admin_priorities import ChangeLoggingMixin, StaffWordingMixin
from .models import (
    Absence,
    Assignment,
    ClosingDay,
    ContactChange,
    ContactChannel,
    Event,
    Officer,
    OpeningHours,
    Station,
    absence_overlap_message,
    deputy_absent_message,
    location_from_register,
    overlap_message,
    periods_overlap,
)
from .templatetags.resident import postcode as written_postcode

admin.site.site_header = _("Wijkportaal staff")
admin.site.site_title = _("Wijkportaal staff")
admin.site.index_title = _("Officers, areas and stations")
# The history of editors' contact changes, with the coverage page's revert and review buttons.
admin.site.register(ContactChange, contact_review_admin.ContactChangeAdmin)

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


class KeptPhotoField(forms.CharField):
    """The signed token of a photo kept across a failed submit; never a change in itself."""

    widget = forms.HiddenInput

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


class OfficerAdminForm(forms.ModelForm):
    photo = PhotoField(
        label=_("Photo"),
        required=False,
        help_text=Officer._meta.get_field("photo").help_text,
    )
    # The photo chosen in an earlier submit of this form that came back with another error.
    photo_kept = KeptPhotoField(required=False)
    # Set by clean() when that photo is restored into this submit.
    photo_restored = False

    @property
    def changed_data(self) -> list[str]:
        changed = super().changed_data
        # A restored photo is this save's new photo though its file field came back empty, and
        # the history names what changed from changed_data.
        if self.photo_restored and "photo" not in changed:
            return [name for name in self.fields if name in changed or name == "photo"]
        return changed

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        storage = Officer._meta.get_field("photo").storage
        photo = data.get("photo")
        token = data.get("photo_kept") or ""
        if isinstance(photo, photos.PreparedPhoto):
            token = photos.keep_pending(photo=photo, storage=storage)
        elif photo is not False and token and "photo" not in self.errors:
            kept = photos.restore_pending(token=token, storage=storage)
            if kept is None:
                token = ""
                self.add_error(
                    "photo",
                    _("The photo you chose earlier could not be kept. Choose it again, please."),
                )
            else:
                data["photo"] = kept
                self.photo_restored = True
        elif photo is False:
            token = ""
        data["photo_kept"] = token
        # The page that comes back after an error carries the token, so the photo survives it.
        submitted = self.data.copy()  # type: ignore[attr-defined]  # the request's QueryDict
        submitted[self.add_prefix("photo_kept")] = token
        self.data = submitted
        # Checked when a profile is being published, not on every later edit: an editor fixing a
        # phone number of a published profile is not stopped by an older gap (the page names it).
        # The assignments formset checks the area; an error here takes is_published out of the
        # instance, so the wish to publish is passed on explicitly.
        publishing = bool(data.get("is_published")) and "is_published" in self.changed_data
        self.instance.publishing_requested = publishing
        if publishing:
            gaps = self.publication_gaps_in(data)
            if gaps:
                self.add_error("is_published", staffing.publication_message(gaps))
        return data

    def publication_gaps_in(self, data: dict[str, Any]) -> list[str]:
        """The gaps of the fields on this form; the area is the assignments formset's check."""
        draft = Officer(
            intro_nl=data.get("intro_nl") or "",
            intro_en=data.get("intro_en") or "",
            photo=data.get("photo") or None,
            photo_alt=data.get("photo_alt") or "",
        )
        # The alt text has its own error on its field already; saying it twice adds nothing.
        return [
            gap
            for gap in draft.publication_gaps(has_area=True)
            if not (gap == str(_("a description of the photo")) and "photo_alt" in self.errors)
        ]

    class Meta:
        model = Officer
        fields = [
            "name",
            "rank",
            "municipality",
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
    """Checks overlaps among the submitted rows; each row's own check skips its siblings' stored dates.

    An editor adds, changes or ends only assignments to buurten of their region; rows in another
    region come back unchanged or the whole form is refused.
    """

    # Set by AssignmentInline.get_formset to the editor's region.
    region: Region = NATIONAL

    def outside_region(self) -> list[str]:
        """The buurten outside the editor's region that this submit adds, changes or ends."""
        if self.region.is_national:
            return []
        touched: list[int | None] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            stored = form.instance.pk is not None
            # Compared by value, not by has_changed(): a forged post can leave out the hidden
            # initial values Django compares a date with a callable default against.
            submitted = {
                "buurt": data["buurt"].pk if data.get("buurt") else None,
                **{name: data.get(name) for name in ("role", "valid_from", "valid_until")},
            }
            changed = any(form.initial.get(name) != value for name, value in submitted.items())
            if stored and (changed or data.get("DELETE")):
                touched.append(form.initial.get("buurt"))
            if (changed or not stored) and not data.get("DELETE") and submitted["buurt"]:
                touched.append(submitted["buurt"])
        if not touched:
            return []
        rows = Buurt.objects.filter(pk__in=[pk for pk in touched if pk is not None]).values_list(
            "code", "name", "wijk__municipality_id"
        )
        return sorted(
            f"{name} ({code})"
            for code, name, municipality in rows
            if not self.region.contains(municipality)
        )

    @cached_property
    def stored_pks(self) -> frozenset[int]:
        # The formset's own queryset, already fetched for its forms: no query per row.
        return frozenset(assignment.pk for assignment in self.get_queryset())

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        form.instance.checked_alongside = self.stored_pks

    def clean(self) -> None:
        super().clean()
        if foreign := self.outside_region():
            raise ValidationError(
                _(
                    "You may add, change or end assignments only in the municipalities you edit; "
                    "%(buurten)s lies outside them. Their own editors keep those assignments."
                )
                % {"buurten": ", ".join(foreign)},
                code="outside_region",
            )
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
        # Rows with errors are reported on their own; the area check waits until they are fixed.
        if getattr(self.instance, "publishing_requested", False) and not any(
            f.errors for f in self.forms
        ):
            today = timezone.localdate()
            if not any(a.valid_until is None or a.valid_until >= today for a in seen):
                raise ValidationError(
                    staffing.publication_message([str(staffing.AREA_GAP)]),
                    code="published_without_area",
                )


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

    def get_formset(self, request: HttpRequest, obj: Officer | None = None, **kwargs: Any) -> Any:
        formset = cast(type[AssignmentFormSet], super().get_formset(request, obj, **kwargs))
        region = region_of(request.user)
        formset.region = region
        # Django's autocomplete offers the region's buurten (BuurtAdmin's queryset); the field
        # accepts those and the officer's own, so rows in another region are saved unchanged.
        if "buurt" in formset.form.base_fields:
            field = cast(forms.ModelChoiceField, formset.form.base_fields["buurt"])
            own = (
                Q(pk__in=Assignment.objects.filter(officer=obj).values("buurt_id")) if obj else None
            )
            field.queryset = choices_in_region(
                Buurt.objects.defer(*without_boundaries()),
                region=region,
                path="wijk__municipality_id",
                keep=own,
            )
        return formset


class AbsenceFormSet(BaseInlineFormSet):
    """Refuses absences of one officer that overlap, among the submitted rows as in the database."""

    @cached_property
    def stored_pks(self) -> frozenset[int]:
        return frozenset(absence.pk for absence in self.get_queryset())

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        form.instance.checked_alongside = self.stored_pks

    def clean(self) -> None:
        super().clean()
        seen: list[Absence] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.errors:
                continue
            if not (data.get("starts_on") and data.get("ends_on")):
                continue
            candidate = Absence(starts_on=data["starts_on"], ends_on=data["ends_on"])
            for earlier in seen:
                if periods_overlap(
                    (earlier.starts_on, earlier.ends_on), (candidate.starts_on, candidate.ends_on)
                ):
                    raise ValidationError(absence_overlap_message(earlier), code="overlap")
            seen.append(candidate)


class AbsenceForm(forms.ModelForm):
    """Refuses a deputy who is away himself during the absence. A stored row whose dates and
    deputy the editor left alone is not refused for an absence the deputy got since: that does
    not block saving the profile (the coverage page and a warning say so instead, and residents
    are not sent to the deputy meanwhile)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk and not {"starts_on", "ends_on", "deputy"} & set(self.changed_data):
            return data
        deputy, starts_on, ends_on = data.get("deputy"), data.get("starts_on"), data.get("ends_on")
        # Without a valid period, or with the officer as his own deputy, the model's check speaks.
        if deputy is None or not (starts_on and ends_on) or ends_on < starts_on:
            return data
        if deputy.pk == self.instance.officer_id:
            return data
        away = (
            Absence.objects.overlapping(officer_id=deputy.pk, starts_on=starts_on, ends_on=ends_on)
            .select_related("officer")
            .first()
        )
        if away is not None:
            self.add_error("deputy", deputy_absent_message(away))
        return data


class AbsenceInline(admin.TabularInline):
    model = Absence
    form = AbsenceForm
    formset = AbsenceFormSet
    fk_name = "officer"
    fields = ["starts_on", "ends_on", "deputy"]
    autocomplete_fields = ["deputy"]
    extra = 0
    verbose_name_plural = _(
        "absences (while one lasts, the profile says so and points to the deputy)"
    )

    def get_formset(self, request: HttpRequest, obj: Officer | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        region = region_of(request.user)
        if "deputy" in formset.form.base_fields and not region.is_national:
            field = cast(forms.ModelChoiceField, formset.form.base_fields["deputy"])
            named = (
                Q(pk__in=Absence.objects.filter(officer=obj).values("deputy_id")) if obj else Q()
            )
            field.queryset = Officer.objects.filter(scoping.officer_q(region) | named)
        return formset


class OfficerMunicipalityFilter(MunicipalityFilter):
    """Officers who lie in a municipality: named on the profile, or assigned to a buurt there."""

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not (self.value() or "").isdigit():
            return queryset
        return scoping.officers_in(Region(frozenset({int(self.value() or 0)})), queryset)


class OfficerWijkFilter(WijkFilter):
    """Officers with an assignment (now or later) to a buurt of the wijk."""

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not (self.value() or "").isdigit():
            return queryset
        today = timezone.localdate()
        assigned = Assignment.objects.filter(buurt__wijk_id=int(self.value() or 0)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
        return queryset.filter(pk__in=assigned.values("officer_id"))


class OfficerStationFilter(admin.RelatedOnlyFieldListFilter):
    """The stations of the municipality chosen in the municipality filter, or of a regional
    editor's region: a national list of hundreds of stations would be no use in a sidebar."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        municipality = request.GET.get(OfficerMunicipalityFilter.parameter_name, "")
        region = region_of(request.user)
        # A chosen station stays listed, so that the filter is shown and applied.
        here = Q(pk__in=[value for value in self.lookup_val or [] if str(value).isdigit()])
        if municipality.isdigit() and region.contains(int(municipality)):
            here |= Q(municipality_id=int(municipality))
        elif not region.is_national:
            here |= region.q("municipality_id")
        used = model_admin.get_queryset(request).values("station_id")
        return field.get_choices(
            include_blank=False,
            limit_choices_to=Q(pk__in=used) & here,
            ordering=self.field_admin_ordering(field, request, model_admin),
        )


def limit_to_region(
    form: type[forms.ModelForm],
    *,
    region: Region,
    name: str,
    queryset: QuerySet,
    path: str,
    current: Any,
) -> None:
    """Offer in the form's field `name` only choices in the region, plus the object's current one;
    an editor of one municipality gets it filled in, and must choose when the field is empty."""
    field = form.base_fields.get(name)
    if field is None or region.is_national:
        return
    keep = Q(pk=current) if current is not None else None
    field.queryset = choices_in_region(queryset, region=region, path=path, keep=keep)  # type: ignore[attr-defined]
    if name == "municipality":
        field.required = True
        if region.municipality_ids is not None and len(region.municipality_ids) == 1:
            field.initial = next(iter(region.municipality_ids))


@admin.register(Officer)
class OfficerAdmin(ChangeLoggingMixin, RegionalAdminMixin, StaffWordingMixin, admin.ModelAdmin):
    form = OfficerAdminForm
    list_display = [
        "name",
        "rank",
        "is_published",
        "reviewed_on",
        "municipality",
        "station",
        "has_photo",
    ]
    list_filter = [
        "is_published",
        OfficerMunicipalityFilter,
        OfficerWijkFilter,
        ("station", OfficerStationFilter),
        "is_fictional",
    ]
    search_fields = [
        "name",
        "slug",
        "station__name",
        "municipality__name",
        "assignments__buurt__code",
        "assignments__buurt__name",
        "assignments__buurt__wijk__name",
    ]
    list_select_related = ["station", "municipality"]
    # Chosen by typing: a national list of stations is hundreds of options long.
    autocomplete_fields = ["station"]
    readonly_fields = ["slug", "photo_preview", "publication_status"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "rank",
                    "municipality",
                    "station",
                    "is_published",
                    "publication_status",
                    "reviewed_on",
                    "is_fictional",
                ]
            },
        ),
        (_("Photo"), {"fields": ["photo_preview", "photo", "photo_kept", "photo_alt"]}),
        (_("Introduction"), {"fields": ["intro_nl", "intro_en"]}),
    ]
    inlines = [ContactChannelInline, AssignmentInline, AbsenceInline]
    actions = ["mark_reviewed_today"]

    def in_region(self, region: Region, queryset: QuerySet) -> QuerySet:
        return scoping.officers_in(region, queryset)

    def get_form(
        self, request: HttpRequest, obj: Officer | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        region = region_of(request.user)
        limit_to_region(
            form,
            region=region,
            name="municipality",
            queryset=Municipality.objects.all(),
            path="pk",
            current=obj.municipality_id if obj else None,
        )
        limit_to_region(
            form,
            region=region,
            name="station",
            queryset=Station.objects.all(),
            path="municipality_id",
            current=obj.station_id if obj else None,
        )
        return form

    @admin.display(boolean=True, description=_("photo"))
    def has_photo(self, officer: Officer) -> bool:
        return bool(officer.photo)

    @admin.display(description=_("ready to publish"))
    def publication_status(self, officer: Officer) -> str:
        if officer._state.adding:
            return str(_("A new profile starts unpublished. Publish it once it is complete."))
        gaps = officer.publication_gaps(has_area=officer.has_coming_area(day=timezone.localdate()))
        if not gaps:
            return str(_("Complete: it can be published."))
        return staffing.publication_message(gaps)

    @admin.display(description=_("current photo"))
    def photo_preview(self, officer: Officer) -> str:
        if officer.photo and isinstance(officer.photo.file, photos.PreparedPhoto):
            # A photo chosen in this submit, kept while another field is fixed: not stored yet,
            # so there is no URL to show it from.
            chosen = officer.photo.file.original_name or str(officer.photo.name)
            return format_html(
                '<strong class="photo-kept">{}</strong>',
                _(
                    "The photo you chose (%(name)s) is kept. It is saved with the profile once "
                    "the other errors are fixed; you do not need to choose it again."
                )
                % {"name": chosen[:100]},
            )
        if not officer.photo:
            if not officer.initials:
                # A new profile before its name is typed has no initials to show yet.
                return str(_("No photo: residents see the officer's initials."))
            return _("No photo: residents see the initials %(initials)s.") % {
                "initials": officer.initials
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
        if token := form.cleaned_data.get("photo_kept"):
            photos.discard_pending(token=token, storage=obj.photo.storage)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        for warning in staffing.possible_duplicates(officer=form.instance):
            self.message_user(request, warning, messages.WARNING)
        saved = [
            absence
            for formset in formsets
            if formset.model is Absence
            for absence in [
                *formset.new_objects,
                *(obj for obj, _fields in formset.changed_objects),
            ]
        ]
        for warning in staffing.deputy_away_warnings(deputy=form.instance, saved=saved):
            self.message_user(request, warning, messages.WARNING)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)
        contact_review.record_channel_changes(formset=formset, user=request.user)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # Both the delete page and the bulk delete action ask this before they confirm; the
        # warning is shown there, while the editor can still choose another deputy first.
        if not request.POST.get("post"):
            covered = staffing.absences_covered_by(officer_ids=[officer.pk for officer in objs])
            if covered:
                self.message_user(request, staffing.deputy_warning(covered), messages.WARNING)
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Deleting an officer ends their assignments, and those in another region are not this
        # editor's to end; Django refuses the delete when a permission is named as needed.
        region = region_of(request.user)
        if not region.is_national:
            elsewhere = (
                Assignment.objects.filter(officer__in=[officer.pk for officer in objs])
                .filter(
                    Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()),
                )
                .exclude(region.q("buurt__wijk__municipality_id"))
            )
            if elsewhere.exists():
                perms_needed = {*perms_needed, str(_("assignments in other municipalities"))}
        return deleted, counts, perms_needed, protected

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
        region = region_of(request.user)
        gaps = coverage.coverage_gaps(day=timezone.localdate(), region=region)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Coverage"),
            "gaps": gaps,
            "opts": self.model._meta,
            "stale_months": coverage.STALE_AFTER_MONTHS,
            "region_names": []
            if region.is_national
            else [str(m) for m in municipalities_in(region)],
            "priority_stale_months": coverage.PRIORITY_STALE_AFTER_MONTHS,
            "contact_review": contact_review.contact_review(region=region),
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


class StationAdminForm(forms.ModelForm):
    """Coordinates may be left empty (or recomputed) when the register knows the visiting address."""

    place_from_address = forms.BooleanField(
        label=_("Place on the map from the visiting address"),
        required=False,
        help_text=_(
            "Looks the visiting address up in the address register (or its postcode in the "
            "postcode register) and fills in latitude and longitude. Leave unticked to keep the "
            "coordinates typed below."
        ),
    )

    class Meta:
        model = Station
        fields = [
            "name",
            "phone",
            "by_appointment_only",
            "street_address",
            "postcode",
            "city",
            "municipality",
            "lat",
            "lon",
            "source_uid",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.placement_note = ""
        for name in ("lat", "lon"):
            self.fields[name].required = False
            self.fields[name].help_text = _("Empty: taken from the visiting address.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wanted = data.get("place_from_address") or (
            data.get("lat") is None and data.get("lon") is None and "lat" not in self.errors
        )
        if wanted:
            found = location_from_register(
                street_address=data.get("street_address") or "", postcode=data.get("postcode") or ""
            )
            if found is None:
                self.add_error(
                    "lat" if not data.get("place_from_address") else "place_from_address",
                    _(
                        "Neither the address register nor the postcode register knows "
                        "%(address)s, %(postcode)s. Check the visiting address, or type the "
                        "latitude and longitude."
                    )
                    % {
                        "address": data.get("street_address") or "?",
                        "postcode": data.get("postcode") or "?",
                    },
                )
            else:
                data["lat"], data["lon"] = found.lat, found.lon
                if not found.exact:
                    self.placement_note = _(
                        "The address register does not know this house number; the station "
                        "was placed in the middle of postcode %(postcode)s. Check the location "
                        "and correct the coordinates if needed."
                    ) % {"postcode": written_postcode(data.get("postcode") or "")}
        else:
            for name in ("lat", "lon"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Enter the coordinate, or leave both empty."))
        return data


@admin.register(Station)
class StationAdmin(RegionalAdminMixin, StaffWordingMixin, admin.ModelAdmin):
    form = StationAdminForm
    dutch_subject = "Het politiebureau"

    def in_region(self, region: Region, queryset: QuerySet) -> QuerySet:
        return scoping.stations_in(region, queryset)

    def get_form(
        self, request: HttpRequest, obj: Station | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        limit_to_region(
            form,
            region=region_of(request.user),
            name="municipality",
            queryset=Municipality.objects.all(),
            path="pk",
            current=obj.municipality_id if obj else None,
        )
        return form

    def save_model(
        self, request: HttpRequest, obj: Station, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and "phone" in form.changed_data:
            contact_review.record_station_phone_change(
                station=obj, old_phone=form.initial.get("phone") or "", user=request.user
            )
        if note := getattr(form, "placement_note", ""):
            self.message_user(request, note, messages.WARNING)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)
        contact_review.record_channel_changes(formset=formset, user=request.user)

    list_display = [
        "name",
        "street_address",
        "city",
        "municipality",
        "phone",
        "by_appointment_only",
    ]
    list_filter = [
        "by_appointment_only",
        ("municipality", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["municipality"]
    search_fields = ["name", "city", "street_address", "postcode", "municipality__name"]
    fieldsets = [
        (None, {"fields": ["name", "phone", "by_appointment_only"]}),
        (_("Visiting address"), {"fields": ["street_address", "postcode", "city", "municipality"]}),
        (_("Location (WGS84)"), {"fields": ["place_from_address", "lat", "lon"]}),
        (_("Source"), {"fields": ["source_uid"], "classes": ["collapse"]}),
    ]
    inlines = [OpeningHoursInline, ClosingDayInline, StationChannelInline]


@admin.register(Event)
class EventAdmin(ChangeLoggingMixin, RegionalAdminMixin, StaffWordingMixin, admin.ModelAdmin):
    dutch_subject = "Het spreekuur of de bijeenkomst"
    list_display = ["title", "officer", "place", "starts_at", "ends_at", "recurrence"]
    list_filter = ["recurrence"]
    search_fields = ["title", "place", "officer__name"]
    list_select_related = ["officer"]
    autocomplete_fields = ["officer"]
    date_hierarchy = "starts_at"
    fields = ["officer", "title", "place", "starts_at", "ends_at", "recurrence", "repeat_until"]

    def in_region(self, region: Region, queryset: QuerySet) -> QuerySet:
        return scoping.events_in(region, queryset)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "officer":
            kwargs["queryset"] = scoping.officers_in(region_of(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Event, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if obj.is_over(now=timezone.now()):
            self.message_user(request, staffing.past_event_warning(obj), messages.WARNING)
