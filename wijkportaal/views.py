"""Site-wide views: liveness and readiness, the language switch, the privacy and accessibility
pages and the CSRF failure page."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.i18n import set_language


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is checked."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve residents: the database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# The language switch sits on pages that are cached for every visitor, so it carries no CSRF token.
# Forging it can only change a visitor's interface language; Django's view still checks that
# `next` stays on this site. It sets the language cookie; URLs have no language prefix.
switch_language = csrf_exempt(set_language)


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "wijkportaal/privacy.html")


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "wijkportaal/accessibility.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without a valid CSRF token (cookies blocked, a tab left open for hours): a page
    in the site's style with the way back, instead of Django's bare English one."""
    return render(request, "403_csrf.html", status=403)
