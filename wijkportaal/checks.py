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


def _redis_server(location: Any) -> tuple[str | None, int | None] | None:
    if not isinstance(location, str) or not location.startswith(("redis://", "rediss://")):
        return None
    parts = urlsplit(location)
    return parts.hostname, parts.port or 6379


@register(Tags.caches, deploy=True)
def check_counters_apart(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    server = _redis_server(settings.COUNTERS_REDIS_URL)
    if server is not None and server == _redis_server(settings.REDIS_URL):
        return [
            Warning(
                "The counters share the page cache's Redis server: if it evicts keys under "
                "memory pressure, a flood of cached pages can push login-failure and rate-limit "
                "counts out.",
                hint=(
                    "Leave COUNTERS_REDIS_URL empty (counters in the database), or point it at a "
                    "Redis of its own with maxmemory-policy noeviction."
                ),
                id="wijkportaal.W007",
            )
        ]
    return []


def redis_eviction_policy(url: str) -> str | None:
    """The server's maxmemory-policy, or None when it cannot be asked (down, CONFIG renamed)."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        reply: Any = client.config_get("maxmemory-policy")
        return str(reply.get("maxmemory-policy") or "") or None
    except (redis.RedisError, OSError):
        return None


@register(Tags.caches, deploy=True)
def check_counters_not_evicted(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.COUNTERS_REDIS_URL:
        return []
    policy = redis_eviction_policy(settings.COUNTERS_REDIS_URL)
    if policy is None:
        return [
            Warning(
                "The counters' Redis could not be asked for its maxmemory-policy.",
                hint="Make sure it runs with maxmemory-policy noeviction (docs/deployment.md).",
                id="wijkportaal.W009",
            )
        ]
    if policy != "noeviction":
        return [
            Warning(
                f"The counters' Redis evicts keys under memory pressure (maxmemory-policy "
                f"{policy}): login-failure and rate-limit counts can be pushed out.",
                hint="Run it with maxmemory-policy noeviction, or leave COUNTERS_REDIS_URL empty.",
                id="wijkportaal.W008",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_security_txt(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    from django.core.exceptions import ImproperlyConfigured
    from django.utils import timezone

    from .security_txt import expires

    try:
        until = expires()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="wijkportaal.E010")]
    if not settings.SECURITY_CONTACTS or until is None:
        return [
            Warning(
                "/.well-known/security.txt answers 404: SECURITY_CONTACTS or SECURITY_TXT_EXPIRES "
                "is not set.",
                hint="Set both, e.g. SECURITY_CONTACTS=mailto:security@example.nl and "
                "SECURITY_TXT_EXPIRES=2027-06-30.",
                id="wijkportaal.W010",
            )
        ]
    if until <= timezone.now():
        return [
            Warning(
                "SECURITY_TXT_EXPIRES is in the past: researchers will take security.txt as stale.",
                hint="Move it up to a year ahead.",
                id="wijkportaal.W011",
            )
        ]
    return []
