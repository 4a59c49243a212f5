"""The second factor of a staff sign-in: TOTP devices, one-time recovery codes, enrolment and reset.

django-otp keeps the devices and verifies codes (with its own throttling per device); this module
says which device a code is for, and what enrolling and resetting mean for a staff account.
"""

from __future__ import annotations

import base64
import logging
import re

import segno
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger("accounts.twofactor")

# A request's user: the checks below answer "no" for an anonymous one.
AnyUser = AbstractBaseUser | AnonymousUser

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
# An authenticator app shows six digits; a recovery code is eight letters and digits.
_TOTP_CODE = re.compile(r"[0-9]{6}")


def needs_second_factor(user: AnyUser) -> bool:
    """A signed-in staff user whose session has not been verified with a device yet."""
    # django-otp's middleware gives the request's user is_verified(); a user just signed in with
    # a password (auth.login replaced request.user) has none yet, and is not verified.
    is_verified = getattr(user, "is_verified", None)
    return (
        user.is_authenticated
        and user.is_active
        and getattr(user, "is_staff", False)
        and not (is_verified is not None and is_verified())
    )


def has_authenticator(user: AnyUser) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def pending_authenticator(user: AnyUser) -> TOTPDevice:
    """The not yet confirmed device of an enrolment, the same one until it is confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def secret_for_display(device: TOTPDevice) -> str:
    """The key as authenticator apps want it typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG drawn here, so no third party sees the secret."""
    code = segno.make(device.config_url, error="m")
    return code.svg_inline(scale=4, dark="#000", light="#fff", title=settings.OTP_TOTP_ISSUER)


def normalised_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def confirm_authenticator(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm an enrolment with the first code the app shows; None when the code is wrong.

    A confirmed device replaces any recovery codes with a fresh set, returned to be shown once.
    """
    with transaction.atomic():
        if not device.verify_token(normalised_code(code)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Another authenticator of this user (a half-finished earlier enrolment) goes.
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        codes = new_recovery_codes(user=device.user)
    logger.info("Second factor enrolled", extra={"user_id": device.user_id})
    return codes


def new_recovery_codes(*, user: AnyUser) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones, each good once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify_code(*, user: AnyUser, code: str) -> Device | None:
    """The device that accepts `code`: the authenticator for six digits, else a recovery code.

    Each device counts its own failures and makes the next try wait (django-otp's throttling);
    a recovery code is used up by a successful sign-in.
    """
    code = normalised_code(code)
    model = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


def seconds_to_wait(*, user: AnyUser) -> int:
    """Seconds until a throttled device of the user accepts another try (0: it may try now)."""
    waits = [0]
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.devices_for_user(user, confirmed=True):
            allowed, details = device.verify_is_allowed()
            if not allowed and details and details.get("locked_until"):
                remaining = (details["locked_until"] - timezone.now()).total_seconds()
                waits.append(max(1, int(remaining) + 1))
    return max(waits)


def recovery_codes_left(*, user: AnyUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def reset_second_factor(*, user: AnyUser, by: AnyUser | None) -> int:
    """Remove every device of `user`: the next sign-in enrols again. Returns how many went.

    Sessions verified with a removed device are no longer verified (django-otp looks the device
    up on each request), so the user is asked to enrol on the next admin page.
    """
    removed = 0
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            count, _ = model.objects.filter(user=user).delete()
            removed += count
    logger.warning(
        "Second factor reset",
        extra={
            "user_id": user.pk,
            "reset_by": by.pk if by is not None else None,
        },
    )
    return removed
