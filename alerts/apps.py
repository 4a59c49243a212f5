"""App config for the e-mail alerts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("E-mail alerts")

    def ready(self) -> None:
        # Importing registers the system checks.
        from . import checks

        del checks
