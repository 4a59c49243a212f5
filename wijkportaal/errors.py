"""The 500 handler: a page in the site's style, or the 503 page when the database is the cause."""

from __future__ import annotations

import sys

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.utils import translation

from .context_processors import (
    ANONYMOUS_TIPS_NUMBER,
    EMERGENCY_NUMBER,
    POLICE_NON_EMERGENCY_NUMBER,
)
from .middleware import UNAVAILABLE_ERRORS, log_database_failure, service_unavailable_response


def server_error(request: HttpRequest) -> HttpResponse:
    """Catch-all for failures the view middleware never saw (e.g. a session load in middleware)."""
    error = sys.exc_info()[1]
    if isinstance(error, UNAVAILABLE_ERRORS):
        log_database_failure(request, error)
        return service_unavailable_response(request)
    html = render_to_string(
        "500.html",
        {
            "LANGUAGE_CODE": translation.get_language() or settings.LANGUAGE_CODE,
            "EMERGENCY_NUMBER": EMERGENCY_NUMBER,
            "POLICE_NUMBER": POLICE_NON_EMERGENCY_NUMBER,
            "ANONYMOUS_TIPS_NUMBER": ANONYMOUS_TIPS_NUMBER,
        },
    )
    return HttpResponseServerError(html)
