"""`/.well-known/security.txt` (RFC 9116): where security researchers report what they find."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe


def expires() -> dt.datetime | None:
    """SECURITY_TXT_EXPIRES as an aware datetime, or None when it is not set."""
    raw = settings.SECURITY_TXT_EXPIRES.strip()
    if not raw:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"SECURITY_TXT_EXPIRES={raw!r} is not a date, e.g. 2027-06-30 or 2027-06-30T00:00Z."
        ) from None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)


def security_txt_lines() -> list[str]:
    until = expires()
    if not settings.SECURITY_CONTACTS or until is None:
        return []
    lines = [f"Contact: {contact}" for contact in settings.SECURITY_CONTACTS]
    lines.append("Expires: " + until.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    lines.append("Preferred-Languages: nl, en")
    return lines


@require_safe
def security_txt(request: HttpRequest) -> HttpResponse:
    lines = security_txt_lines()
    if not lines:
        # Without a contact there is nothing to say; a check reports the missing settings.
        raise Http404
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
