"""Atomic counters for the rate limits and sign-in throttles, where nothing evicts them.

By default a table in the database (wijkportaal.models.Counter); with COUNTERS_REDIS_URL a Redis
of their own, which must run with `maxmemory-policy noeviction` (a system check asks it). Every
count is incremented first and decided on after, so concurrent requests in any number of processes
never both see the same count.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger("wijkportaal.counters")

# After the store failed, it is not tried again for this long: a store that is down must not
# cost every request a connection attempt.
RETRY_STORE_AFTER_SECONDS = 5
# Each process deletes expired rows this often, so the table stays small without a cron.
PRUNE_EVERY_SECONDS = 300

_INCREMENT_SQL = """
INSERT INTO wijkportaal_counter (name, count, expires) VALUES (%s, 1, %s)
ON CONFLICT (name) DO UPDATE SET
    count = CASE WHEN wijkportaal_counter.expires <= %s THEN 1
                 ELSE wijkportaal_counter.count + 1 END,
    expires = CASE WHEN wijkportaal_counter.expires <= %s THEN excluded.expires
                   ELSE wijkportaal_counter.expires END
RETURNING count, expires
"""


class CountersUnavailable(Exception):
    """The counter store cannot be reached (or failed a moment ago)."""


@dataclass(frozen=True)
class Count:
    value: int
    expires: float

    def seconds_left(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return max(1, int(self.expires - now + 0.999))


_failed_at = 0.0
_pruned_at = time.monotonic()


def _guard() -> None:
    if time.monotonic() - _failed_at < RETRY_STORE_AFTER_SECONDS and _failed_at:
        raise CountersUnavailable("the counter store failed a moment ago")


def _failed(error: Exception) -> CountersUnavailable:
    global _failed_at
    _failed_at = time.monotonic()
    logger.warning("Counter store unreachable: %s", type(error).__name__)
    return CountersUnavailable(type(error).__name__)


def store_recovered() -> None:
    """Forget an earlier failure (tests, and a store known to be back)."""
    global _failed_at
    _failed_at = 0.0


_pruned_at = time.monotonic()


@cache
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def _redis_key(name: str) -> str:
    return f"wijkportaal-counters:{name}"


def increment(name: str, *, window: int, now: float | None = None) -> Count:
    """Count one under `name` and return the count including it; a count older than `window`
    seconds starts again from one."""
    _guard()
    now = time.time() if now is None else now
    try:
        if settings.COUNTERS_REDIS_URL:
            return _increment_redis(name, window=window, now=now)
        return _increment_database(name, window=window, now=now)
    except (DatabaseError, redis.RedisError, OSError) as error:
        raise _failed(error) from error


# Count and expiry in one atomic step and one round trip; a count that somehow lost its expiry
# gets one again, so no client is limited for good.
_INCREMENT_LUA = """
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
    left = tonumber(ARGV[1])
    redis.call('PEXPIRE', KEYS[1], left)
end
return {count, left}
"""


@cache
def _increment_script(url: str) -> Any:
    return _redis(url).register_script(_INCREMENT_LUA)


def _increment_redis(name: str, *, window: int, now: float) -> Count:
    script = _increment_script(settings.COUNTERS_REDIS_URL)
    value, left_ms = script(keys=[_redis_key(name)], args=[window * 1000])
    return Count(value=int(value), expires=now + int(left_ms) / 1000)


def _increment_database(name: str, *, window: int, now: float) -> Count:
    global _pruned_at
    # Raw SQL: the ORM has no atomic "insert or add one, and tell me the result". One statement
    # in autocommit, so nothing else is held while it runs.
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENT_SQL, [name, now + window, now, now])
        value, expires = cursor.fetchone()
        # Never inside a caller's transaction, which would hold the deleted rows until it ends.
        if not connection.in_atomic_block and time.monotonic() - _pruned_at > PRUNE_EVERY_SECONDS:
            _pruned_at = time.monotonic()
            cursor.execute("DELETE FROM wijkportaal_counter WHERE expires <= %s", [now])
    return Count(value=int(value), expires=float(expires))


def peek(name: str, *, now: float | None = None) -> int:
    """The current count under `name` (0 when there is none or its window is over)."""
    _guard()
    now = time.time() if now is None else now
    try:
        if settings.COUNTERS_REDIS_URL:
            found: Any = _redis(settings.COUNTERS_REDIS_URL).get(_redis_key(name))
            return int(found or 0)
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT count FROM wijkportaal_counter WHERE name = %s AND expires > %s",
                [name, now],
            )
            row = cursor.fetchone()
        return int(row[0]) if row else 0
    except (DatabaseError, redis.RedisError, OSError) as error:
        raise _failed(error) from error


def reset(name: str) -> None:
    """Forget the count under `name`."""
    _guard()
    try:
        if settings.COUNTERS_REDIS_URL:
            _redis(settings.COUNTERS_REDIS_URL).delete(_redis_key(name))
            return
        with connections["default"].cursor() as cursor:
            cursor.execute("DELETE FROM wijkportaal_counter WHERE name = %s", [name])
    except (DatabaseError, redis.RedisError, OSError) as error:
        raise _failed(error) from error


class LocalCounters:
    """Per-process fixed-window counts: the fallback for the public limits while the store is
    down. Each process then allows the full limit, which is logged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Count] = {}

    def increment(self, name: str, *, window: int, now: float | None = None) -> Count:
        now = time.time() if now is None else now
        with self._lock:
            if len(self._counts) > 10_000:
                self._counts = {k: c for k, c in self._counts.items() if c.expires > now}
            current = self._counts.get(name)
            if current is None or current.expires <= now:
                current = Count(value=1, expires=now + window)
            else:
                current = Count(value=current.value + 1, expires=current.expires)
            self._counts[name] = current
            return current


local_counters = LocalCounters()
