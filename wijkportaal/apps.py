"""The project package as an app, so its system checks and templates are found."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WijkportaalConfig(AppConfig):
    name = "wijkportaal"
    verbose_name = _("Wijkportaal")

    def ready(self) -> None:
        from . import auth, cache, checks

        # Importing auth connects its login signal receivers, checks registers the system checks.
        del auth, checks
        cache.connect_invalidation()
