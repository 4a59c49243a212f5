"""Per-client rate limits for the public doors (the API lookups, the HTML search forms), counted
in the shared counters; while those are down each process counts on its own and says so."""

from __future__ import annotations

import functools
import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import counters
from .clients import client_address, client_digest

logger = logging.getLogger("wijkportaal.limits")

WINDOW_SECONDS = 60
# The fallback is logged once per this many seconds per process, not on every request.
_FALLBACK_LOG_EVERY = 60
_fallback_logged_at = 0.0


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


def client_key(request: HttpRequest) -> str:
    """The client address, hashed: the counters hold no readable IP address, even for a minute."""
    # Behind NUM_PROXIES load balancers the peer is a proxy; every resident would share its count.
    return client_digest(client_address(request) or "unknown")


def _count(name: str, *, window: int, now: float) -> counters.Count:
    global _fallback_logged_at
    try:
        return counters.increment(name, window=window, now=now)
    except counters.CountersUnavailable:
        if now - _fallback_logged_at > _FALLBACK_LOG_EVERY:
            _fallback_logged_at = now
            logger.warning("Rate limits counted per process: the counter store is unreachable")
        return counters.local_counters.increment(name, window=window, now=now)


def check_rate(
    *,
    scope: str,
    client: str,
    limit: int,
    window: int = WINDOW_SECONDS,
    now: float | None = None,
) -> RateDecision:
    """Count one request of `client` in `scope` in this window (a minute unless given, in
    seconds) and say whether it may go ahead."""
    if limit <= 0:
        return RateDecision(allowed=True, limit=0, remaining=0, retry_after=0)
    now = time.time() if now is None else now
    count = _count(f"{scope}:{client}", window=window, now=now)
    return RateDecision(
        allowed=count.value <= limit,
        limit=limit,
        remaining=max(0, limit - count.value),
        retry_after=count.seconds_left(now),
    )


def too_many_searches(request: HttpRequest, decision: RateDecision) -> HttpResponse:
    """The friendly 429: wait a moment, or call the police directly."""
    response = render(
        request,
        "wijkportaal/too_many_searches.html",
        {"minutes": max(1, (decision.retry_after + 59) // 60), "seconds": decision.retry_after},
        status=429,
    )
    response["Retry-After"] = str(decision.retry_after)
    response["Cache-Control"] = "no-store"
    return response


def search_rate_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Limit posted searches per client (SEARCH_RATE_LIMIT_PER_MINUTE); showing the form is free."""

    @functools.wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            decision = check_rate(
                scope="search",
                client=client_key(request),
                limit=settings.SEARCH_RATE_LIMIT_PER_MINUTE,
            )
            if not decision.allowed:
                return too_many_searches(request, decision)
        return view(request, *args, **kwargs)

    return limited


class RequestBodyLimitMiddleware:
    """Answer 413 to a body above the path's limit before any of it is read.

    A declared Content-Length is refused outright; a chunked body (no length) is read here, at most
    one byte past the limit, and handed on to Django, which otherwise would not read it at all.
    The admin's limit fits a photo upload; every public form posts a few hundred bytes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request.path)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return self.too_large(request, limit)
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = read_at_most(request.META["wsgi.input"], limit)
            if body is None:
                return self.too_large(request, limit)
            request.META["CONTENT_LENGTH"] = str(len(body))
            # The request's own stream was built for a zero length; the body read above replaces it.
            request._stream = io.BytesIO(body)
            request._body = body
        return self.get_response(request)

    @staticmethod
    def too_large(request: HttpRequest, limit: int) -> HttpResponse:
        logger.warning("Request body above %d bytes refused", limit, extra={"path": request.path})
        response = render(request, "413.html", {"limit_kb": limit // 1024}, status=413)
        response["Cache-Control"] = "no-store"
        return response


def body_limit(path: str) -> int:
    if path.startswith("/" + settings.ADMIN_PATH):
        return settings.ADMIN_BODY_MAX_BYTES
    return settings.PUBLIC_BODY_MAX_BYTES


def read_at_most(stream: Any, limit: int) -> bytes | None:
    """Read `stream` to its end, or give up (None) once more than `limit` bytes came."""
    chunks: list[bytes] = []
    received = 0
    while True:
        chunk = stream.read(min(65_536, limit + 1 - received))
        if not chunk:
            return b"".join(chunks)
        received += len(chunk)
        if received > limit:
            return None
        chunks.append(chunk)
