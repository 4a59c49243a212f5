"""Help entries (which channel for which problem, nationally and per municipality) and residents'
reports that an answer of the portal looks wrong."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Municipality

# A handled report is kept this long, then `manage.py delete_handled_reports` deletes it.
REPORT_RETENTION = dt.timedelta(days=90)


class HelpEntryQuerySet(models.QuerySet["HelpEntry"]):
    def for_municipality(self, municipality: Municipality | None) -> HelpEntryQuerySet:
        """The national entries, plus the municipality's own when one is given."""
        if municipality is None:
            return self.filter(municipality__isnull=True)
        return self.filter(Q(municipality__isnull=True) | Q(municipality=municipality))


class HelpEntry(models.Model):
    """One channel for one kind of problem. National entries have no municipality; a municipality's
    own entries (its phone number, its antidiscriminatievoorziening) are shown beside them."""

    class Topic(models.TextChoices):
        # In the order residents read them: danger first.
        EMERGENCY = "emergency", _("Emergency")
        CRIME = "crime", _("Reporting a crime")
        ANONYMOUS = "anonymous", _("Telling something anonymously")
        NUISANCE = "nuisance", _("Nuisance and neighbour disputes")
        DOMESTIC_VIOLENCE = "domestic-violence", _("Domestic violence and child abuse")
        DISCRIMINATION = "discrimination", _("Discrimination")
        MUNICIPALITY = "municipality", _("Things for the municipality")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="help_entries",
        help_text=_("Empty for a national entry, shown everywhere."),
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    order = models.PositiveSmallIntegerField(_("order within the topic"), default=0)
    channel_nl = models.CharField(_("channel (Dutch)"), max_length=120)
    channel_en = models.CharField(_("channel (English)"), max_length=120)
    advice_nl = models.TextField(_("when and how (Dutch)"), max_length=600)
    advice_en = models.TextField(_("when and how (English)"), max_length=600)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    quick_exit = models.BooleanField(
        _("show a quick exit"),
        default=False,
        help_text=_("A button that leaves this site at once, for residents who may be watched."),
    )

    objects = HelpEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("help entry")
        verbose_name_plural = _("help entries")
        ordering = ["topic", "municipality", "order", "pk"]

    def __str__(self) -> str:
        where = self.municipality.name if self.municipality else _("national")
        return f"{self.get_topic_display()}: {self.channel_nl} ({where})"

    @property
    def phone_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")

    def channel(self, language: str) -> str:
        return self.channel_en if language.startswith("en") and self.channel_en else self.channel_nl

    def advice(self, language: str) -> str:
        return self.advice_en if language.startswith("en") and self.advice_en else self.advice_nl


class AnswerReportQuerySet(models.QuerySet["AnswerReport"]):
    def due_for_deletion(self, *, now: dt.datetime) -> AnswerReportQuerySet:
        """Reports handled at least REPORT_RETENTION before `now`."""
        return self.filter(handled_at__isnull=False, handled_at__lte=now - REPORT_RETENTION)


class AnswerReport(models.Model):
    """A resident's note that an answer looks wrong. The address is stored only with consent."""

    created_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)
    buurt_code = models.CharField(_("buurt shown"), max_length=10, blank=True)
    officer_slug = models.CharField(_("officer shown"), max_length=120, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("address typed"), max_length=200, blank=True)
    address_consent = models.BooleanField(_("consent to store the address"), default=False)
    correction = models.TextField(_("what the resident thinks is right"), max_length=1000)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AnswerReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("wrong-answer report")
        verbose_name_plural = _("wrong-answer reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(address="") | Q(address_consent=True),
                name="answer_report_address_needs_consent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.buurt_code or '-'} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def deletion_due(self) -> dt.datetime | None:
        return self.handled_at + REPORT_RETENTION if self.handled_at else None
