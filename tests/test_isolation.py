"""What one test changes, the next does not see: the language a request activated."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def test_a_request_in_english_leaves_english_active_in_the_thread(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.get("/hulp/")
    assert translation.get_language() == "en"


def test_the_next_test_starts_in_the_default_language():
    assert translation.get_language() == settings.LANGUAGE_CODE
