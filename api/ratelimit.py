"""A per-client fixed-window rate limit for the API, counted in the "counters" cache so every
process shares the count."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

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


def count_request(key: str) -> int:
    """Count one request under `key` and return the count including it.

    Incremented first, then decided on: `incr` is atomic in Redis and the local-memory cache, and
    `add` creates a missing counter only once, so concurrent processes never lose a count. The
    minute is in the key, so a counter expires only after its minute is over.
    """
    counters = caches["counters"]
    try:
        return counters.incr(key)
    except ValueError:
        # The minute's first request: start the counter, unless another process just did.
        if counters.add(key, 1, timeout=WINDOW_SECONDS + 1):
            return 1
        return counters.incr(key)


def check_rate(*, client: str, limit: int, now: float | None = None) -> RateDecision:
    """Count one request of `client` in the current minute and say whether it may go ahead.

    A counter store that cannot be reached lets the request through: a lookup is worth more
    than a perfectly enforced limit.
    """
    if limit <= 0:
        return RateDecision(allowed=True, limit=0, remaining=0, retry_after=0)
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    try:
        count = count_request(f"{KEY_PREFIX}:{client}:{window}")
    except Exception as error:  # Redis errors, refused connections, a full disk
        logger.warning(
            "Rate limit not checked, the counters are unreachable: %s", type(error).__name__
        )
        return RateDecision(allowed=True, limit=limit, remaining=limit, retry_after=0)
    return RateDecision(
        allowed=count <= limit,
        limit=limit,
        remaining=max(0, limit - count),
        retry_after=retry_after,
    )


def check_request(request: HttpRequest) -> RateDecision:
    """The API's entry point: count this request against its client's limit."""
    return check_rate(client=client_key(request), limit=settings.API_RATE_LIMIT_PER_MINUTE)
