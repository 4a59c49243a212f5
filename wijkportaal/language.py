"""The interface language: Dutch unless the visitor chose another one with the language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


def language_for(request: HttpRequest) -> str:
    """The language cookie's value when it names a language we offer, else the default (Dutch)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    try:
        return translation.get_supported_language_variant(chosen) if chosen else ""
    except LookupError:
        return ""


API_PREFIX = "/api/"


class CookieLocaleMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, without reading the browser's Accept-Language on pages.

    Every first visit is Dutch, as the portal promises, and each page has exactly one version per
    cookie value, which is what the page cache keys on. There are no language prefixes in URLs.
    API clients keep no cookie, so for them Accept-Language is the way to ask for English.
    A view marks a response that is the same in every language with `same_in_every_language`.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(API_PREFIX):
            language = translation.get_language_from_request(request)
        else:
            language = language_for(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(response, "same_in_every_language", False):
            # A photo, say: no Vary, so caches keep one copy for all.
            return response
        varies = (
            ("Cookie", "Accept-Language") if request.path.startswith(API_PREFIX) else ("Cookie",)
        )
        patch_vary_headers(response, varies)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
