"""Values every template needs."""

from __future__ import annotations

from django.http import HttpRequest

from wijkportaal.cache import language_return_path

EMERGENCY_NUMBER = "112"
POLICE_NON_EMERGENCY_NUMBER = "0900-8844"
ANONYMOUS_TIPS_NUMBER = "0800-7000"


def site(request: HttpRequest) -> dict[str, str]:
    return {
        "EMERGENCY_NUMBER": EMERGENCY_NUMBER,
        "POLICE_NUMBER": POLICE_NON_EMERGENCY_NUMBER,
        "ANONYMOUS_TIPS_NUMBER": ANONYMOUS_TIPS_NUMBER,
        "LANGUAGE_RETURN_PATH": language_return_path(request),
    }
