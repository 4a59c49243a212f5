"""Shared public data (a buurt, its officers): cached until a staff save retires what it names."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from wijkportaal.cache import (
    VERSION_KEY,
    generation_key,
    invalidate_public_pages,
    public_data,
    retire,
)


@pytest.fixture(autouse=True)
def shared_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


class Builder:
    """Counts how often the data had to be built, and builds a fresh list each time."""

    def __init__(self, value: str = "built") -> None:
        self.calls = 0
        self.value = value

    def __call__(self) -> list[str]:
        self.calls += 1
        return [self.value]


def test_built_once_per_generation():
    build = Builder()
    assert public_data("thing:1", build) == ["built"]
    assert public_data("thing:1", build) == ["built"]
    assert build.calls == 1
    invalidate_public_pages()
    assert public_data("thing:1", build) == ["built"]
    assert build.calls == 2


def test_a_generation_moved_by_another_process_is_seen_at_once():
    build = Builder()
    public_data("thing:1", build, subjects=["buurt:BU00010001"])
    # What a staff save in another worker does: no local signal here, only the shared cache.
    cache.set(VERSION_KEY, 1, timeout=None)
    public_data("thing:1", build, subjects=["buurt:BU00010001"])
    cache.set(generation_key("buurt:BU00010001"), 2, timeout=None)
    public_data("thing:1", build, subjects=["buurt:BU00010001"])
    assert build.calls == 3


def test_only_a_save_of_what_it_names_retires_it():
    build = Builder()
    public_data("thing:1", build, subjects=["buurt:BU00010001"])
    retire(["buurt:BU00010002", "officer:someone-else"])
    public_data("thing:1", build, subjects=["buurt:BU00010001"])
    assert build.calls == 1
    retire(["buurt:BU00010001"])
    public_data("thing:1", build, subjects=["buurt:BU00010001"])
    assert build.calls == 2


def test_a_lost_generation_never_serves_what_was_stored_under_it():
    """An evicting or emptied cache may drop a generation but keep an entry built under it."""
    build = Builder()
    public_data("thing:1", build, subjects=["buurt:BU00010001"])
    cache.delete(generation_key("buurt:BU00010001"))
    public_data("thing:1", build, subjects=["buurt:BU00010001"])
    assert build.calls == 2
    public_data("thing:1", build, subjects=["buurt:BU00010001"])
    assert build.calls == 2


def test_every_caller_gets_its_own_copy():
    public_data("thing:1", Builder())
    first = public_data("thing:1", Builder())
    first.append("changed by one caller")
    assert public_data("thing:1", Builder()) == ["built"]


def test_off_without_a_shared_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0
    build = Builder()
    public_data("thing:1", build)
    public_data("thing:1", build)
    assert build.calls == 2


def test_an_entry_lives_no_longer_than_the_page_cache_lifetime(settings):
    settings.PAGE_CACHE_SECONDS = 1
    build = Builder()
    public_data("thing:1", build)
    public_data("thing:1", build)
    assert build.calls == 1
    time.sleep(1.2)
    public_data("thing:1", build)
    assert build.calls == 2


def test_a_staff_save_during_a_request_shows_in_that_request():
    build = Builder()
    public_data("thing:1", build)
    invalidate_public_pages()
    public_data("thing:1", build)
    assert build.calls == 2


def test_what_was_read_before_the_commit_is_retired_after_it(
    officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        officer.name = "Anna de Vries"
        officer.save()
        # Another request, between the save and its commit, still reads the old name.
        public_data("officer-name", Builder("Anna Voorbeeld"), subjects=["officer:anna-voorbeeld"])
    fresh = public_data(
        "officer-name", Builder("Anna de Vries"), subjects=["officer:anna-voorbeeld"]
    )
    assert fresh == ["Anna de Vries"]


def test_a_cache_that_is_down_costs_speed_not_the_answer(settings):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    build = Builder()
    with override_settings(CACHES={**settings.CACHES, **unreachable}):
        assert public_data("thing:1", build) == ["built"]
        assert public_data("thing:1", build) == ["built"]
    assert build.calls == 2
