"""Who is asking: the client's address as the throttles and rate limits see it."""

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
