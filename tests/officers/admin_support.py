"""Builders the admin tests share: staff users in each role, their verified sign-in, and images made
with Pillow."""

from __future__ import annotations

import io
import struct
import time
import zlib
from collections.abc import Iterable

from django.contrib.auth.models import Permission, User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from neighbourhoods.models import EditorScope, Municipality
from officers.roles import ensure_editor_group

PASSWORD = "een-lang-wachtwoord-42"


def make_editor(username: str = "redacteur", *, gemeenten: Iterable[str] | None = None) -> User:
    """An editor of the municipalities with these CBS codes; without codes, a national editor
    (the permission to edit in every municipality), as the tests of other admin rules need."""
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=True)
    user.groups.add(ensure_editor_group())
    if gemeenten is None:
        user.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="neighbourhoods", codename="every_municipality"
            )
        )
    for code in gemeenten or ():
        municipality, _ = Municipality.objects.get_or_create(code=code, defaults={"name": code})
        EditorScope.objects.create(user=user, municipality=municipality)
    return user


def make_outsider(username: str = "buitenstaander") -> User:
    """Staff (may log in to the admin) but in no group: no permissions at all."""
    return User.objects.create_user(username=username, password=PASSWORD, is_staff=True)


def make_superuser(username: str = "beheerder") -> User:
    return User.objects.create_superuser(username=username, password=PASSWORD)


def log_in_verified(client: Client, user: User) -> TOTPDevice:
    """Log the test client in as `user` past both sign-in steps: the password and a confirmed
    authenticator (the admin refuses a session without the second)."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def authenticator_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for `device`, now or `steps_ahead` periods later
    (a code is accepted once; the next period's code is accepted at once too)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def image_bytes(
    fmt: str = "PNG", *, size: tuple[int, int] = (600, 400), exif: bytes | None = None
) -> bytes:
    image = Image.new("RGB", size, (40, 90, 160))
    # A second colour, so re-encoding and cropping have something to work on.
    image.paste((230, 200, 30), (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2))
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gps_exif() -> bytes:
    """EXIF with a camera make and a GPS position (Heerlen police station)."""
    exif = Image.Exif()
    exif[0x010F] = "Testcamera"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (50.0, 53.0, 18.0)
    gps[3] = "E"
    gps[4] = (5.0, 58.0, 48.0)
    return exif.tobytes()


def png_bomb(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side x side white pixels: tiny on disk, huge once decoded.

    Written chunk by chunk so making it needs no more memory than one row.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
