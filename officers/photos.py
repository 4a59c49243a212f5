"""Officer photos: decode uploads with Pillow, refuse unsafe ones, store clean fixed-size renditions.

The uploaded file itself is never stored. Only re-encoded JPEG renditions without any metadata
(EXIF, GPS, ICC, comments) are written, so nothing the camera recorded reaches residents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE = 6000
# Smaller than the large rendition would only show a blurred face.
MIN_SIDE = 160
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
LARGE_SIDE = 480
SMALL_SIDE = 160
JPEG_QUALITY = 85

# Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that. Nothing in this process needs
# more than a 6000 x 6000 photo, and the warning is turned into a refusal in decode_photo.
Image.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE


class PhotoRejected(Exception):
    """An upload that cannot become an officer photo; the message says what to do instead."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class PhotoRenditions:
    """The two JPEG files stored for one upload, named after the upload's content."""

    large: bytes
    small: bytes
    digest: str

    @property
    def large_name(self) -> str:
        return f"{self.digest}-{LARGE_SIDE}.jpg"

    @property
    def small_name(self) -> str:
        return f"{self.digest}-{SMALL_SIDE}.jpg"


class PreparedPhoto(ContentFile):
    """The large rendition as a file the ImageField can save, carrying the small one along."""

    def __init__(self, renditions: PhotoRenditions, *, original_name: str = "") -> None:
        super().__init__(renditions.large, name=renditions.large_name)
        self.renditions = renditions
        # The name of the file the editor chose, to tell them which photo is kept.
        self.original_name = original_name


def _reject_not_an_image() -> PhotoRejected:
    return PhotoRejected(
        str(
            _(
                "This file is not a JPEG, PNG or WebP photo. Export the photo in one of those formats."
            )
        ),
        code="not_an_image",
    )


def decode_photo(*, upload: File) -> Image.Image:
    """Decode an upload completely, refusing anything that is not a modest JPEG, PNG or WebP.

    The decoded format decides, never the file name: a PNG called .jpg is fine, a text file or
    an SVG called .jpg is not.
    """
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise PhotoRejected(
            str(
                _(
                    "This photo is larger than 5 MB. Save it smaller (for example 1000 x 1000 pixels)."
                )
            ),
            code="file_too_large",
        )
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoRejected(
            str(
                _(
                    "This photo is larger than 5 MB. Save it smaller (for example 1000 x 1000 pixels)."
                )
            ),
            code="file_too_large",
        )
    too_many_pixels = PhotoRejected(
        str(
            _("This image has too many pixels. Photos may be at most %(side)s x %(side)s pixels.")
            % {"side": MAX_SIDE}
        ),
        code="too_many_pixels",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # verify() checks the file's structure without decoding; it leaves the image unusable,
            # so the file is opened again and fully decoded (load) to catch broken pixel data.
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                width, height = probe.size
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise too_many_pixels
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            # A JPEG can be decoded at 1/2, 1/4 or 1/8 scale directly: no need for all
            # 36 megapixels of a camera photo when 480 x 480 is stored.
            image.draft("RGB", (LARGE_SIDE, LARGE_SIDE))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise too_many_pixels from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise _reject_not_an_image() from error
    if min(width, height) < MIN_SIDE:
        raise PhotoRejected(
            str(
                _("This photo is too small. Upload one of at least %(side)s x %(side)s pixels.")
                % {"side": MIN_SIDE}
            ),
            code="too_small",
        )
    return image


def _jpeg(image: Image.Image) -> bytes:
    # A fresh image carries no info dictionary, so no EXIF, ICC profile or comment can leak.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    buffer = io.BytesIO()
    clean.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def render_renditions(*, image: Image.Image) -> tuple[bytes, bytes]:
    """Centre-cropped square JPEGs (large, small), turned upright, without any metadata."""
    ImageOps.exif_transpose(image, in_place=True)
    upright = image
    # Shrink by a whole factor first (cheap box filter), keeping at least twice the final size
    # for the high-quality resample below: a 6000-pixel PNG then costs a fraction of the time.
    factor = min(upright.size) // (2 * LARGE_SIDE)
    if factor >= 2:
        upright = upright.reduce(factor)
    if upright.mode in {"RGBA", "LA", "PA"} or (
        upright.mode == "P" and "transparency" in upright.info
    ):
        rgba = upright.convert("RGBA")
        flattened = Image.new("RGB", rgba.size, (255, 255, 255))
        flattened.paste(rgba, mask=rgba.getchannel("A"))
        upright = flattened
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    large = ImageOps.fit(upright, (LARGE_SIDE, LARGE_SIDE), method=Image.Resampling.LANCZOS)
    small = large.resize((SMALL_SIDE, SMALL_SIDE), Image.Resampling.LANCZOS)
    return _jpeg(large), _jpeg(small)


def prepare_photo(*, upload: File) -> PreparedPhoto:
    """Validate an upload and re-encode it; raises PhotoRejected with a message for the editor."""
    image = decode_photo(upload=upload)
    try:
        large, small = render_renditions(image=image)
    except (OSError, ValueError, SyntaxError) as error:
        # Broken metadata (an unreadable orientation tag) can only show up here.
        raise _reject_not_an_image() from error
    digest = hashlib.sha256(large).hexdigest()[:20]
    return PreparedPhoto(
        PhotoRenditions(large=large, small=small, digest=digest),
        original_name=str(getattr(upload, "name", "") or ""),
    )


def match_small_rendition(*, officer: Any, upload: object) -> None:
    """Keep `officer.photo_small` in step with `officer.photo` after a form changed it.

    `upload` is what the form's photo field produced: a PreparedPhoto for a new photo, False
    when the photo was cleared, the stored file when it was left alone.
    """
    if isinstance(upload, PreparedPhoto):
        renditions = upload.renditions
        # Written by the model's save, like the large one: nothing lands on disk before that.
        officer.photo_small = ContentFile(renditions.small, name=renditions.small_name)
    elif not officer.photo:
        officer.photo_small = ""


def stored_photo_names(*, photo: str | None, photo_small: str | None) -> set[str]:
    return {name for name in (photo, photo_small) if name}


def delete_unused_photo_files(*, storage: Storage, previous: set[str], current: set[str]) -> None:
    """Delete the files an officer no longer uses, once the change is committed.

    On rollback nothing is deleted, so a failed save never leaves a profile without its photo.
    """
    unused = previous - current

    def delete() -> None:
        for name in unused:
            storage.delete(name)

    if unused:
        transaction.on_commit(delete)


# A chosen photo survives a form that comes back with another error: its renditions wait under
# this folder, out of the media URL's reach (see wijkportaal/media.py), and the form carries a
# signed token naming them. Nothing the editor did not choose can be restored with a token.
PENDING_DIR = "pending-photos"
PENDING_SALT = "officers.photos.pending"
PENDING_MAX_AGE = 24 * 60 * 60


def _pending_names(digest: str) -> tuple[str, str]:
    return (f"{PENDING_DIR}/{digest}-{LARGE_SIDE}.jpg", f"{PENDING_DIR}/{digest}-{SMALL_SIDE}.jpg")


def keep_pending(*, photo: PreparedPhoto, storage: Storage) -> str:
    """Store a validated photo's renditions until the form is saved; returns the token for it."""
    _forget_stale_pending(storage=storage)
    renditions = photo.renditions
    for name, data in zip(
        _pending_names(renditions.digest), (renditions.large, renditions.small), strict=True
    ):
        if not storage.exists(name):
            storage.save(name, ContentFile(data))
    return signing.dumps(
        {"digest": renditions.digest, "name": photo.original_name}, salt=PENDING_SALT
    )


def _forget_stale_pending(*, storage: Storage) -> None:
    """Delete kept photos whose token has expired: forms the editor never sent again."""
    try:
        _folders, names = storage.listdir(PENDING_DIR)
    except (FileNotFoundError, NotImplementedError):
        return
    cutoff = timezone.now() - dt.timedelta(seconds=PENDING_MAX_AGE)
    for name in names:
        path = f"{PENDING_DIR}/{name}"
        try:
            if storage.get_modified_time(path) < cutoff:
                storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def restore_pending(*, token: str, storage: Storage) -> PreparedPhoto | None:
    """The photo a token from keep_pending names, or None when it expired or is gone."""
    try:
        data = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
        large_name, small_name = _pending_names(data["digest"])
        with storage.open(large_name, "rb") as large, storage.open(small_name, "rb") as small:
            renditions = PhotoRenditions(
                large=large.read(), small=small.read(), digest=data["digest"]
            )
    except (signing.BadSignature, KeyError, TypeError, OSError):
        return None
    return PreparedPhoto(renditions, original_name=str(data.get("name", "")))


def discard_pending(*, token: str, storage: Storage) -> None:
    """Delete a kept photo's renditions once the profile is saved with (or without) it."""
    try:
        data = signing.loads(token, salt=PENDING_SALT, max_age=None)
        names = _pending_names(data["digest"])
    except (signing.BadSignature, KeyError, TypeError):
        return

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)
