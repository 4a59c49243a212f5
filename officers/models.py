"""People and places residents reach: officers, their contact channels, areas, absences, stations, events."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Buurt


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

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["name"]
        indexes = [models.Index(fields=["lat", "lon"], name="station_location_idx")]

    def __str__(self) -> str:
        return self.name


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
                condition=Q(closes__gt=F("opens")), name="opening_hours_close_after_open"
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
        return f"{self.date:%Y-%m-%d} {self.reason}".strip()


class OfficerQuerySet(models.QuerySet["Officer"]):
    def published(self) -> OfficerQuerySet:
        return self.filter(is_published=True)


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
    photo = models.ImageField(_("photo"), upload_to="officers/", blank=True)
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
    is_published = models.BooleanField(_("published"), default=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    is_fictional = models.BooleanField(
        _("fictional (demo)"),
        default=False,
        help_text=_("Demo data: the person does not exist. Shown as such to residents."),
    )

    objects = OfficerQuerySet.as_manager()

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("officers:profile", kwargs={"slug": self.slug})

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
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} - {self.buurt.code} ({self.get_role_display()})"


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

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="absence_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(deputy=F("officer")), name="absence_deputy_is_someone_else"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer}: {self.starts_on} - {self.ends_on}"


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
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title
