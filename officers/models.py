"""People and places residents reach: officers, their contact channels, areas, absences, stations, events."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Avg, Exists, F, Max, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Address, Buurt, Municipality, Postcode, Wijk
from neighbourhoods.parsing import InvalidInput, normalise_postcode

from .validators import normalise_channel_value, normalise_dutch_phone

# The Netherlands with a margin, in WGS84: a station outside this box is a typo (swapped lat/lon).
NL_LAT_RANGE = (50.7, 53.7)
NL_LON_RANGE = (3.2, 7.3)


def long_date(day: dt.date) -> str:
    """A date as staff and residents read it in the active language: "5 december 2026"."""
    return date_format(day, "j F Y")


# "Stationstraat 13", "Akerstraat 100 E", "Laan 4a-2": the street, the number, an optional letter
# and an optional addition, as the register stores them.
_HOUSE_NUMBER = re.compile(
    r"^(?P<street>.*?\D)\s*(?P<number>\d{1,5})\s*(?P<letter>[A-Za-z])?"
    r"(?:\s*[-/ ]\s*(?P<addition>\w{1,4}))?\s*$"
)


@dataclass(frozen=True)
class RegisterLocation:
    """Where the register places a visiting address; `exact` is False for the middle of the
    postcode, used when the register does not know the house number."""

    lat: float
    lon: float
    exact: bool


def location_from_register(*, street_address: str, postcode: str) -> RegisterLocation | None:
    """The location of a visiting address in the address register, or None when unknown.

    A letter or addition the register does not know is tried without, so "Stationstraat 13 X"
    still finds number 13 on that postcode; a number it does not know falls back to the middle
    of the postcode's addresses (a few houses of one street), and a postcode without addresses
    in the register to its centre in the postcode register; both marked as not exact.
    """
    try:
        code = normalise_postcode(postcode)
    except InvalidInput:
        return None
    on_postcode = Address.objects.filter(postcode=code)
    match = _HOUSE_NUMBER.match(street_address.strip())
    if match is not None:
        letter = (match["letter"] or "").upper()
        addition = (match["addition"] or "").upper()
        candidates = on_postcode.filter(huisnummer=int(match["number"]))
        for filters in (
            {"huisletter": letter, "huisnummertoevoeging": addition},
            {"huisletter": letter},
            {},
        ):
            found = candidates.filter(**filters).order_by("huisletter", "huisnummertoevoeging")
            row = found.values_list("lat", "lon").first()
            if row is not None:
                return RegisterLocation(*row, exact=True)
    middle = on_postcode.aggregate(lat=Avg("lat"), lon=Avg("lon"))
    if middle["lat"] is not None:
        return RegisterLocation(middle["lat"], middle["lon"], exact=False)
    centre = Postcode.objects.filter(postcode=code).values_list("lat", "lon").first()
    return RegisterLocation(*centre, exact=False) if centre is not None else None


class Station(models.Model):
    """A police station (politiebureau) residents can visit."""

    name = models.CharField(_("name"), max_length=150)
    street_address = models.CharField(_("visiting address"), max_length=150)
    postcode = models.CharField(_("postcode"), max_length=7)
    city = models.CharField(_("place"), max_length=80)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    phone = models.CharField(_("phone"), max_length=20, default="0900-8844")
    by_appointment_only = models.BooleanField(
        _("by appointment only"),
        default=False,
        help_text=_("Open only by appointment via 0900-8844; opening hours are then not shown."),
    )
    source_uid = models.CharField(
        _("source id"),
        max_length=64,
        blank=True,
        help_text=_("Identifier in the police open-data set, used to update imported stations."),
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stations",
        help_text=_("The municipality whose editors keep this station."),
    )

    # Set by the API's prefetch (`to_attr`), declared for the type checker.
    upcoming_closing_days: list[ClosingDay]

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["name"]
        indexes = [models.Index(fields=["lat", "lon"], name="station_location_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        if self.phone:
            try:
                self.phone = normalise_dutch_phone(self.phone)
            except ValidationError as error:
                errors["phone"] = error.messages[0]
        if self.postcode:
            # Stored as the address register stores postcodes: "6411 nh" becomes "6411NH".
            try:
                self.postcode = normalise_postcode(self.postcode)
            except InvalidInput as error:
                errors["postcode"] = error.message
        if self.lat is not None and not NL_LAT_RANGE[0] <= self.lat <= NL_LAT_RANGE[1]:
            errors["lat"] = _("The latitude must lie in the Netherlands (about 50.7 to 53.7).")
        if self.lon is not None and not NL_LON_RANGE[0] <= self.lon <= NL_LON_RANGE[1]:
            errors["lon"] = _("The longitude must lie in the Netherlands (about 3.2 to 7.3).")
        if errors:
            raise ValidationError(errors)


class OpeningHours(models.Model):
    """One opening interval of a station on a weekday; a day may have several (a lunch break)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name="opening_hours_close_after_open",
                violation_error_message=_("The closing time must be after the opening time."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class ClosingDay(models.Model):
    """A date on which a station is closed whatever its weekly hours say (a public holiday)."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="closing_days"
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["station", "date"], name="unique_closing_day")
        ]

    def __str__(self) -> str:
        return f"{long_date(self.date)} {self.reason}".strip()


AREA_GAP = _("an area: an assignment to a buurt valid today or later")


class OfficerQuerySet(models.QuerySet["Officer"]):
    def published(self) -> OfficerQuerySet:
        return self.filter(is_published=True)

    def unique_slug(self, *, name: str) -> str:
        """A slug for a new officer: the name, with -2, -3, ... when another officer has it."""
        base = slugify(name)[:150].strip("-") or "wijkagent"
        like_base = Q(slug=base) | Q(slug__startswith=f"{base}-")
        # A departed officer's address keeps pointing residents to their successors.
        taken = set(self.filter(like_base).values_list("slug", flat=True)) | set(
            DepartedOfficer.objects.filter(like_base).values_list("slug", flat=True)
        )
        if base not in taken:
            return base
        number = 2
        while f"{base}-{number}" in taken:
            number += 1
        return f"{base}-{number}"


@functools.lru_cache(maxsize=8192)
def _profile_path(slug: str, *where: object) -> str:
    """The profile's path, reversed once per slug: every search that finds one officer redirects
    there, and reversing cost about a twentieth of a search. `where` holds what the answer depends
    on besides the slug (script prefix and URLconf), so a change of either is a new entry."""
    return reverse("officers:profile", kwargs={"slug": slug})


def officer_profile_path(slug: str) -> str:
    """The path of the profile of the officer with this slug (`Officer.get_absolute_url`)."""
    return _profile_path(slug, get_script_prefix(), settings.ROOT_URLCONF, get_urlconf())


class Officer(models.Model):
    """A wijkagent. Unpublished officers are invisible to residents."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(
        _("slug"),
        max_length=160,
        unique=True,
        help_text=_("Part of the profile address; set once from the name and kept stable."),
    )
    rank = models.CharField(_("rank or title"), max_length=100, blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="officers/",
        blank=True,
        help_text=_(
            "JPEG, PNG or WebP, at most 5 MB and 6000 x 6000 pixels. Stored as a 480 x 480 square "
            "without location or camera data."
        ),
    )
    photo_small = models.ImageField(
        _("small photo"),
        upload_to="officers/",
        blank=True,
        editable=False,
        help_text=_("A 160 x 160 copy of the photo for lists, made on upload."),
    )
    photo_alt = models.CharField(
        _("photo description"),
        max_length=250,
        blank=True,
        help_text=_("Describes the photo for people who cannot see it. Required with a photo."),
    )
    intro_nl = models.TextField(_("introduction (Dutch)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officers",
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_(
            "Residents see only published profiles. A profile can be published once it has an "
            "introduction, an area and, with a photo, a photo description."
        ),
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    is_fictional = models.BooleanField(
        _("fictional (demo)"),
        default=False,
        help_text=_("Demo data: the person does not exist. Shown as such to residents."),
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officers",
        help_text=_(
            "The municipality whose editors keep this profile, also while it has no buurt. "
            "Editors of the municipalities of its buurten may edit it too."
        ),
    )

    objects = OfficerQuerySet.as_manager()

    # Set by the resident pages' prefetches (`to_attr`) and the buurt's officer list (`role_here`),
    # declared for the type checker.
    shown_absence: Absence | None
    open_events: list[Event]
    public_channels: list[ContactChannel]
    role_here: str
    # Set by api.documents.attach_priorities.
    area_priorities: list[Priority]

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return officer_profile_path(self.slug)

    def clean(self) -> None:
        if self.photo and not self.photo_alt.strip():
            raise ValidationError(
                {
                    "photo_alt": _(
                        "Describe the photo for people who cannot see it, for example "
                        '"Portrait of Anna Voorbeeld in uniform".'
                    )
                }
            )

    def publication_gaps(self, *, has_area: bool) -> list[str]:
        """What this profile lacks before residents may see it, each as a sentence for the editor.

        `has_area` says whether the officer has an assignment valid today or later; the caller
        knows it (the stored rows, or the rows of the form being saved).
        """
        gaps: list[str] = []
        if not (self.intro_nl.strip() or self.intro_en.strip()):
            gaps.append(str(_("an introduction (in Dutch or English)")))
        if self.photo and not self.photo_alt.strip():
            gaps.append(str(_("a description of the photo")))
        if not has_area:
            gaps.append(str(AREA_GAP))
        return gaps

    def has_coming_area(self, *, day: dt.date) -> bool:
        return (
            self.pk is not None
            and self.assignments.filter(
                Q(valid_until__isnull=True) | Q(valid_until__gte=day)
            ).exists()
        )

    @property
    def initials(self) -> str:
        parts = [part for part in self.name.split() if part[:1].isupper()]
        if not parts:
            return self.name[:1].upper()
        return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()


class ContactChannel(models.Model):
    """A way to reach an officer or a station. Only public channels are shown to residents."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        WHATSAPP = "whatsapp", _("WhatsApp")
        INSTAGRAM = "instagram", _("Instagram")
        X = "x", _("X")
        FACEBOOK = "facebook", _("Facebook")
        WEBSITE = "website", _("Website")

    officer = models.ForeignKey(
        Officer,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channels",
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channels",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=250)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(officer__isnull=False) & Q(station__isnull=True))
                | (Q(officer__isnull=True) & Q(station__isnull=False)),
                name="channel_belongs_to_officer_or_station",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self) -> None:
        """Store the value in its normal form (phone numbers) or refuse it with what to fix."""
        if not self.kind or not self.value:
            return
        try:
            self.value = normalise_channel_value(kind=self.kind, value=self.value)
        except ValidationError as error:
            raise ValidationError({"value": error.messages}) from error

    @property
    def href(self) -> str:
        """The link a resident follows: tel:, mailto:, WhatsApp's click-to-chat, or the URL itself."""
        if self.kind == self.Kind.PHONE:
            return "tel:" + self.value.replace(" ", "").replace("-", "")
        if self.kind == self.Kind.EMAIL:
            return "mailto:" + self.value
        if self.kind == self.Kind.WHATSAPP:
            digits = "".join(ch for ch in self.value if ch.isdigit())
            if digits.startswith("0"):
                digits = "31" + digits[1:]
            return "https://wa.me/" + digits
        return self.value


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def valid_on(self, day: dt.date) -> AssignmentQuerySet:
        return self.filter(valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )

    def current(self) -> AssignmentQuerySet:
        return self.valid_on(timezone.localdate())

    def overlapping(
        self,
        *,
        officer_id: int,
        buurt_id: int,
        role: str,
        valid_from: dt.date,
        valid_until: dt.date | None,
    ) -> AssignmentQuerySet:
        """Assignments of the same officer, buurt and role whose period shares a day with this one."""
        clashes = self.filter(officer_id=officer_id, buurt_id=buurt_id, role=role).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from)
        )
        if valid_until is not None:
            clashes = clashes.filter(valid_from__lte=valid_until)
        return clashes


def periods_overlap(
    first: tuple[dt.date, dt.date | None], second: tuple[dt.date, dt.date | None]
) -> bool:
    """Whether two periods (inclusive; an end of None is open) share at least one day."""
    (first_from, first_until), (second_from, second_until) = first, second
    return (second_until is None or first_from <= second_until) and (
        first_until is None or second_from <= first_until
    )


class Assignment(models.Model):
    """An officer's responsibility for a buurt over a period (both ends inclusive).

    Assignments point at the buurt row of the active dataset; activating a new dataset moves them
    to the buurt with the same code there.
    """

    class Role(models.TextChoices):
        PRIMARY = "primary", _("Wijkagent")
        DEPUTY = "deputy", _("Deputy")

    officer = models.ForeignKey(
        Officer, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="assignments"
    )
    buurt = models.ForeignKey(
        Buurt, verbose_name=_("buurt"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.PRIMARY)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["buurt__code", "role", "officer__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="assignment_ends_after_start",
                violation_error_message=_("The end date must be on or after the start date."),
            )
        ]

    # Primary keys of assignments whose submitted values are checked together with this one
    # (the rows of one admin formset), so their stored, about-to-change dates are not compared.
    checked_alongside: frozenset[int] = frozenset()

    def __str__(self) -> str:
        return f"{self.officer} - {self.buurt.code} ({self.get_role_display()})"

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError(
                {"valid_until": _("The end date must be on or after the start date.")}
            )
        if not (self.officer_id and self.buurt_id and self.role and self.valid_from):
            return
        if not Buurt.objects.filter(pk=self.buurt_id, dataset__is_active=True).exists():
            raise ValidationError({"buurt": _("Choose a buurt of the active boundary dataset.")})
        clash = (
            Assignment.objects.overlapping(
                officer_id=self.officer_id,
                buurt_id=self.buurt_id,
                role=self.role,
                valid_from=self.valid_from,
                valid_until=self.valid_until,
            )
            .exclude(pk__in={self.pk, *self.checked_alongside} - {None})
            .select_related("buurt")
            .first()
        )
        if clash is not None:
            raise ValidationError(overlap_message(clash))


def overlap_message(existing: Assignment) -> str:
    """What the editor reads when an assignment would duplicate `existing` for some days."""
    until = long_date(existing.valid_until) if existing.valid_until else str(_("open-ended"))
    return str(
        _(
            "This officer is already %(role)s of %(buurt)s from %(start)s until %(until)s. "
            "Change the dates of that assignment instead of adding one that overlaps."
        )
        % {
            "role": existing.get_role_display().lower(),
            "buurt": existing.buurt,
            "start": long_date(existing.valid_from),
            "until": until,
        }
    )


class AbsenceQuerySet(models.QuerySet["Absence"]):
    def overlapping(
        self, *, officer_id: int, starts_on: dt.date, ends_on: dt.date
    ) -> AbsenceQuerySet:
        """Absences of the officer that share at least one day with the period (both inclusive)."""
        return self.filter(officer_id=officer_id, starts_on__lte=ends_on, ends_on__gte=starts_on)

    def not_over(self, *, day: dt.date) -> AbsenceQuerySet:
        return self.filter(ends_on__gte=day)

    def with_deputy_away(self, *, day: dt.date) -> AbsenceQuerySet:
        """Annotated with `deputy_away`: whether the deputy is away himself on `day`, in the
        same query (`Absence.deputy_for_residents` reads it)."""
        return self.annotate(
            deputy_away=Exists(
                Absence.objects.filter(
                    officer_id=OuterRef("deputy_id"), starts_on__lte=day, ends_on__gte=day
                )
            )
        )


class Absence(models.Model):
    """A period an officer is away (both ends inclusive), with the colleague residents should contact."""

    officer = models.ForeignKey(
        Officer, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="absences"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    deputy = models.ForeignKey(
        Officer,
        verbose_name=_("deputy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputising",
    )

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="absence_ends_after_start",
                violation_error_message=_("The last day must be on or after the first day."),
            ),
            models.CheckConstraint(
                condition=~Q(deputy=F("officer")),
                name="absence_deputy_is_someone_else",
                violation_error_message=_("The deputy must be another officer."),
            ),
        ]

    # Primary keys of absences whose submitted values are checked together with this one (the
    # rows of one admin formset), so their stored, about-to-change dates are not compared.
    checked_alongside: frozenset[int] = frozenset()

    def __str__(self) -> str:
        return f"{self.officer}: {long_date(self.starts_on)} - {long_date(self.ends_on)}"

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day must be on or after the first day.")
        if self.deputy_id and self.deputy_id == self.officer_id:
            errors["deputy"] = _("The deputy must be another officer.")
        if errors or not (self.starts_on and self.ends_on):
            if errors:
                raise ValidationError(errors)
            return
        skip = {self.pk, *self.checked_alongside} - {None}
        if self.officer_id:
            clash = (
                Absence.objects.overlapping(
                    officer_id=self.officer_id, starts_on=self.starts_on, ends_on=self.ends_on
                )
                .exclude(pk__in=skip)
                .first()
            )
            if clash is not None:
                errors["starts_on"] = absence_overlap_message(clash)
        if errors:
            raise ValidationError(errors)

    @property
    def deputy_for_residents(self) -> Officer | None:
        """The colleague residents are sent to meanwhile: the deputy when published and not away
        himself today, else nobody (they are told to call 0900-8844). Needs the absence read
        with `with_deputy_away`: without it, whether the deputy is away is unknown."""
        deputy_away = getattr(self, "deputy_away", None)
        if deputy_away is None:
            raise AttributeError(
                "Absence.deputy_for_residents needs the absence read with "
                "Absence.objects.with_deputy_away(day=...)."
            )
        deputy = self.deputy
        if deputy is None or not deputy.is_published or deputy_away:
            return None
        return deputy


def absence_overlap_message(existing: Absence) -> str:
    """What the editor reads when an absence would overlap another absence of the same officer."""
    return str(
        _(
            "This officer is already away from %(start)s until %(end)s. Change that absence "
            "instead of adding one that overlaps it."
        )
        % {"start": long_date(existing.starts_on), "end": long_date(existing.ends_on)}
    )


def deputy_absent_message(deputy_absence: Absence) -> str:
    """What the editor reads when the chosen deputy is away himself during the absence."""
    return str(
        _(
            "%(name)s cannot be the deputy: %(name)s is away from %(start)s until %(end)s. "
            "Choose a colleague who is at work during this absence."
        )
        % {
            "name": deputy_absence.officer.name,
            "start": long_date(deputy_absence.starts_on),
            "end": long_date(deputy_absence.ends_on),
        }
    )


class Event(models.Model):
    """A spreekuur or neighbourhood meeting an officer holds or attends, one-off or weekly."""

    class Recurrence(models.TextChoices):
        ONCE = "once", _("One-off")
        WEEKLY = "weekly", _("Weekly")

    officer = models.ForeignKey(
        Officer, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="events"
    )
    title = models.CharField(_("title"), max_length=150)
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    recurrence = models.CharField(
        _("recurrence"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    repeat_until = models.DateField(_("repeat until"), null=True, blank=True)

    class Meta:
        # The public site's words, so staff and residents call them the same.
        verbose_name = _("spreekuur or meeting")
        verbose_name_plural = _("Spreekuren and meetings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_over(self, *, now: dt.datetime) -> bool:
        """Whether every session lies in the past: a one-off that has ended, or a weekly event
        whose last repetition was before today."""
        if self.recurrence == self.Recurrence.WEEKLY:
            return self.repeat_until is not None and self.repeat_until < timezone.localdate(now)
        return self.ends_at <= now

    def clean(self) -> None:
        """A one-off event has no repeat date; a weekly one may be open-ended or end on a date."""
        errors: dict[str, str | Promise] = {}
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                errors["ends_at"] = _("The end must be after the start.")
            elif (
                self.recurrence == self.Recurrence.WEEKLY
                and self.ends_at - self.starts_at > dt.timedelta(days=1)
            ):
                errors["ends_at"] = _("A weekly event lasts at most a day.")
        if self.recurrence == self.Recurrence.ONCE and self.repeat_until:
            errors["repeat_until"] = _(
                "A one-off event does not repeat: leave this empty or choose weekly."
            )
        if (
            self.recurrence == self.Recurrence.WEEKLY
            and self.repeat_until
            and self.starts_at
            and self.repeat_until < timezone.localdate(self.starts_at)
        ):
            errors["repeat_until"] = _("The last repetition must be on or after the first one.")
        if errors:
            raise ValidationError(errors)


# Residents take in a handful of priorities at most; more would bury the ones that matter.
MAX_OPEN_PRIORITIES = 5


class PriorityQuerySet(models.QuerySet["Priority"]):
    def with_last_update(self) -> PriorityQuerySet:
        """Annotated with `last_update_on`: the newest update's date, or the opening date."""
        return self.annotate(
            last_update_on=Greatest(Coalesce(Max("updates__date"), F("opened_on")), F("opened_on"))
        )

    def open(self) -> PriorityQuerySet:
        return self.filter(status=Priority.Status.OPEN)

    def for_buurt(self, buurt: Buurt) -> PriorityQuerySet:
        """The priorities of the buurt itself and of its wijk."""
        return self.filter(Q(buurt_id=buurt.pk) | Q(wijk_id=buurt.wijk_id))

    def for_buurten(self, buurten: list[Buurt]) -> PriorityQuerySet:
        return self.filter(
            Q(buurt_id__in=[b.pk for b in buurten]) | Q(wijk_id__in={b.wijk_id for b in buurten})
        )

    def shown_on(self, day: dt.date) -> PriorityQuerySet:
        """What residents see on `day`: open priorities, and closed ones for a year after."""
        return self.filter(
            Q(status=Priority.Status.OPEN)
            | Q(closed_on__gte=day - dt.timedelta(days=PRIORITY_CLOSED_SHOWN_DAYS))
        )


# A closed priority stays readable, with its outcome, this long after it was closed.
PRIORITY_CLOSED_SHOWN_DAYS = 365


class Priority(models.Model):
    """An aandachtspunt: an issue the police works on in one buurt or a whole wijk, with what is
    done about it. Dated updates show residents it is alive; closing it records the outcome."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    buurt = models.ForeignKey(
        Buurt,
        verbose_name=_("buurt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="priorities",
        help_text=_("The buurt this is about; leave empty for a priority of a whole wijk."),
    )
    wijk = models.ForeignKey(
        Wijk,
        verbose_name=_("wijk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="priorities",
        help_text=_("For a priority of every buurt in a wijk; leave empty when a buurt is chosen."),
    )
    title = models.CharField(_("title"), max_length=120)
    issue = models.TextField(
        _("what the issue is"),
        help_text=_("In plain words, without names or addresses of residents."),
    )
    action = models.TextField(_("what the police and partners do about it"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(
        _("closed on"), null=True, blank=True, help_text=_("Empty when closing: today.")
    )
    outcome = models.TextField(
        _("what was done"),
        blank=True,
        help_text=_("Required when closing: residents read it for a year after."),
    )

    objects = PriorityQuerySet.as_manager()

    # Set by `with_last_update`, declared for the type checker.
    last_update_on: dt.date

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(buurt__isnull=False) & Q(wijk__isnull=True))
                | (Q(buurt__isnull=True) & Q(wijk__isnull=False)),
                name="priority_in_buurt_or_wijk",
                violation_error_message=_("Choose either a buurt or a wijk, not both."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="priority_closed_after_opened",
                violation_error_message=_("The closing date must be on or after the opening date."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def area_name(self) -> str:
        area = self.buurt if self.buurt_id else self.wijk
        return area.name if area is not None else ""

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        if bool(self.buurt_id) == bool(self.wijk_id):
            errors["buurt"] = _("Choose either a buurt or a wijk, not both.")
        if self.status == self.Status.CLOSED:
            if not self.outcome.strip():
                errors["outcome"] = _(
                    "Say what was done before closing: residents read it for a year."
                )
            if self.closed_on is None:
                self.closed_on = timezone.localdate()
        elif self.closed_on is not None:
            errors["closed_on"] = _("An open priority has no closing date: leave it empty.")
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            errors["closed_on"] = _("The closing date must be on or after the opening date.")
        if not errors and self.status == self.Status.OPEN:
            others = Priority.objects.open().exclude(pk=self.pk)
            others = (
                others.filter(buurt_id=self.buurt_id)
                if self.buurt_id
                else others.filter(wijk=self.wijk)
            )
            if others.count() >= MAX_OPEN_PRIORITIES:
                errors["status"] = _(
                    "This %(area)s already has %(count)d open priorities, the most residents can "
                    "take in. Close one first, or add this as an update to one of them."
                ) % {
                    "area": _("buurt") if self.buurt_id else _("wijk"),
                    "count": MAX_OPEN_PRIORITIES,
                }
        if errors:
            raise ValidationError(errors)


class PriorityUpdate(models.Model):
    """A dated note on what happened with a priority since the last one."""

    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), on_delete=models.CASCADE, related_name="updates"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(
        _("update"), help_text=_("What happened, without names or addresses of residents.")
    )

    class Meta:
        verbose_name = _("update")
        verbose_name_plural = _("updates (newest first on the public pages)")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return long_date(self.date)

    def clean(self) -> None:
        opened_on = self.priority.opened_on if self.priority_id else None
        if opened_on and self.date and self.date < opened_on:
            raise ValidationError(
                {"date": _("An update cannot be dated before the priority was opened.")}
            )


class ChangeLogQuerySet(models.QuerySet["ChangeLogEntry"]):
    def for_buurt(self, code: str) -> ChangeLogQuerySet:
        return self.filter(buurten__code=code)

    def for_officer(self, officer: Officer | int) -> ChangeLogQuerySet:
        return self.filter(officers=officer)

    def since(self, last_id: int) -> ChangeLogQuerySet:
        """Entries written after the entry `last_id`, oldest first: what a reader that stopped
        at `last_id` has not seen yet."""
        return self.filter(pk__gt=last_id).order_by("pk")

    def settled(self, *, now: dt.datetime | None = None) -> ChangeLogQuerySet:
        """Entries old enough that no transaction still writing a lower id can be open.

        Ids are taken when a row is inserted, not when it is committed: a reader that advances
        past an id may otherwise skip an earlier id committed a moment later. Staff saves take
        far less than CHANGE_LOG_SETTLE, so a reader that remembers the highest settled id
        misses nothing.
        """
        now = now or timezone.now()
        return self.filter(created_at__lte=now - CHANGE_LOG_SETTLE)

    def public(self) -> ChangeLogQuerySet:
        """Entries residents may read: about a published officer, or about no officer at all."""
        return self.filter(Q(officer__isnull=True) | Q(officer__is_published=True))


CHANGE_LOG_SETTLE = dt.timedelta(minutes=2)


class ChangeLogEntry(models.Model):
    """One staff change residents may want to hear about, for the feeds and the e-mail alerts.

    It says what kind of change, about what, for which buurten and officers, and when; the words
    are made when it is read (officers/changes.py), in the reader's language. It holds no personal
    data of residents: ids, codes, dates and what staff typed as titles. Deleting a priority
    deletes its entries, so a text staff withdraw does not live on here.
    """

    class Kind(models.TextChoices):
        PRIORITY_NEW = "priority_new", _("new priority")
        PRIORITY_UPDATED = "priority_updated", _("priority updated")
        PRIORITY_CLOSED = "priority_closed", _("priority closed")
        ASSIGNMENT_NEW = "assignment_new", _("new wijkagent")
        ASSIGNMENT_CHANGED = "assignment_changed", _("assignment changed")
        ASSIGNMENT_REMOVED = "assignment_removed", _("assignment removed")
        OFFICER_PUBLISHED = "officer_published", _("wijkagent published")
        ABSENCE_NEW = "absence_new", _("absence")
        ABSENCE_CHANGED = "absence_changed", _("absence changed")
        ABSENCE_REMOVED = "absence_removed", _("absence cancelled")
        EVENT_NEW = "event_new", _("new spreekuur or meeting")
        EVENT_CHANGED = "event_changed", _("spreekuur or meeting changed")
        EVENT_REMOVED = "event_removed", _("spreekuur or meeting cancelled")

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    payload = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    officer = models.ForeignKey(
        Officer,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The officer the change is about (none for a priority)."),
    )
    priority = models.ForeignKey(
        Priority,
        verbose_name=_("priority"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="changes",
    )
    officers = models.ManyToManyField(
        Officer, verbose_name=_("officers concerned"), blank=True, related_name="changes"
    )

    objects = ChangeLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.pk} {self.get_kind_display()}"


class ChangeLogBuurt(models.Model):
    """A buurt a change log entry concerns, by CBS code: codes outlive boundary datasets."""

    entry = models.ForeignKey(
        ChangeLogEntry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="buurten"
    )
    code = models.CharField(_("buurt code"), max_length=10)

    class Meta:
        verbose_name = _("buurt of a change")
        verbose_name_plural = _("buurten of a change")
        constraints = [
            models.UniqueConstraint(fields=["code", "entry"], name="unique_change_log_buurt")
        ]

    def __str__(self) -> str:
        return self.code


class DepartedOfficer(models.Model):
    """The profile address of an officer who was deleted, with the buurten they covered.

    Residents keep old links and printed cards: the address answers 410 Gone with the current
    wijkagenten of those buurten instead of a bare 404, and no new officer is given the slug.
    Nothing else of the person is kept.
    """

    # Written when the officer is deleted (officers.departures), never edited.
    slug = models.SlugField(_("slug"), max_length=160, unique=True, editable=False)
    buurt_codes = models.JSONField(_("buurt codes"), default=list, editable=False)
    departed_on = models.DateField(_("departed on"), default=timezone.localdate, editable=False)

    class Meta:
        verbose_name = _("departed officer")
        verbose_name_plural = _("departed officers")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class ContactChange(models.Model):
    """A change an editor made to a phone number, e-mail address or link residents may use.

    A stolen editor password could put a fake number on a police page, so every such change by a
    non-superuser is kept with the values before and after, listed on the coverage page until
    someone else reviews it, and can be undone there (officers/contact_review.py).
    Nothing edits a record: every field is set by the functions of officers/contact_review.py.
    """

    class What(models.TextChoices):
        ADDED = "added", _("added")
        CHANGED = "changed", _("changed")
        REMOVED = "removed", _("removed")
        STATION_PHONE = "station_phone", _("station phone changed")

    officer = models.ForeignKey(
        Officer,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        editable=False,
        related_name="contact_changes",
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        editable=False,
        related_name="contact_changes",
    )
    # The channel as it is now; gone when it was removed (and not yet restored).
    channel = models.ForeignKey(
        ContactChannel,
        verbose_name=_("contact channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="changes",
    )
    what = models.CharField(_("what"), max_length=20, choices=What.choices, editable=False)
    old_kind = models.CharField(_("kind before"), max_length=20, blank=True, editable=False)
    old_value = models.CharField(_("value before"), max_length=250, blank=True, editable=False)
    old_is_public = models.BooleanField(_("public before"), null=True, editable=False)
    new_kind = models.CharField(_("kind after"), max_length=20, blank=True, editable=False)
    new_value = models.CharField(_("value after"), max_length=250, blank=True, editable=False)
    new_is_public = models.BooleanField(_("public after"), null=True, editable=False)
    # The position of a removed channel, to put it back where it was.
    order = models.PositiveSmallIntegerField(_("order"), default=0, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reverted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("contact change")
        verbose_name_plural = _("contact changes")
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(officer__isnull=False) & Q(station__isnull=True))
                | (Q(officer__isnull=True) & Q(station__isnull=False)),
                name="contact_change_of_officer_or_station",
            )
        ]
        indexes = [
            # The coverage page lists the open ones: neither reviewed nor reverted.
            models.Index(
                fields=["changed_at"],
                condition=Q(reviewed_at__isnull=True, reverted_at__isnull=True),
                name="contact_change_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_what_display()}: {self.old_value} -> {self.new_value}"

    @property
    def is_open(self) -> bool:
        return self.reviewed_at is None and self.reverted_at is None

    @property
    def kind_label(self) -> str:
        kind = self.new_kind or self.old_kind
        if self.what == self.What.STATION_PHONE:
            return str(_("station phone"))
        return str(ContactChannel.Kind(kind).label) if kind in ContactChannel.Kind.values else kind
