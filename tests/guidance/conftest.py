"""The national help entries come from data migrations; a test that empties the database
(transactional tests flush it) takes them away, so tests that read them put them back."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

_seed = importlib.import_module("guidance.migrations.0002_national_help_entries")
_reword = importlib.import_module("guidance.migrations.0003_national_help_entries_say_je")


def ensure_national_entries() -> None:
    """The migrations' own functions on the live registry, when the entries are gone: 0002 keys
    its entries on the names 0003 changes, so run again over 0003's names it would add twins."""
    if apps.get_model("guidance", "HelpEntry").objects.filter(municipality=None).exists():
        return
    _seed.add_national_entries(apps, None)
    _reword.say_je(apps, None)


@pytest.fixture
def national_entries(db) -> None:
    ensure_national_entries()
