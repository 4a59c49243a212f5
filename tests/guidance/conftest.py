"""The national help entries come from a data migration; a test that empties the database
(transactional tests flush it) takes them away, so tests that read them put them back."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

_seed = importlib.import_module("guidance.migrations.0002_national_help_entries")


def ensure_national_entries() -> None:
    """The migration's own function on the live registry: idempotent, like the migration."""
    _seed.add_national_entries(apps, None)


@pytest.fixture
def national_entries(db) -> None:
    ensure_national_entries()
