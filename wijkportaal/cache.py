"""Page caching for the public officer and buurt pages, and the shared public data behind the
lookup, all made stale at once by any staff save through one generation counter."""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

logger = logging.getLogger("wijkportaal.cache")

# The generation of everything public: each entry is stored with the generation it was built in,
# so moving it on retires every page and every piece of shared data at once.
VERSION_KEY = "public-pages:version"
# Saving anything in these apps can change what a public page shows.
INVALIDATING_APPS = frozenset({"officers", "neighbourhoods"})

View = Callable[..., HttpResponse]
T = TypeVar("T")
_MISSING = object()


class _ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping the redis.Redis of each connection pool (it is thread-safe)
    instead of building one for every cache call, which costs more CPU than the call's work."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    # Django's own helpers, which django-stubs does not declare.
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        if index not in self._clients:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return self._clients[index]


class ReusingRedisCache(RedisCache):
    """The Redis backend of settings.CACHES: Django's own, with the client kept per pool."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingRedisCacheClient


def page_cache_enabled() -> bool:
    """Whether anything public may be cached across requests (PAGE_CACHE_SECONDS > 0).

    Only safe with a cache every process shares: a staff save in one process must reach the
    generation that all the others read (see wijkportaal/checks.py).
    """
    return settings.PAGE_CACHE_SECONDS > 0


def _start_generation() -> int:
    """Start a generation where none is kept (a new or emptied cache); another process may win."""
    # A clock-based start never reuses a generation that could still have entries cached.
    cache.add(VERSION_KEY, time.time_ns(), timeout=None)
    return int(cache.get(VERSION_KEY, time.time_ns()))


def _read(key: str) -> tuple[int, Any]:
    """The current generation and what `key` holds in it (_MISSING if nothing current)."""
    # One call for both: one round trip to the cache instead of two.
    found = cache.get_many([VERSION_KEY, key])
    generation = found.get(VERSION_KEY)
    if generation is None:
        return _start_generation(), _MISSING
    stored = found.get(key)
    if stored is None or stored[0] != generation:
        return generation, _MISSING
    return generation, stored[1]


def invalidate_public_pages() -> None:
    """Make every cached public page and piece of shared data stale by moving to a new generation."""
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:
        # A cache that is down serves nothing stale meanwhile; the save must not fail with it.
        logger.exception("Cache unavailable; public pages not invalidated")


def public_data(key: str, build: Callable[[], T]) -> T:
    """Public data shared by every visitor (a buurt, its officers), cached in the current generation.

    `key` names the data, never anything a resident typed: an address must not become a key or
    a value, hashed or not. Entries live at most PAGE_CACHE_SECONDS, so changes that bypass model
    signals (bulk updates) show as soon as they would on a cached page.
    """
    if not page_cache_enabled():
        return build()
    try:
        generation, value = _read(key)
    except Exception:  # The cache being down must cost speed, never the answer.
        logger.exception("Cache unavailable; building %s uncached", key.split(":", 1)[0])
        return build()
    if value is not _MISSING:
        return value
    # Stored under the generation read *before* building: a staff save while building makes
    # the entry stale at once instead of letting it outlive the save.
    value = build()
    try:
        cache.set(key, (generation, value), timeout=settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.exception("Cache unavailable; %s not stored", key.split(":", 1)[0])
    return value


def page_key(request: HttpRequest) -> str:
    """The path, the query parameters the page reads, and the language; the page's generation
    is stored with the entry, not in the key.

    The pages read only `buurt` (the searched buurt on a profile), `ook` (a second buurt near a
    postcode), `gezocht=1` and `via=postcode`; anything else in a query string changes nothing on
    the page and is left out of the key, and `buurt` and `ook` count only when they name a real
    buurt. So no query string, however random, adds an entry that a
    page without it would not have.
    """
    query = []
    buurt = request.GET.get("buurt", "")
    if buurt and _is_real_buurt_code(buurt):
        query.append(f"buurt={buurt}")
    if request.GET.get("gezocht") == "1":
        query.append("gezocht=1")
    if request.GET.get("via") == "postcode":
        query.append("via=postcode")
    also = request.GET.get("ook", "")
    if also and _is_real_buurt_code(also):
        query.append(f"ook={also}")
    location = request.path + ("?" + "&".join(query) if query else "")
    path_digest = hashlib.sha256(location.encode()).hexdigest()
    language = translation.get_language() or settings.LANGUAGE_CODE
    return f"public-page:{language}:{path_digest}"


_BUURT_CODE = re.compile(r"BU[0-9]{8}")


def _is_real_buurt_code(code: str) -> bool:
    """Whether `code` is an active buurt's; only real codes are remembered in the cache."""
    if _BUURT_CODE.fullmatch(code) is None:
        return False
    key = f"buurt-code:{code}"
    try:
        _generation, known = _read(key)
    except Exception:
        known = _MISSING
    if known is not _MISSING:
        return True
    # The model by name: the project package imports no app (pyproject.toml's contracts).
    buurt_model = apps.get_model("neighbourhoods", "Buurt")
    if not buurt_model.objects.active().filter(code=code).exists():
        return False
    public_data(key, lambda: True)
    return True


def _may_use_cache(request: HttpRequest) -> bool:
    # Staff carry a session cookie; their pages are never served from or stored in the cache,
    # and this test needs no database query to find out.
    return (
        page_cache_enabled()
        and request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _may_store(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and b"csrfmiddlewaretoken" not in response.content
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def page_timeout(response: HttpResponse) -> int:
    """PAGE_CACHE_SECONDS, or less when the page changes on its own before then: a view sets
    `response.fresh_until` (an aware datetime) to the moment its page says something else ("open
    now" at closing time), and the cached copy must not outlive that moment."""
    fresh_until = getattr(response, "fresh_until", None)
    if fresh_until is None:
        return settings.PAGE_CACHE_SECONDS
    left = math.floor((fresh_until - timezone.now()).total_seconds())
    return max(0, min(settings.PAGE_CACHE_SECONDS, left))


def cache_public_page(view: View) -> View:
    """Serve a public page from the cache, keyed on the full path and the active language."""

    @functools.wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _may_use_cache(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        try:
            generation, stored = _read(key)
        except Exception:  # The cache being down must cost speed, never the page.
            logger.exception("Page cache unavailable; serving uncached")
            return view(request, *args, **kwargs)
        if stored is not _MISSING:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if _may_store(request, response):
            stored = (generation, (response.content, list(response.items())))
            try:
                cache.set(key, stored, timeout=page_timeout(response))
            except Exception:
                logger.exception("Page cache unavailable; page not stored")
        return response

    return cached_view


def _invalidate_on_change(sender: type[Model], **kwargs: Any) -> None:
    if sender._meta.app_label in INVALIDATING_APPS:
        invalidate_public_pages()
        # Once more after the commit: a request that read the new generation before the save
        # was committed may have cached what it read then, the old data; this retires that.
        transaction.on_commit(invalidate_public_pages, using=kwargs.get("using"))


def connect_invalidation() -> None:
    """Called from the app config: any save or delete of an officer or geography row moves the
    generation on, so the very next request builds afresh."""
    for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
        signal.connect(_invalidate_on_change, dispatch_uid=f"wijkportaal.cache.{name}")
