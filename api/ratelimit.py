"""A per-client fixed-window rate limit kept in Django's cache, so every process shares the count."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from redis.exceptions import RedisError

from wijkportaal.cache import redis_round_trip
from wijkportaal.clients import client_address, client_digest

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
KEY_PREFIX = "api-rate"


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


def client_key(request: HttpRequest) -> str:
    """The client address, hashed: the cache holds no readable IP address, even for a minute."""
    # Behind NUM_PROXIES load balancers the peer is a proxy; every resident would share its count.
    return client_digest(client_address(request) or "unknown")


def check_rate(*, client: str, limit: int, now: float | None = None) -> RateDecision:
    """Count one request of `client` in the current minute and say whether it may go ahead.

    `cache.add` creates the counter only if it is missing and `cache.incr` is atomic in Redis and
    in the local-memory cache, so concurrent processes never lose a count. A cache that cannot be
    reached lets the request through: a lookup is worth more than a perfectly enforced limit.
    """
    if limit <= 0:
        return RateDecision(allowed=True, limit=0, remaining=0, retry_after=0)
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    key = f"{KEY_PREFIX}:{client}:{window}"
    try:
        count = _count_in_redis(key) if isinstance(caches["default"], RedisCache) else None
        if count is None:
            count = _count_in_cache(key)
    except (ConnectionError, OSError, RedisError) as error:
        logger.warning("Rate limit not checked, the cache is unreachable: %s", type(error).__name__)
        return RateDecision(allowed=True, limit=limit, remaining=limit, retry_after=0)
    return RateDecision(
        allowed=count <= limit,
        limit=limit,
        remaining=max(0, limit - count),
        retry_after=retry_after,
    )


def _count_in_cache(key: str) -> int:
    """Any Django cache: `add` creates the counter only if missing, `incr` is atomic."""
    cache.add(key, 0, timeout=WINDOW_SECONDS + 1)
    try:
        return cache.incr(key)
    except ValueError:
        # The counter expired between add and incr: this request starts a fresh one.
        cache.set(key, 1, timeout=WINDOW_SECONDS + 1)
        return 1


def _count_in_redis(key: str) -> int:
    """Redis: INCR and EXPIRE in one pipelined round trip (Django's own incr costs two, plus the
    add), which also reads the page generation for the answer's shared part. The minute is part
    of the key, so renewing its expiry on each count is harmless."""

    def queue(pipeline: Any, cache_key: Callable[[str], str]) -> None:
        pipeline.incr(cache_key(key))
        pipeline.expire(cache_key(key), WINDOW_SECONDS + 1)

    count, _expiry_set = redis_round_trip(queue)
    return int(count)


def check_request(request: HttpRequest) -> RateDecision:
    return check_rate(client=client_key(request), limit=settings.API_RATE_LIMIT_PER_MINUTE)
