"""Site-wide middleware: request ids, security headers, and a static 503 page when the database fails."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.signals import request_finished
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from .context_processors import (
    ANONYMOUS_TIPS_NUMBER,
    EMERGENCY_NUMBER,
    POLICE_NON_EMERGENCY_NUMBER,
)
from .logs import current_request_id

logger = logging.getLogger("wijkportaal")

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only when it cannot smuggle anything into a log line or a header.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
# Seconds a client is asked to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30

GetResponse = Callable[[HttpRequest], HttpResponse]


def content_security_policy() -> str:
    """The CSP of every response: our own origin only, no inline code, never framed."""
    image_sources = " ".join(["'self'", *settings.CSP_EXTRA_IMG_SRC])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {image_sources}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def request_id_for(request: HttpRequest) -> str:
    """The caller's id when it is a safe token (a proxy's trace id), else a fresh random one."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if _SAFE_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id, echo it in the response and tag every log line written meanwhile."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        current_request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _forget_request_id(**kwargs: object) -> None:
    # The response is finished only after Django logged a failed request, so the id is cleared
    # here rather than in the middleware; the worker thread's next log lines carry no stale id.
    current_request_id.set("")


request_finished.connect(_forget_request_id, dispatch_uid="wijkportaal.forget_request_id")


class SecurityHeadersMiddleware:
    """Put the security headers on every response the app sends, including those that never pass
    Django's own header middleware: CSP, Permissions-Policy, X-Frame-Options, HSTS and the rest."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin")
        # Django's own middleware sets these only on responses that pass through it; static
        # files, redirects and early refusals (413, a bad Host) return before it.
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response.setdefault(
            "Cross-Origin-Opener-Policy",
            settings.SECURE_CROSS_ORIGIN_OPENER_POLICY or "same-origin",
        )
        if settings.SECURE_HSTS_SECONDS and "Strict-Transport-Security" not in response:
            # Django sends HSTS only on requests it sees as HTTPS; behind a proxy that does not say
            # so the header would be missing. Browsers ignore it on plain HTTP, so it is safe.
            value = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                value += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                value += "; preload"
            response["Strict-Transport-Security"] = value
        return response


def service_unavailable_response(request: HttpRequest | None = None) -> HttpResponse:
    """The static 503 page with the emergency numbers; rendered without touching the database.

    API clients (paths under /api/) get the same message as an RFC 9457 problem document, with
    the API's CORS header so that a web page calling the API can read it.
    """
    if request is not None and request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                # The API's problem shape (api/problems.py), which this package cannot import.
                "type": "urn:wijkportaal:problem:service-unavailable",
                "status": 503,
                "title": gettext("Service unavailable"),
                "detail": gettext(
                    "The service is temporarily unavailable. Try again in a few minutes. "
                    "In an emergency call 112."
                ),
                "code": "service-unavailable",
                "emergency_number": EMERGENCY_NUMBER,
                "police_number": POLICE_NON_EMERGENCY_NUMBER,
            },
            status=503,
            content_type="application/problem+json",
            json_dumps_params={"ensure_ascii": False},
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        return response
    return standalone_unavailable_page("503.html")


def standalone_unavailable_page(template: str) -> HttpResponse:
    """A 503 page with the emergency numbers, rendered without a request context or the database."""
    html = render_to_string(
        template,
        {
            "LANGUAGE_CODE": translation.get_language() or settings.LANGUAGE_CODE,
            "EMERGENCY_NUMBER": EMERGENCY_NUMBER,
            "POLICE_NUMBER": POLICE_NON_EMERGENCY_NUMBER,
            "ANONYMOUS_TIPS_NUMBER": ANONYMOUS_TIPS_NUMBER,
        },
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def log_database_failure(request: HttpRequest | None, error: BaseException) -> None:
    """Log the failure with the request id; the path only (never a query string or a form value)."""
    logger.error(
        "Database unavailable, answered 503: %s: %s",
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
        extra={
            "path": request.path if request is not None else "",
            "method": request.method if request is not None else "",
        },
    )


# Connection refused or lost, and statement timeouts (psycopg reports those as OperationalError).
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


class DatabaseUnavailableMiddleware:
    """Answer the static 503 page instead of a 500 when a view fails because the database does.

    A kept connection that died meanwhile is replaced before the request uses it
    (CONN_HEALTH_CHECKS), so a failure here means the database is away.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Only a database that cannot be reached or answers too slowly is an outage; other
        # DatabaseErrors (bad data, a NUL byte PostgreSQL refuses) are bugs to see as 500s.
        if not isinstance(exception, UNAVAILABLE_ERRORS):
            return None
        log_database_failure(request, exception)
        return service_unavailable_response(request)
