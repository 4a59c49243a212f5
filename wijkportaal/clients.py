"""Who is asking: the client's address as the throttles and rate limits see it, and whether a post
comes from this site."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    """The client's IP: the peer, or the entry the nearest trusted proxy added to X-Forwarded-For."""
    if request is None:
        return ""
    proxies = settings.NUM_PROXIES
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_digest(address: str) -> str:
    """A client address as the throttles and rate limits keep it in the cache: hashed, so the
    cache holds no readable IP address, and a forwarded header the proxies did not clean cannot
    shape the key."""
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def is_same_site_post(request: HttpRequest) -> bool:
    """Whether a post comes from a page of this site, by the headers browsers set themselves.

    Checked instead of Django's CSRF token so that no page gets a cookie: every browser in use
    sends Sec-Fetch-Site or at least Origin with a form post, and a page elsewhere cannot forge
    either. A post with neither (not a browser) is refused.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return False
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS
