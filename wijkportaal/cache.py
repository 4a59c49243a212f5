"""Page caching for the public officer and buurt pages, and the shared public data behind the
lookup, all invalidated at once by any staff save."""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import translation

logger = logging.getLogger("wijkportaal.cache")

VERSION_KEY = "public-pages:version"
# Saving anything in these apps can change what a public page shows.
INVALIDATING_APPS = frozenset({"officers", "neighbourhoods"})

View = Callable[..., HttpResponse]
T = TypeVar("T")


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one redis.Redis per connection pool.

    Django builds a new redis.Redis for every cache call; with redis-py 6 that costs more than the
    round trip itself (about 0.35 ms, measured). redis.Redis is thread-safe and borrows a
    connection from its pool per command, so one per pool is enough.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class ReusingRedisCache(RedisCache):
    """The Redis cache backend of settings.CACHES when REDIS_URL is set."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def validate_key(self, key: str) -> None:
        """Redis takes any key. Django's check warns about keys that memcached would refuse, for
        about 2 µs a key (a generator and a regular expression behind a lazy object), ten times
        the cost of making the key; every cache call pays it, a lookup through the API three
        times. The portal's keys are its own prefixes, codes and hex digests."""


def page_version() -> int:
    """The current generation of cached pages; a missing version starts a new, unused generation."""
    version = cache.get(VERSION_KEY)
    if version is None:
        # A clock-based start never reuses a generation that could still have pages cached.
        version = time.time_ns()
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return int(version)


def invalidate_public_pages() -> None:
    """Make every cached public page stale at once by moving to the next generation."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    memo = _request_memo.get()
    if memo is not None:
        memo.pop("version", None)


# The generation, read at most once per request: a search needs the buurt and its officers, and
# each would otherwise cost its own round trip to Redis. None outside a request (a command, a
# shell), where every read asks the cache again.
_request_memo: ContextVar[dict[str, int] | None] = ContextVar("public_generation", default=None)


def _start_request_memo(**kwargs: Any) -> None:
    _request_memo.set({})


def _end_request_memo(**kwargs: Any) -> None:
    _request_memo.set(None)


def current_generation() -> int:
    """The page generation, read from the cache once per request."""
    memo = _request_memo.get()
    if memo is not None and "version" in memo:
        return memo["version"]
    version = page_version()
    if memo is not None:
        memo["version"] = version
    return version


def redis_round_trip(queue: Callable[[Any, Callable[[str], str]], None]) -> list[Any]:
    """Send a caller's Redis commands in one round trip that also reads the page generation.

    `queue(pipeline, key)` queues commands on a redis-py pipeline, naming each key through `key`
    (the cache's own prefix and version); their results come back in order. The default cache
    must be Redis. During a request the generation rides along and is remembered, so a caller
    that makes a round trip anyway (the API's rate limit) spares public data its own.
    """
    backend = caches["default"]
    pipeline = backend._cache.get_client(write=True).pipeline(transaction=False)
    queue(pipeline, backend.make_and_validate_key)
    memo = _request_memo.get() if shared_cache_enabled() else None
    if memo is not None:
        pipeline.get(backend.make_and_validate_key(VERSION_KEY))
    results = pipeline.execute()
    if memo is not None:
        version = results.pop()
        # A missing generation is left to page_version(), which starts a new one.
        if version is not None:
            memo["version"] = int(version)
    return results


class _LocalEntries:
    """This process's copies of shared public data, each tagged with its generation.

    The shared cache stays the authority: an entry counts only under the generation just read
    from it, and lives no longer than there. Values are kept pickled, so every caller gets its
    own objects to annotate (prefetches, attributes) without touching another thread's.
    """

    def __init__(self, *, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[int, float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, *, version: int) -> tuple[bool, Any]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version or entry[1] <= time.time():
                return False, None
            self._entries.move_to_end(key)
        return True, pickle.loads(entry[2])  # noqa: S301 (pickled by this process, below)

    def put(self, key: str, value: Any, *, version: int, expires_at: float) -> None:
        entry = (version, expires_at, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# A buurt, its officers and an API area answer take about 1 to 4 KB pickled: at most a few MB.
LOCAL_ENTRIES = 2000
local_entries = _LocalEntries(size=LOCAL_ENTRIES)


def shared_cache_enabled() -> bool:
    """Whether anything public may be cached across requests.

    Only with a cache every process shares (Redis): a staff save in one process must reach the
    generation counter that all the others read. Settings turn it off without REDIS_URL.
    """
    return settings.PAGE_CACHE_SECONDS > 0


def public_data(
    key: str, build: Callable[[], T], *, still_valid: Callable[[T], bool] | None = None
) -> T:
    """Public data shared by every visitor (a buurt, its officers), cached in the current generation.

    `key` names the data, never anything a resident typed: an address must not become a key or
    a value, hashed or not. A hit costs no round trip once this request has read the generation
    and this process holds the entry; `still_valid` can refuse an entry whose content expires
    on its own (at a time of day). Entries live at most PAGE_CACHE_SECONDS, so changes that
    bypass model signals (bulk imports) show as soon as they would on a cached page.
    """
    if not shared_cache_enabled():
        return build()
    seconds = settings.PAGE_CACHE_SECONDS
    try:
        version = current_generation()
        found, value = local_entries.get(key, version=version)
        if not found:
            stored = cache.get(key)
            if stored is not None and stored[0] == version:
                # The local copy expires with the shared entry, not a lifetime later.
                found, value = True, stored[2]
                local_entries.put(key, value, version=version, expires_at=stored[1] + seconds)
    except Exception:  # The cache being down must cost speed, never the answer.
        logger.exception("Cache unavailable; building %s uncached", key.split(":", 1)[0])
        return build()
    if found and (still_valid is None or still_valid(value)):
        return value
    # Stored under the generation read *before* building: a staff save while building makes
    # the entry stale at once instead of letting it outlive the save.
    value = build()
    stored_at = time.time()
    try:
        cache.set(key, (version, stored_at, value), timeout=seconds)
    except Exception:
        logger.exception("Cache unavailable; %s not stored", key.split(":", 1)[0])
    else:
        local_entries.put(key, value, version=version, expires_at=stored_at + seconds)
    return value


def page_key(request: HttpRequest) -> str:
    """The path and the language; the page's generation is stored with it, not in the key."""
    path_digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    language = translation.get_language() or settings.LANGUAGE_CODE
    return f"public-page:{language}:{path_digest}"


# The query strings the public pages understand (the search's "why this result" notes). Any other
# query string is served uncached: junk parameters must not each take a cache entry.
CACHEABLE_QUERY = {
    "buurt": re.compile(r"[A-Za-z0-9]{1,10}"),
    "gezocht": re.compile(r"1"),
}


def _understood_query(request: HttpRequest) -> bool:
    return all(
        name in CACHEABLE_QUERY
        and len(values) == 1
        and CACHEABLE_QUERY[name].fullmatch(values[0]) is not None
        for name, values in request.GET.lists()
    )


def _may_use_cache(request: HttpRequest) -> bool:
    # Staff carry a session cookie; their pages are never served from or stored in the cache,
    # and this test needs no database query to find out.
    return (
        shared_cache_enabled()
        and request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and _understood_query(request)
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


def cache_public_page(view: View) -> View:
    """Serve a public page from the cache, keyed on the full path and the active language."""

    @functools.wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _may_use_cache(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        try:
            # One round trip for the current generation and the page.
            found = cache.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY)
            if version is None:
                version = page_version()
            memo = _request_memo.get()
            if memo is not None:
                memo["version"] = version
        except Exception:  # The cache being down must cost speed, never the page.
            logger.exception("Page cache unavailable; serving uncached")
            return view(request, *args, **kwargs)
        stored = found.get(key)
        if stored is not None and stored[0] == version:
            _, status, content, headers = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if _may_store(request, response):
            stored = (version, response.status_code, response.content, list(response.items()))
            try:
                cache.set(key, stored, timeout=settings.PAGE_CACHE_SECONDS)
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
    """Called from the app config: any save or delete of an officer or geography row clears pages
    and shared data; each request reads the generation afresh."""
    for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
        signal.connect(_invalidate_on_change, dispatch_uid=f"wijkportaal.cache.{name}")
    request_started.connect(_start_request_memo, dispatch_uid="wijkportaal.cache.start")
    request_finished.connect(_end_request_memo, dispatch_uid="wijkportaal.cache.end")
