"""System checks: the settings mistakes `manage.py check` reports before the site serves anyone."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.redis_db import TEST_REDIS_URL
from wijkportaal import checks

LOCAL_MEMORY = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def redis(url: str) -> dict[str, str]:
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_debug_off_with_no_allowed_hosts_is_an_error(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = []
    assert ids(checks.check_allowed_hosts(None)) == ["wijkportaal.E001"]
    settings.ALLOWED_HOSTS = ["wijkagent.example.nl"]
    assert checks.check_allowed_hosts(None) == []
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = []
    assert checks.check_allowed_hosts(None) == []


@pytest.mark.parametrize(
    "key", ["short", "x" * 60, "django-insecure-" + "a1b2c3d4e5" * 5, "insecure-development-key"]
)
def test_a_weak_secret_key_is_reported(settings, key):
    settings.DEBUG = False
    settings.SECRET_KEY = key
    assert ids(checks.check_secret_key(None)) == ["wijkportaal.W002"]


def test_a_long_random_secret_key_passes(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "Zq3-v8Lr_0pXw2Nc7Hs5Kt1Jm9Bd4Gf6Ye0Ua8Ri3Oe5Tl7Wn2Qz"
    assert checks.check_secret_key(None) == []


def test_the_page_cache_on_a_per_process_cache_is_an_error(settings):
    settings.CACHES = {
        "default": LOCAL_MEMORY,
    }
    settings.PAGE_CACHE_SECONDS = 300
    assert ids(checks.check_page_cache(None)) == ["wijkportaal.E004"]
    settings.PAGE_CACHE_SECONDS = 0
    assert checks.check_page_cache(None) == []


def test_the_page_cache_on_redis_passes(settings):
    settings.PAGE_CACHE_SECONDS = 300
    # Not with the settings fixture: its undoing comes after the cache is cleared.
    with override_settings(
        CACHES={
            "default": redis("redis://cache:6379/0"),
        }
    ):
        assert checks.check_page_cache(None) == []


def test_a_negative_page_cache_lifetime_is_an_error(settings):
    settings.PAGE_CACHE_SECONDS = -1
    assert ids(checks.check_page_cache(None)) == ["wijkportaal.E003"]


def test_counters_on_the_page_cache_redis_server_are_reported(settings):
    settings.REDIS_URL = "redis://cache:6379/0"
    # Another database number, the same server and so the same eviction policy.
    settings.COUNTERS_REDIS_URL = "redis://cache:6379/1"
    assert ids(checks.check_counters_apart(None)) == ["wijkportaal.W007"]
    settings.COUNTERS_REDIS_URL = "redis://counters:6379/0"
    assert checks.check_counters_apart(None) == []
    settings.COUNTERS_REDIS_URL = ""
    assert checks.check_counters_apart(None) == []


def test_a_counters_redis_that_may_evict_is_reported(settings, monkeypatch):
    settings.COUNTERS_REDIS_URL = "redis://counters:6379/0"
    monkeypatch.setattr(checks, "redis_eviction_policy", lambda url: "allkeys-lru")
    assert ids(checks.check_counters_not_evicted(None)) == ["wijkportaal.W008"]
    monkeypatch.setattr(checks, "redis_eviction_policy", lambda url: "noeviction")
    assert checks.check_counters_not_evicted(None) == []
    monkeypatch.setattr(checks, "redis_eviction_policy", lambda url: None)
    assert ids(checks.check_counters_not_evicted(None)) == ["wijkportaal.W009"]


def test_the_eviction_policy_is_read_from_a_real_redis():
    # Read-only: CONFIG GET on the shared server, never CONFIG SET.
    assert checks.redis_eviction_policy(TEST_REDIS_URL) is not None
    assert checks.redis_eviction_policy("redis://127.0.0.1:1/0") is None


def test_the_checks_are_registered(settings):
    from django.core import checks as django_checks

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = []
    found = django_checks.run_checks(include_deployment_checks=True)
    assert "wijkportaal.E001" in ids(found)


def test_the_settings_of_the_tests_pass_the_cache_checks():
    from django.core import checks as django_checks

    errors = django_checks.run_checks(tags=[django_checks.Tags.caches])
    assert [message for message in errors if message.is_serious()] == []
