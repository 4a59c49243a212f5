"""System checks of the settings this app relies on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Printed buurt cards carry the site's address in a QR code that outlives the request."""
    if settings.SITE_URL:
        return []
    return [
        Warning(
            "SITE_URL is not set: the QR code of a printed buurt card holds the host name of the "
            "request that printed it, which may not be the public one.",
            hint="Set SITE_URL to the public address, e.g. https://wijkagent.example.nl",
            id="guidance.W001",
        )
    ]
