from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = _("Help and reports")

    def ready(self) -> None:
        # Importing registers the system checks.
        from . import checks

        del checks
