"""Geography: municipalities, versioned wijken and buurten with their boundaries, and the address register."""

from __future__ import annotations

from typing import Any

import shapely
from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from shapely.geometry.base import BaseGeometry


def without_boundaries(via: str = "") -> tuple[str, str]:
    """Field paths to `defer()` so a buurt (reached through `via`, e.g. "buurt__") and its wijk come
    without their boundaries: full-resolution CBS polygons run to tens of kilobytes each, and only
    the pages that draw a map need them."""
    return (f"{via}boundary", f"{via}wijk__boundary")


class AsciiCodeField(models.CharField):
    """A CharField for codes of upper-case ASCII letters and digits (a postcode, a house letter or
    addition), compared byte by byte on PostgreSQL (`COLLATE "C"`).

    Such codes sort the same in every collation, but the database's default one (a language's, or
    C.UTF-8) costs more per comparison, and PostgreSQL only sorts text with abbreviated keys in
    "C", which makes the address register's unique index quicker to build. SQLite compares bytes
    already.
    """

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


class DatasetQuerySet(models.QuerySet["Dataset"]):
    def active(self) -> Dataset | None:
        return self.filter(is_active=True).first()


class Dataset(models.Model):
    """One imported version of the boundaries (CBS publishes a new one every year).

    Only the active dataset answers lookups; a new one can be staged beside it and activated later.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        verbose_name = _("boundary dataset")
        verbose_name_plural = _("boundary datasets")
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="one_active_dataset",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A gemeente. Its code (GM0917) is stable across boundary datasets."""

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EditorScope(models.Model):
    """A municipality a staff account edits in: its buurten, and the officers, stations and events
    there. An editor with no scope sees none of them; the permission `every_municipality` (held by
    every superuser) reaches the whole country."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="editor_scopes",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="editor_scopes",
    )

    class Meta:
        verbose_name = _("editor's municipality")
        verbose_name_plural = _("editors' municipalities")
        ordering = ["user", "municipality"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="one_scope_per_user_and_municipality"
            )
        ]
        permissions = [("every_municipality", _("May edit in every municipality"))]

    def __str__(self) -> str:
        return f"{self.user}: {self.municipality}"


class Area(models.Model):
    """What wijken and buurten share: a code and name within one dataset, a boundary and its box.

    The boundary is WKB in WGS84 (lon/lat) so the same schema runs on SQLite and PostgreSQL; the
    bounding-box columns let the database narrow candidates before shapely does the exact test.
    """

    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=150)
    boundary = models.BinaryField(_("boundary (WKB, WGS84)"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    label_lon = models.FloatField(_("label longitude"), null=True, blank=True)
    label_lat = models.FloatField(_("label latitude"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def geometry(self) -> BaseGeometry | None:
        return shapely.from_wkb(bytes(self.boundary)) if self.boundary else None


class Wijk(Area):
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="wijken",
    )

    class Meta(Area.Meta):
        verbose_name = _("wijk")
        verbose_name_plural = _("wijken")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "code"], name="unique_wijk_code_per_dataset")
        ]


class BuurtQuerySet(models.QuerySet["Buurt"]):
    def active(self) -> BuurtQuerySet:
        # By the active dataset's id rather than a join, so the (dataset, code) index can serve
        # a national list in code order without walking the other datasets' buurten too.
        active = Dataset.objects.filter(is_active=True).values("pk")[:1]
        return self.filter(dataset_id=models.Subquery(active))


class Buurt(Area):
    wijk = models.ForeignKey(
        Wijk, verbose_name=_("wijk"), on_delete=models.PROTECT, related_name="buurten"
    )
    # CBS publishes areas that are (almost) only water as buurten of their own, marked as such.
    is_water = models.BooleanField(_("water"), default=False)

    objects = BuurtQuerySet.as_manager()

    class Meta(Area.Meta):
        verbose_name = _("buurt")
        verbose_name_plural = _("buurten")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "code"], name="unique_buurt_code_per_dataset"
            )
        ]
        indexes = [
            models.Index(fields=["code"], name="buurt_code_idx"),
            models.Index(fields=["min_lon", "min_lat"], name="buurt_bbox_min_idx"),
            models.Index(fields=["max_lon", "max_lat"], name="buurt_bbox_max_idx"),
        ]

    @property
    def municipality(self) -> Municipality:
        return self.wijk.municipality


class Address(models.Model):
    """One BAG address (verblijfsobject) with its location and, once assigned, its buurt.

    House letter and addition are stored upper-case and empty rather than NULL, so the unique key
    (postcode, huisnummer, huisletter, huisnummertoevoeging) matches case-insensitively and a
    plain B-tree answers every lookup.
    """

    postcode = AsciiCodeField(_("postcode"), max_length=6)
    huisnummer = models.PositiveIntegerField(_("house number"))
    huisletter = AsciiCodeField(_("house letter"), max_length=1, blank=True, default="")
    huisnummertoevoeging = AsciiCodeField(
        _("house number addition"), max_length=4, blank=True, default=""
    )
    straat = models.CharField(_("street"), max_length=100)
    woonplaats = models.CharField(_("place"), max_length=80)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    buurt = models.ForeignKey(
        Buurt,
        verbose_name=_("buurt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="addresses",
        # No foreign key in the database: its per-row check doubled the cost of writing addresses
        # (imports, activation). Only the importer and activation write buurt_id, always an id of
        # an existing buurt, and Django still applies SET_NULL when a buurt is deleted.
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["postcode", "huisnummer", "huisletter", "huisnummertoevoeging"],
                name="unique_bag_address",
            )
        ]
        indexes = [models.Index(fields=["woonplaats", "straat"], name="address_street_idx")]

    def __str__(self) -> str:
        return f"{self.straat} {self.house_number_display}, {self.postcode} {self.woonplaats}"

    @property
    def house_number_display(self) -> str:
        number = f"{self.huisnummer}{self.huisletter}"
        if self.huisnummertoevoeging:
            number += f"-{self.huisnummertoevoeging}"
        return number


class Postcode(models.Model):
    """One six-character postcode with its centroid, from the postcode register (GeoNames or CBS).

    It answers a postcode the address register does not hold. `buurt` is the buurt of the active
    dataset covering the centroid (none outside the covered area, or outside the municipality the
    source names); `near_buurt` is another buurt within a few tens of metres of the centroid, so
    the search can offer both when the centroid alone cannot decide. Both are set by
    `neighbourhoods.importing.postcodes.assign_postcodes_to_buurten`, at import and on activation.
    Only imports write the register, so no field is editable in a form.
    """

    postcode = AsciiCodeField(_("postcode"), max_length=6, unique=True, editable=False)
    woonplaats = models.CharField(_("place"), max_length=80, blank=True, editable=False)
    gemeente_code = models.CharField(
        _("municipality code"), max_length=6, blank=True, editable=False
    )
    gemeente_name = models.CharField(_("municipality"), max_length=100, blank=True, editable=False)
    lat = models.FloatField(_("latitude"), editable=False)
    lon = models.FloatField(_("longitude"), editable=False)
    buurt = models.ForeignKey(
        Buurt,
        verbose_name=_("buurt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="postcodes",
        editable=False,
    )
    near_buurt = models.ForeignKey(
        Buurt,
        verbose_name=_("nearby buurt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nearby_postcodes",
        editable=False,
    )

    class Meta:
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        ordering = ["postcode"]

    def __str__(self) -> str:
        return f"{self.postcode[:4]} {self.postcode[4:]} {self.woonplaats}".strip()
