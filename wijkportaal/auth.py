"""Staff sign-in throttling that a stranger cannot turn against an editor.

Two atomic counts (wijkportaal/counters.py), each incremented before the password is checked:

- per account name *and* client address: LOGIN_FAILURES_ALLOWED attempts, then sign-in from that
  address with that name pauses until LOGIN_PAUSE_SECONDS after the first attempt; a successful
  sign-in clears it. A stranger's attempts pause only the stranger.
- per account name from addresses that have not signed in to it lately: a slower pace
  (LOGIN_ACCOUNT_ATTEMPTS_PER_HOUR), against guessing spread over many addresses. An address the
  account signed in from in the last LOGIN_TRUSTED_DAYS is not held by it, so the editor's own
  office or home keeps working while a stranger runs it down.

A paused attempt is refused before the password is checked, with a form error saying for how long;
it reads the same for any name, so it does not tell whether the account exists. When the counters
cannot be reached, sign-in fails closed with a "try again shortly" error instead of a 500.
"""

from __future__ import annotations

import hashlib
import logging
import math
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import counters
from .clients import client_address, client_digest

logger = logging.getLogger("wijkportaal.auth")

ACCOUNT_WINDOW_SECONDS = 3600


class SignInPaused(ValidationError):
    """Raised from the backend: Django's login forms show it as their error, where
    PermissionDenied would read as a wrong password."""

    def __init__(self, *, seconds: int) -> None:
        minutes = max(1, math.ceil(seconds / 60))
        super().__init__(
            ngettext(
                "Signing in with this name from your address is paused for %(minutes)d minute "
                "after too many attempts. Your password was not checked. Try again later.",
                "Signing in with this name from your address is paused for %(minutes)d minutes "
                "after too many attempts. Your password was not checked. Try again later.",
                minutes,
            )
            % {"minutes": minutes},
            code="sign_in_paused",
        )
        self.seconds = seconds


class SignInUnavailable(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            _("Signing in is not possible for a moment. Try again shortly."),
            code="sign_in_unavailable",
        )


def account_digest(username: str) -> str:
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]


def _pair_name(account: str, client: str) -> str:
    return f"login:pair:{account}:{client}"


def _account_name(account: str) -> str:
    return f"login:account:{account}"


def _trusted_name(account: str, client: str) -> str:
    return f"login:trusted:{account}:{client}"


def check_attempt(*, username: str, address: str) -> None:
    """Count one sign-in attempt; raise SignInPaused or SignInUnavailable when it must not go on."""
    account, client = account_digest(username), client_digest(address)
    log_extra = {"account": account, "client": address}
    try:
        pair = counters.increment(_pair_name(account, client), window=settings.LOGIN_PAUSE_SECONDS)
        if pair.value > settings.LOGIN_FAILURES_ALLOWED:
            logger.warning(
                "Staff sign-in paused for this account and address for %d s after %d attempts",
                pair.seconds_left(),
                pair.value - 1,
                extra=log_extra,
            )
            raise SignInPaused(seconds=pair.seconds_left())
        if counters.peek(_trusted_name(account, client)):
            return
        overall = counters.increment(_account_name(account), window=ACCOUNT_WINDOW_SECONDS)
        if overall.value > settings.LOGIN_ACCOUNT_ATTEMPTS_PER_HOUR:
            logger.warning(
                "Staff sign-in paused for this account from new addresses for %d s after %d "
                "attempts from several addresses",
                overall.seconds_left(),
                overall.value - 1,
                extra=log_extra,
            )
            raise SignInPaused(seconds=overall.seconds_left())
    except counters.CountersUnavailable as error:
        # Closed, not open: without its counts the throttle could not stop a guessing run.
        logger.error("Staff sign-in refused: the counters are unreachable", extra=log_extra)
        raise SignInUnavailable from error


def record_success(*, username: str, address: str) -> None:
    """Clear the address's count and remember it as one this account signs in from."""
    account, client = account_digest(username), client_digest(address)
    try:
        counters.reset(_pair_name(account, client))
        counters.reset(_trusted_name(account, client))
        counters.increment(
            _trusted_name(account, client), window=settings.LOGIN_TRUSTED_DAYS * 86_400
        )
    except counters.CountersUnavailable:
        logger.error("Sign-in counts not cleared: the counters are unreachable")


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, counting every attempt before it checks a password."""

    # The stubs type BaseBackend without named credentials and ModelBackend with the default
    # User; this keeps Django's own signature, which takes any user model.
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = client_address(request)
        check_attempt(username=username, address=address)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            record_success(username=username, address=address)
        return user
