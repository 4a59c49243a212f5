"""The API's per-client rate limit: lookups a client address may make a minute, counted in the
shared counters (wijkportaal/limits.py)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from wijkportaal.limits import WINDOW_SECONDS, RateDecision, check_rate, client_key

__all__ = ["KEY_PREFIX", "WINDOW_SECONDS", "RateDecision", "check_request", "client_key"]

KEY_PREFIX = "api-rate"


def check_request(request: HttpRequest) -> RateDecision:
    """The API's entry point: count this request against its client's limit."""
    return check_rate(
        scope=KEY_PREFIX, client=client_key(request), limit=settings.API_RATE_LIMIT_PER_MINUTE
    )
