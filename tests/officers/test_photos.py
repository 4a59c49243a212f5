"""Photo uploads: decoded by Pillow, refused when unsafe, stored as metadata-free renditions."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from officers import photos
from tests.officers.admin_support import gps_exif, image_bytes, png_bomb

pytestmark = pytest.mark.usefixtures("english_messages")


def upload(data: bytes, name: str = "foto.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def rejected_code(data: bytes, name: str = "foto.jpg") -> str:
    with pytest.raises(photos.PhotoRejected) as caught:
        photos.prepare_photo(upload=upload(data, name))
    assert caught.value.message  # always something the editor can act on
    return caught.value.code


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_each_accepted_format_becomes_two_square_jpegs(fmt):
    prepared = photos.prepare_photo(upload=upload(image_bytes(fmt), f"foto.{fmt.lower()}"))
    large = Image.open(io.BytesIO(prepared.renditions.large))
    small = Image.open(io.BytesIO(prepared.renditions.small))
    assert (large.format, large.size) == ("JPEG", (480, 480))
    assert (small.format, small.size) == ("JPEG", (160, 160))
    assert prepared.name == prepared.renditions.large_name
    assert prepared.renditions.large_name.endswith("-480.jpg")
    assert prepared.renditions.small_name.endswith("-160.jpg")


def test_a_png_renamed_to_jpg_is_accepted_by_its_content():
    prepared = photos.prepare_photo(upload=upload(image_bytes("PNG"), "portret.jpg"))
    assert Image.open(io.BytesIO(prepared.renditions.large)).format == "JPEG"


def test_a_text_file_renamed_to_jpg_is_refused():
    assert rejected_code(b"Dit is geen foto, maar tekst.\n" * 20) == "not_an_image"


def test_an_svg_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><rect/></svg>'
    assert rejected_code(svg, "portret.svg") == "not_an_image"


def test_a_gif_is_refused_although_pillow_can_read_it():
    assert rejected_code(image_bytes("GIF"), "portret.gif") == "not_an_image"


def test_a_truncated_jpeg_is_refused():
    data = image_bytes("JPEG")
    assert rejected_code(data[: len(data) // 2]) == "not_an_image"


def test_a_7_mb_image_is_refused():
    # Random pixels do not compress: a real 1550 x 1550 PNG of about 7 MB.
    noise = Image.frombytes("RGB", (1550, 1550), os.urandom(1550 * 1550 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert 6.5 * 1024 * 1024 < len(buffer.getvalue()) < 7.5 * 1024 * 1024
    assert rejected_code(buffer.getvalue(), "groot.png") == "file_too_large"


def test_an_image_wider_than_6000_pixels_is_refused():
    assert rejected_code(image_bytes("PNG", size=(6001, 200)), "breed.png") == "too_many_pixels"


def test_a_decompression_bomb_is_refused_without_decoding_it():
    data = png_bomb()
    assert len(data) < 1024 * 1024  # small on disk ...
    assert rejected_code(data, "bom.png") == "too_many_pixels"  # ... 400 megapixels decoded


def test_a_tiny_image_is_refused():
    assert rejected_code(image_bytes("PNG", size=(100, 100)), "klein.png") == "too_small"


def test_gps_exif_is_not_in_the_stored_copies():
    original = image_bytes("JPEG", exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the upload has GPS
    prepared = photos.prepare_photo(upload=upload(original))
    for rendition in (prepared.renditions.large, prepared.renditions.small):
        stored = Image.open(io.BytesIO(rendition))
        assert len(stored.getexif()) == 0
        assert "exif" not in stored.info
        assert b"Exif" not in rendition
        assert b"Testcamera" not in rendition


def test_transparent_png_is_flattened_on_white():
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    prepared = photos.prepare_photo(upload=upload(buffer.getvalue(), "transparant.png"))
    assert Image.open(io.BytesIO(prepared.renditions.large)).getpixel((240, 240)) == (
        255,
        255,
        255,
    )


def test_the_same_photo_gets_the_same_names():
    first = photos.prepare_photo(upload=upload(image_bytes("PNG")))
    second = photos.prepare_photo(upload=upload(image_bytes("PNG")))
    other = photos.prepare_photo(upload=upload(image_bytes("PNG", size=(500, 500))))
    assert first.renditions.large_name == second.renditions.large_name
    assert first.renditions.large_name != other.renditions.large_name


def test_the_camera_orientation_is_applied_before_the_tag_is_dropped():
    image = Image.new("RGB", (400, 400), (220, 0, 0))
    image.paste((0, 0, 220), (0, 200, 400, 400))  # red on top, blue below
    exif = Image.Exif()
    exif[0x0112] = 3  # Orientation: rotated 180 degrees
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    prepared = photos.prepare_photo(upload=upload(buffer.getvalue()))
    stored = Image.open(io.BytesIO(prepared.renditions.large))
    red, _green, blue = stored.getpixel((240, 20))
    assert blue > 150 and red < 80  # what the camera saw as the bottom is now on top


def test_a_large_camera_jpeg_is_decoded_at_reduced_scale():
    big = Image.new("RGB", (6000, 4000), (90, 120, 60))
    buffer = io.BytesIO()
    big.save(buffer, "JPEG", quality=70)
    image = photos.decode_photo(upload=upload(buffer.getvalue()))
    assert image.size == (750, 500)  # 1/8 scale: still more than the 480 stored
