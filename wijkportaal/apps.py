"""The project package as an app, so its system checks and templates are found."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WijkportaalConfig(AppConfig):
    name = "wijkportaal"
    verbose_name = _("Wijkportaal")

    def ready(self) -> None:
        from . import auth, cache, checks, replicas

        # Importing auth connects its login signal receivers, checks registers the system checks.
        del auth, checks
        # Before the page cache: after a commit, the primary's position is recorded first.
        replicas.connect_position_recording()
        cache.connect_invalidation()
