"""System checks for the settings Wijkportaal needs, run by `manage.py check` and at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

# Backends every process of the site reads alike, so a staff save reaches them all.
SHARED_CACHE_BACKENDS = frozenset(
    {
        "django.core.cache.backends.redis.RedisCache",
        "wijkportaal.cache.ReusingRedisCache",
        "django.core.cache.backends.memcached.PyMemcacheCache",
        "django.core.cache.backends.memcached.PyLibMCCache",
        "django.core.cache.backends.db.DatabaseCache",
    }
)
PER_PROCESS_CACHE_BACKENDS = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    }
)
DEVELOPMENT_KEY_PREFIXES = ("insecure-", "django-insecure")


@register(Tags.security)
def check_allowed_hosts(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [
            Error(
                "ALLOWED_HOSTS is empty while DEBUG is off, so every request is refused.",
                hint="Set ALLOWED_HOSTS to the site's host names, e.g. wijkagent.example.nl.",
                id="wijkportaal.E001",
            )
        ]
    return []


@register(Tags.security)
def check_secret_key(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    key = settings.SECRET_KEY
    if settings.DEBUG:
        return []
    if key.startswith(DEVELOPMENT_KEY_PREFIXES) or len(key) < 50 or len(set(key)) < 5:
        return [
            Warning(
                "SECRET_KEY is short, repetitive or a development key: sessions and password "
                "reset links can be forged.",
                hint=(
                    "Set SECRET_KEY to a long random string: "
                    'python -c "import secrets; print(secrets.token_urlsafe(50))"'
                ),
                id="wijkportaal.W002",
            )
        ]
    return []


@register(Tags.caches)
def check_page_cache(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    if settings.PAGE_CACHE_SECONDS < 0:
        return [
            Error(
                "PAGE_CACHE_SECONDS is negative.",
                hint="Use 0 to switch the page cache off.",
                id="wijkportaal.E003",
            )
        ]
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if settings.PAGE_CACHE_SECONDS > 0 and backend not in SHARED_CACHE_BACKENDS:
        return [
            Error(
                "The page cache is on, but the default cache is not shared by every process: "
                "a staff save in one worker would leave stale pages in the others.",
                hint="Set REDIS_URL, or PAGE_CACHE_SECONDS=0.",
                id="wijkportaal.E004",
            )
        ]
    return []


@register(Tags.caches)
def check_counters(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    counters = settings.CACHES.get("counters")
    if counters is None:
        return [
            Error(
                'CACHES has no "counters" alias for rate-limit and login-failure counts.',
                id="wijkportaal.E005",
            )
        ]
    if not settings.DEBUG and counters.get("BACKEND") in PER_PROCESS_CACHE_BACKENDS:
        return [
            Warning(
                "Rate-limit and login-failure counts are kept per process: each gunicorn worker "
                "allows the full limit.",
                hint="Use Redis (COUNTERS_REDIS_URL) or the file-based default.",
                id="wijkportaal.W006",
            )
        ]
    return []


def _redis_server(location: Any) -> tuple[str | None, int | None] | None:
    if not isinstance(location, str) or not location.startswith(("redis://", "rediss://")):
        return None
    parts = urlsplit(location)
    return parts.hostname, parts.port or 6379


@register(Tags.caches, deploy=True)
def check_counters_apart(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    pages = settings.CACHES.get("default", {})
    counters = settings.CACHES.get("counters", {})
    server = _redis_server(counters.get("LOCATION"))
    if server is not None and server == _redis_server(pages.get("LOCATION")):
        return [
            Warning(
                "The counters share the page cache's Redis server: if it evicts keys under "
                "memory pressure, a flood of cached pages can push login-failure and rate-limit "
                "counts out.",
                hint=(
                    "Point COUNTERS_REDIS_URL at a Redis with maxmemory-policy noeviction, or run "
                    "this one with noeviction."
                ),
                id="wijkportaal.W007",
            )
        ]
    return []
