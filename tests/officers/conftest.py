"""Fixtures the officers tests share: English messages and a logged-in editor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from tests.officers.admin_support import log_in_verified, make_editor


@pytest.fixture
def english_messages(settings) -> Iterator[None]:
    """Messages are asserted by their English ids, whatever Dutch translations get compiled."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def editor_client(client: Client, db: None) -> Client:
    """The test client signed in as an editor (password and second factor), who is `client.user`."""
    editor = make_editor()
    log_in_verified(client, editor)
    client.user = editor
    return client
