"""What every API answer shares: CORS, caching headers, strong ETags with 304s, the rate limit,
the allowed methods and problem documents for errors."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.translation import gettext_lazy as _

from .problems import Problem
from .ratelimit import check_request

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
# Lookups hold an address in their URL: browsers may keep them briefly, shared caches never.
LOOKUP_CACHE = "private, max-age=60"
# Officers, buurten and stations change when staff edit them; five minutes is fresh enough.
PUBLIC_CACHE = "public, max-age=300"
DOCUMENT_CACHE = "public, max-age=3600"
# An error may be gone with the next request (a rate limit, a new import): never reuse one.
ERROR_CACHE = "no-store"
PREFLIGHT_MAX_AGE = "86400"

View = Callable[..., dict[str, Any] | HttpResponse]


def json_response(
    document: dict[str, Any], *, content_type: str = "application/json"
) -> HttpResponse:
    return HttpResponse(encode_json(document), content_type=content_type)


# An encoder keeps no state between documents, so one serves every thread.
_ENCODER = DjangoJSONEncoder(ensure_ascii=False)


def encode_json(document: dict[str, Any]) -> bytes:
    """A document as JSON: Django's encoder (dates, decimals), UTF-8 rather than escapes."""
    return _ENCODER.encode(document).encode()


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2): a W/ prefix does not matter."""
    if header.strip() == "*":
        return True
    candidates = [candidate.strip() for candidate in header.split(",")]
    return any(candidate.removeprefix("W/") == etag for candidate in candidates)


def _finish(request: HttpRequest, response: HttpResponse, *, cache_control: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Retry-After"
    response["Cache-Control"] = cache_control if response.status_code < 400 else ERROR_CACHE
    if response.streaming:
        return response
    etag = strong_etag(response.content)
    response["ETag"] = etag
    if_none_match = request.headers.get("If-None-Match")
    if response.status_code == 200 and if_none_match and _etag_matches(if_none_match, etag):
        not_modified = HttpResponseNotModified()
        for header in ("ETag", "Cache-Control", "Access-Control-Allow-Origin", "Vary"):
            if header in response:
                not_modified[header] = response[header]
        not_modified["Access-Control-Expose-Headers"] = response["Access-Control-Expose-Headers"]
        return not_modified
    return response


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = ALLOWED_METHODS
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response["Access-Control-Allow-Headers"] = "If-None-Match, Accept, Accept-Language"
    response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def method_not_allowed() -> Problem:
    problem = Problem(
        status=405,
        code="method-not-allowed",
        detail=_("This API only answers GET requests."),
    )
    problem.headers["Allow"] = ALLOWED_METHODS
    return problem


def endpoint(*, cache_control: str, rate_limited: bool = False) -> Callable[[View], Callable]:
    """Wrap a view that returns a dict (the JSON answer) or a response, or raises a Problem."""

    def decorator(view: View) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "OPTIONS":
                return _preflight()
            try:
                if request.method not in {"GET", "HEAD"}:
                    raise method_not_allowed()
                if rate_limited:
                    _enforce_rate_limit(request)
                answer = view(request, *args, **kwargs)
                response = answer if isinstance(answer, HttpResponse) else json_response(answer)
            except Problem as problem:
                response = problem.as_response()
            return _finish(request, response, cache_control=cache_control)

        # Cross-site API calls carry no session or form, so CSRF does not apply.
        wrapper.csrf_exempt = True  # type: ignore[attr-defined]
        return wrapper

    return decorator


def _enforce_rate_limit(request: HttpRequest) -> None:
    decision = check_request(request)
    if decision.allowed:
        return
    problem = Problem(
        status=429,
        code="rate-limited",
        detail=_("Too many lookups from your address. Wait %(seconds)s seconds and try again.")
        % {"seconds": decision.retry_after},
        retry_after=decision.retry_after,
    )
    problem.headers["Retry-After"] = str(decision.retry_after)
    raise problem
