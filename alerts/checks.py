"""System checks of the e-mail settings the alerts rely on (`manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register("email", deploy=True)
def mail_is_sent(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Without EMAIL_URL confirmations and digests are printed on the console, not sent."""
    found: list[CheckMessage] = []
    if not settings.EMAIL_URL:
        found.append(
            Warning(
                "EMAIL_URL is not set: the e-mail alerts' messages are printed on the console "
                "instead of sent, so no resident can confirm a subscription.",
                hint="Set EMAIL_URL to the SMTP server, e.g. smtp+tls://user:password@mail.example.nl:587",
                id="alerts.W001",
            )
        )
    if settings.DEFAULT_FROM_EMAIL.rstrip(">").endswith("@localhost"):
        found.append(
            Warning(
                "DEFAULT_FROM_EMAIL is an address at localhost: mail servers refuse or bin "
                "messages from it.",
                hint="Set DEFAULT_FROM_EMAIL, e.g. Wijkportaal <noreply@wijkagent.example.nl>",
                id="alerts.W002",
            )
        )
    return found
