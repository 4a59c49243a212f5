"""Staff login throttling: after a few failures an account or address is locked out, longer each
time. Failures are kept in the "counters" cache, apart from the page cache."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

from .clients import client_address, client_digest

logger = logging.getLogger("wijkportaal.auth")

FIRST_LOCKOUT_SECONDS = 60
LONGEST_LOCKOUT_SECONDS = 3600
# Failures are forgotten a day after the last one.
FAILURE_MEMORY_SECONDS = 86_400


def _account_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"login-failures:account:{digest}"


def _client_key(address: str) -> str:
    return f"login-failures:client:{client_digest(address)}"


def throttle_keys(*, username: str, address: str) -> list[str]:
    keys = [_account_key(username)] if username else []
    if address:
        keys.append(_client_key(address))
    return keys


def lockout_seconds(*, failures: int) -> int:
    """How long a key is locked after its latest failure: nothing until the allowance is used up."""
    allowed = settings.LOGIN_FAILURES_ALLOWED
    if failures < allowed:
        return 0
    return min(FIRST_LOCKOUT_SECONDS * 2 ** (failures - allowed), LONGEST_LOCKOUT_SECONDS)


def seconds_locked(*, username: str, address: str, now: float | None = None) -> int:
    """Seconds until this account and address may try again (0: they may try now)."""
    now = time.time() if now is None else now
    remaining = 0.0
    for record in (
        caches["counters"].get_many(throttle_keys(username=username, address=address)).values()
    ):
        failures, last_failure = record
        remaining = max(remaining, last_failure + lockout_seconds(failures=failures) - now)
    return max(0, int(remaining + 0.999))


def record_failure(*, username: str, address: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    keys = throttle_keys(username=username, address=address)
    counters = caches["counters"]
    records = counters.get_many(keys)
    updated = {key: (records.get(key, (0, now))[0] + 1, now) for key in keys}
    counters.set_many(updated, timeout=FAILURE_MEMORY_SECONDS)
    worst = max((failures for failures, _ in updated.values()), default=0)
    if lockout_seconds(failures=worst):
        logger.warning(
            "Staff login locked after %d failed attempts for %d s",
            worst,
            lockout_seconds(failures=worst),
            extra={"account": _account_key(username).rsplit(":", 1)[-1], "client": address},
        )


def forget_failures(*, username: str) -> None:
    caches["counters"].delete(_account_key(username))


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing every attempt while the account or the address is locked."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        try:
            remaining = seconds_locked(username=username or "", address=client_address(request))
        except Exception as error:  # Redis errors, refused connections, an unreadable folder
            # Closed, not open: without its counts the throttle could not stop a guessing run.
            logger.error(
                "Staff login refused: the failure counters are unreachable: %s",
                type(error).__name__,
            )
            if request is not None:
                request.login_locked = True  # type: ignore[attr-defined]
            raise PermissionDenied from error
        if remaining:
            if request is not None:
                # Attempts refused during a lockout do not lengthen it (see on_login_failed).
                request.login_locked = True  # type: ignore[attr-defined]
            logger.warning(
                "Staff login refused: locked for %d more s",
                remaining,
                extra={
                    "account": _account_key(username or "").rsplit(":", 1)[-1],
                    "client": client_address(request),
                },
            )
            # PermissionDenied stops Django trying further backends: the password is not checked.
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed, dispatch_uid="wijkportaal.auth.on_login_failed")
def on_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is not None and getattr(request, "login_locked", False):
        return
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or ""
    record_failure(username=str(username), address=client_address(request))


@receiver(user_logged_in, dispatch_uid="wijkportaal.auth.on_logged_in")
def on_logged_in(
    sender: object, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    forget_failures(username=user.get_username())
