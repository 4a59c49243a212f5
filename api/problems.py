"""Errors as RFC 9457 problem documents: a status, a title, a detail and a stable `code`."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Problem types are named, not fetched: RFC 9457 lets a type be any URI that identifies it.
PROBLEM_TYPE_PREFIX = "urn:wijkportaal:problem:"

# The stable codes clients branch on, with the title each one carries.
TITLES: dict[str, Promise] = {
    "invalid-postcode": _("Invalid postcode"),
    "invalid-house-number": _("Invalid house number"),
    "invalid-coordinates": _("Invalid coordinates"),
    "invalid-page": _("Invalid page"),
    "address-not-found": _("Address not found"),
    "outside-coverage": _("Outside the covered area"),
    "not-found": _("Not found"),
    "method-not-allowed": _("Method not allowed"),
    "house-number-required": _("House number required"),
    "rate-limited": _("Too many requests"),
    # Answered by wijkportaal/middleware.py, which cannot import this module.
    "service-unavailable": _("Service unavailable"),
}


def problem_type(code: str) -> str:
    return PROBLEM_TYPE_PREFIX + code


class Problem(Exception):
    """Raised by an endpoint to answer with a problem document instead of data."""

    def __init__(self, *, status: int, code: str, detail: str | Promise, **extensions: Any) -> None:
        super().__init__(str(detail))
        self.status = status
        self.code = code
        self.detail = detail
        self.extensions = extensions
        self.headers: dict[str, str] = {}

    def as_document(self) -> dict[str, Any]:
        return {
            "type": problem_type(self.code),
            "status": self.status,
            "title": str(TITLES[self.code]),
            "detail": str(self.detail),
            "code": self.code,
            **self.extensions,
        }

    def as_response(self) -> JsonResponse:
        response = JsonResponse(
            self.as_document(),
            status=self.status,
            content_type=PROBLEM_CONTENT_TYPE,
            json_dumps_params={"ensure_ascii": False},
        )
        for name, value in self.headers.items():
            response[name] = value
        return response


def not_found(detail: str | Promise | None = None) -> Problem:
    return Problem(
        status=404,
        code="not-found",
        detail=detail or _("Nothing is published at this address of the API."),
    )
