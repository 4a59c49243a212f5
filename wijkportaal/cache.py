"""Page caching for the public officer and buurt pages, and the shared public data behind them,
kept fresh by generations: a staff save retires the pages that show what it changed.

- **Generations.** Every cached entry depends on the generation of everything public
  (VERSION_KEY) and on the generations of its *subjects*: names such as "officer:<slug>",
  "buurt:<code>" or "municipality:<slug>", which a page derives from its URL before reading
  (`cache_public_page(view, subjects=...)`) and shared data names when it is asked for
  (`public_data(key, build, subjects=...)`). The entry stores the generations it was built under
  and is served only while all of them still hold. The generations and the entry come in one
  `get_many`: a cache hit costs one round trip to the cache, however many subjects a page names.
- **Retiring.** A save or delete of a model in INVALIDATING_APPS asks the function its app
  registered for that model (`register_pages_of`) which subjects show the row, as it was before
  the save and as it is after (a moved assignment retires both buurten), and gives each a new
  generation, in one `set_many`: at the save, and once more when the transaction commits, so a
  request that read between the two cannot keep what it read. A model with no registered function,
  a raw save (fixtures), and bulk changes that send no signal (imports, activating boundaries, which
  call `invalidate_public_pages`) retire everything: no page is ever left stale by a save.
- **New generations** are random numbers, never a count, so a generation that is gone (an emptied
  or evicting Redis) never comes back as the value an older entry was stored under, and an entry
  whose generation is gone is a miss. A missing generation is made when an entry is stored, with
  `add`; saves make positive ones and requests negative ones, so a request that finds a
  generation made while it was building can tell whether a save came between.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

logger = logging.getLogger("wijkportaal.cache")

# The generation of everything public: moving it on retires every page and all shared data.
VERSION_KEY = "public-pages:version"
# Saving anything in these apps can change what a public page shows.
INVALIDATING_APPS = frozenset({"officers", "neighbourhoods"})
# The response header that says whether a page came from the cache ("hit") or was built and
# stored ("miss"); absent when the page cache was not used.
CACHE_STATUS_HEADER = "X-Cache"

View = Callable[..., HttpResponse]
T = TypeVar("T")
# The subjects a page of a view shows, from the buurt codes the key counts ("buurt", "ook") and
# the view's URL arguments.
PageSubjects = Callable[..., Iterable[str]]
# The subjects whose pages show a model row as it is now; None when that cannot be said (then
# everything is retired).
PagesOf = Callable[[Any], Iterable[str] | None]
_MISSING = object()
# Set on a row between the signal before its save or delete and the one after: the subjects
# that showed it as it was.
_BEFORE = "_public_pages_before"
# Set on a request whose page may be stored for others: the location its cache entry is for.
_LOCATION_ATTRIBUTE = "_public_page_location"

_pages_of: dict[type[Model], PagesOf] = {}


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
    """The Redis backend of settings.CACHES: Django's own, with the client kept per pool; a
    speed-only difference, kept because the cached pages fall below their floor without it."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingRedisCacheClient


def page_cache_enabled() -> bool:
    """Whether anything public may be cached across requests (PAGE_CACHE_SECONDS > 0).

    Only safe with a cache every process shares: a staff save in one process must reach the
    generations that all the others read (see wijkportaal/checks.py).
    """
    return settings.PAGE_CACHE_SECONDS > 0


def generation_key(subject: str) -> str:
    """The cache key of a subject's generation."""
    return f"public-pages:subject:{subject}"


def _generation_keys(subjects: Iterable[str]) -> tuple[str, ...]:
    return (VERSION_KEY, *sorted({generation_key(subject) for subject in subjects}))


def _new_generation() -> int:
    """A generation for a save: positive, and random, so a generation made again after it was
    lost never repeats one an entry holds."""
    return secrets.randbits(62) + 1


def _first_generation() -> int:
    """A generation made by a request that stores an entry where none existed: negative, so a
    request that finds one made meanwhile can tell it from a save's."""
    return -_new_generation()


def _read(generation_keys: tuple[str, ...], key: str) -> tuple[tuple[Any, ...], Any]:
    """The generations as they are now, and what `key` holds under them (_MISSING if nothing)."""
    found = cache.get_many([*generation_keys, key])
    current = tuple(found.get(generation) for generation in generation_keys)
    stored = found.get(key)
    # Entries are only ever stored under generations that exist, so a lost one never matches.
    if stored is None or stored[0] != current:
        return current, _MISSING
    return current, stored[1]


def _store(
    generation_keys: tuple[str, ...],
    current: tuple[Any, ...],
    key: str,
    value: Any,
    *,
    timeout: int,
) -> bool:
    """Store `value` under the generations read before it was built; False when one was missing
    then and a save has made it since (what was built may be older than the save: store nothing).

    A missing generation is made here, not when the page is read, so a URL naming nothing real
    (a 404 is never stored) leaves no generation behind.
    """
    generations = list(current)
    for index, generation in enumerate(current):
        if generation is None:
            made = _first_generation()
            if not cache.add(generation_keys[index], made, timeout=None):
                # Made meanwhile: by another request storing a page (or this one's shared data),
                # which is as good as ours, or by a save, which the page may not show.
                made = cache.get(generation_keys[index])
                if made is None or made > 0:
                    return False
            generations[index] = made
    cache.set(key, (tuple(generations), value), timeout=timeout)
    return True


def retire(subjects: Iterable[str] | None) -> None:
    """Give each subject a new generation, retiring every entry that names it; None retires
    everything public."""
    keys = [VERSION_KEY] if subjects is None else [generation_key(s) for s in set(subjects)]
    if not keys:
        return
    try:
        cache.set_many({key: _new_generation() for key in keys}, timeout=None)
    except Exception:
        # A cache that is down serves nothing stale meanwhile; the save must not fail with it.
        logger.exception("Cache unavailable; public pages not invalidated")


def invalidate_public_pages() -> None:
    """Make every cached public page and piece of shared data stale: for bulk changes that send
    no signal (imports, activating a boundary dataset)."""
    retire(None)


def public_data(key: str, build: Callable[[], T], *, subjects: Iterable[str] = ()) -> T:
    """Public data shared by every visitor (a buurt, its officers), cached until a save retires
    one of `subjects` (the pages it feeds show them) or everything.

    `key` names the data, never anything a resident typed: an address must not become a key or
    a value, hashed or not. Entries live at most PAGE_CACHE_SECONDS, so changes that bypass model
    signals (bulk updates) show as soon as they would on a cached page.
    """
    if not page_cache_enabled():
        return build()
    generation_keys = _generation_keys(subjects)
    try:
        current, value = _read(generation_keys, key)
    except Exception:  # The cache being down must cost speed, never the answer.
        logger.exception("Cache unavailable; building %s uncached", key.split(":", 1)[0])
        return build()
    if value is not _MISSING:
        return value
    # Stored under the generations read *before* building: a staff save while building makes
    # the entry stale at once instead of letting it outlive the save.
    value = build()
    try:
        _store(generation_keys, current, key, value, timeout=settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.exception("Cache unavailable; %s not stored", key.split(":", 1)[0])
    return value


_BUURT_CODE = re.compile(r"BU[0-9]{8}")


def typed_buurt_codes(request: HttpRequest) -> dict[str, str]:
    """The query parameters naming a buurt (`buurt`, the searched buurt on a profile; `ook`, a
    second buurt near a postcode) whose value has the shape of a CBS buurt code."""
    codes = {}
    for name in ("buurt", "ook"):
        value = request.GET.get(name, "")
        if _BUURT_CODE.fullmatch(value):
            codes[name] = value
    return codes


def _active_buurt_codes(codes: Iterable[str]) -> set[str]:
    # The model by name: the project package imports no app (pyproject.toml's contracts).
    buurt_model = apps.get_model("neighbourhoods", "Buurt")
    active = buurt_model.objects.active().filter(code__in=set(codes))
    return set(active.values_list("code", flat=True))


def page_location(request: HttpRequest, codes: Mapping[str, str]) -> str:
    """The path and the query parameters the page reads, in a fixed order: the URL its cache
    entry is for.

    The pages read only `buurt`, `ook` (`codes`), `gezocht=1`, `via=postcode` and `opnieuw=1` (the
    home page after a language switch emptied its form); anything else in a query string changes
    nothing on the page and is left out. The cached view keeps a buurt code here only once it has
    found it real, so no query string, however random, adds an entry that a page without it would
    not have.
    """
    query = []
    if "buurt" in codes:
        query.append(f"buurt={codes['buurt']}")
    if request.GET.get("gezocht") == "1":
        query.append("gezocht=1")
    if request.GET.get("via") == "postcode":
        query.append("via=postcode")
    if "ook" in codes:
        query.append(f"ook={codes['ook']}")
    if request.GET.get("opnieuw") == "1":
        query.append("opnieuw=1")
    return request.path + ("?" + "&".join(query) if query else "")


def page_key(location: str) -> str:
    """The page's location (`page_location`) and the language; the page's generations are stored
    with the entry, not in the key."""
    path_digest = hashlib.sha256(location.encode()).hexdigest()
    language = translation.get_language() or settings.LANGUAGE_CODE
    return f"public-page:{language}:{path_digest}"


def language_return_path(request: HttpRequest) -> str:
    """Where the language switch returns to: a page built for the cache names its location, so
    a query string it does not read (another visitor's) is never stored in it; any other page
    its full path."""
    return getattr(request, _LOCATION_ATTRIBUTE, None) or request.get_full_path()


@dataclass(frozen=True)
class _Page:
    key: str
    generation_keys: tuple[str, ...]
    location: str


def _page(
    request: HttpRequest,
    codes: Mapping[str, str],
    subjects: PageSubjects | None,
    kwargs: dict[str, Any],
) -> _Page:
    named = subjects(codes, **kwargs) if subjects is not None else ()
    location = page_location(request, codes)
    return _Page(page_key(location), _generation_keys(named), location)


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


class _CacheDown(Exception):
    """The cache could not be read: the page is served uncached."""


def _read_page(page: _Page) -> tuple[tuple[Any, ...], Any]:
    try:
        return _read(page.generation_keys, page.key)
    except Exception as error:  # The cache being down must cost speed, never the page.
        raise _CacheDown from error


def _lookup(
    request: HttpRequest, subjects: PageSubjects | None, kwargs: dict[str, Any]
) -> tuple[_Page, tuple[Any, ...], Any]:
    """The page's entry: first keyed on the buurt codes as typed, so a hit costs one round trip;
    on a miss, codes that name no active buurt are dropped and the page read again without them,
    so random codes share the plain page's entry instead of adding their own."""
    codes = typed_buurt_codes(request)
    page = _page(request, codes, subjects, kwargs)
    current, stored = _read_page(page)
    if stored is _MISSING and codes:
        active = _active_buurt_codes(codes.values())
        real = {name: code for name, code in codes.items() if code in active}
        if real != codes:
            page = _page(request, real, subjects, kwargs)
            current, stored = _read_page(page)
    return page, current, stored


def cache_public_page(view: View, *, subjects: PageSubjects | None = None) -> View:
    """Serve a public page from the cache, keyed on its path, the query parameters it reads and
    the active language, until a save retires one of its `subjects` or everything.

    `subjects(codes, **url_kwargs)` names what the page shows from its URL alone (its officer, its
    buurt); `codes` holds the buurt codes of the query string the key counts. A page that names
    no subject depends on the generation of everything alone.
    """

    @functools.wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _may_use_cache(request):
            return view(request, *args, **kwargs)
        try:
            page, current, stored = _lookup(request, subjects, kwargs)
        except _CacheDown:
            logger.exception("Page cache unavailable; serving uncached")
            return view(request, *args, **kwargs)
        if stored is not _MISSING:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            response[CACHE_STATUS_HEADER] = "hit"
            return response
        setattr(request, _LOCATION_ATTRIBUTE, page.location)
        response = view(request, *args, **kwargs)
        if _may_store(request, response):
            value = (response.content, list(response.items()))
            try:
                stored_now = _store(
                    page.generation_keys, current, page.key, value, timeout=page_timeout(response)
                )
            except Exception:
                logger.exception("Page cache unavailable; page not stored")
            else:
                if stored_now:
                    response[CACHE_STATUS_HEADER] = "miss"
        return response

    return cached_view


def register_pages_of(model: type[Model], pages_of: PagesOf) -> None:
    """Say which subjects show a row of `model` (called from an app's `ready`): a save or delete
    of one retires them, as the row was before and as it is after."""
    _pages_of[model] = pages_of


def pages_of(instance: Model) -> frozenset[str] | None:
    """The subjects whose pages show `instance` as it is now; None when unknown (everything)."""
    find = _pages_of.get(type(instance)._meta.concrete_model or type(instance))
    if find is None:
        return None
    found = find(instance)
    return None if found is None else frozenset(found)


def retire_pages_of(
    instance: Model, *, before: frozenset[str] | None = frozenset(), using: str | None = None
) -> None:
    """Retire the pages that show `instance` (and those in `before`, which showed it as it was),
    now and once more when the transaction commits. Also for writes that send no signal, such as
    the rows of a `bulk_create` that belong to `instance`."""
    after = pages_of(instance)
    subjects = None if before is None or after is None else before | after
    _retire_now_and_on_commit(subjects, using=using)


def _retire_now_and_on_commit(subjects: frozenset[str] | None, *, using: str | None) -> None:
    if subjects is not None and not subjects:
        return
    retire(subjects)
    # Once more after the commit: a request that read the new generation before the save was
    # committed may have cached what it read then, the old data; this retires that.
    transaction.on_commit(functools.partial(retire, subjects), using=using)


def _watched(sender: type[Model]) -> bool:
    return sender._meta.app_label in INVALIDATING_APPS


def _before_save(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if not _watched(sender) or kwargs.get("raw") or instance.pk is None:
        return
    if (sender._meta.concrete_model or sender) not in _pages_of:
        return  # everything is retired after the save; the old row cannot narrow that
    stored = sender._default_manager.using(kwargs.get("using")).filter(pk=instance.pk).first()
    setattr(instance, _BEFORE, pages_of(stored) if stored is not None else frozenset())


def _saved(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if not _watched(sender):
        return
    before = instance.__dict__.pop(_BEFORE, frozenset())
    if kwargs.get("raw"):
        _retire_now_and_on_commit(None, using=kwargs.get("using"))
        return
    retire_pages_of(instance, before=before, using=kwargs.get("using"))


def _before_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    # Asked before the delete, while the rows it is found through (its assignments) still exist.
    if _watched(sender):
        setattr(instance, _BEFORE, pages_of(instance))


def _deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if _watched(sender):
        subjects = instance.__dict__.pop(_BEFORE, None)
        _retire_now_and_on_commit(subjects, using=kwargs.get("using"))


def _related_changed(sender: type[Model], instance: Model, action: str, **kwargs: Any) -> None:
    if not _watched(sender):
        return
    if action in {"pre_remove", "pre_clear"}:
        setattr(instance, _BEFORE, pages_of(instance))
    elif action in {"post_add", "post_remove", "post_clear"}:
        before = instance.__dict__.pop(_BEFORE, frozenset())
        retire_pages_of(instance, before=before, using=kwargs.get("using"))


def connect_invalidation() -> None:
    """Called from the app config: every save or delete of an officer or geography row retires
    the pages that show it, so the very next request builds them afresh."""
    for name, signal, receiver in (
        ("before-save", pre_save, _before_save),
        ("save", post_save, _saved),
        ("before-delete", pre_delete, _before_delete),
        ("delete", post_delete, _deleted),
        ("m2m", m2m_changed, _related_changed),
    ):
        signal.connect(receiver, dispatch_uid=f"wijkportaal.cache.{name}")
