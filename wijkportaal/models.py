"""The one table the project package keeps: counters for rate limits and sign-in throttles."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """A named count that starts again from one when its window is over.

    Kept in the database by default because nothing there evicts a row under memory pressure and
    one `INSERT ... ON CONFLICT ... RETURNING` counts atomically across every process
    (wijkportaal/counters.py). Names are digests: no readable address or account name.
    """

    name = models.CharField(_("name"), max_length=200, primary_key=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    # Seconds since the epoch: the raw upsert compares it without any date conversion.
    expires = models.FloatField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return self.name
