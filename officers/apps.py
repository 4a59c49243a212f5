"""App config for the people app."""

from django.apps import AppConfig
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


class OfficersConfig(AppConfig):
    name = "officers"
    verbose_name = _("Officers")

    def ready(self) -> None:
        from . import invalidation
        from .departures import record_departure_on_delete
        from .models import Officer

        invalidation.register()

        pre_delete.connect(
            record_departure_on_delete, sender=Officer, dispatch_uid="officers.record_departure"
        )
