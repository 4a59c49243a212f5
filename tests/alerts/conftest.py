"""The alerts' tests send real e-mail: an aiosmtpd server on loopback, started for each test that
asks for it, receives what Django's SMTP backend submits and can refuse or delay it.

Also shared here: a buurt with its wijkagent, posting a form as a browser on this site does, and
reading the links out of a received message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import logging
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from officers.models import CHANGE_LOG_SETTLE, ChangeLogEntry
from tests import factories

# The SMTP ports these tests may use, on 127.0.0.1 only.
SMTP_PORTS = range(2525, 2541)
SITE = "http://testserver"
# aiosmtpd logs every SMTP command at INFO; the tests assert on what arrived instead.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass
class MailServer:
    """What the test SMTP server received, and how it should answer."""

    port: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    # Recipients refused at RCPT TO with this answer (a 5xx is permanent, a 4xx temporary).
    refuse: dict[str, str] = field(default_factory=dict)
    # Seconds each message waits before it is accepted: makes two runs overlap.
    delay: float = 0.0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.received if message["To"] == address]


def _free_port() -> int:
    for port in SMTP_PORTS:
        with socket.socket() as probe:
            # As the server binds: a port whose last connections linger in TIME_WAIT is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("No free SMTP test port in 2525-2540")


@pytest.fixture
def smtp_server(settings) -> Iterator[MailServer]:
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    server = MailServer()
    controller = Controller(server, hostname="127.0.0.1", port=_free_port(), server_hostname="mx")
    controller.start()
    server.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Wijkportaal <wijkportaal@example.nl>"
    settings.SITE_URL = SITE
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def anna(buurten):
    """The wijkagent of the buurt West (BU00010001)."""
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    factories.assign(officer, buurten["west"])
    return officer


def same_site_post(client: Client, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """Post a form as a browser does from a page of this site (the Sec-Fetch-Site header)."""
    return client.post(url, data, headers={"Sec-Fetch-Site": "same-origin"}, **kwargs)


ALL_TOPICS = ["wants_wijkagent", "wants_absences", "wants_meetings", "wants_priorities"]


def subscribe(client: Client, code: str, address: str, *, topics: list[str] | None = None) -> Any:
    return same_site_post(
        client,
        reverse("alerts:buurt", kwargs={"code": code}),
        {"email": address, "buurt": code, "topics": topics or ALL_TOPICS},
    )


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def link(message: EmailMessage, path: str) -> str:
    """The path and query of the first link in the message's text that starts with `path`."""
    for url in re.findall(r"https?://\S+", body(message)):
        parts = urlsplit(url)
        if parts.path == path:
            return f"{parts.path}?{parts.query}" if parts.query else parts.path
    raise AssertionError(f"No link to {path} in:\n{body(message)}")


def settle() -> None:
    """Age the change log past CHANGE_LOG_SETTLE, as the next hourly run would find it."""
    ChangeLogEntry.objects.update(
        created_at=timezone.now() - CHANGE_LOG_SETTLE - dt.timedelta(seconds=1)
    )
