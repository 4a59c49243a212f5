"""Officer photos are served by the application on a single node, safely and cacheably."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from officers import photos
from officers.models import Officer
from tests.officers.admin_support import image_bytes

NAME = "officers/0123456789abcdef0123-480.jpg"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_BUCKET = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "officers").mkdir(parents=True)
    (settings.MEDIA_ROOT / NAME).write_bytes(image_bytes("JPEG"))
    (tmp_path / "secret.txt").write_text("not for residents")
    return settings.MEDIA_ROOT


def test_a_stored_photo_is_served_with_long_caching_and_security_headers(client, media_root):
    response = client.get(f"/media/{NAME}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == (media_root / NAME).read_bytes()
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src" in response["Content-Security-Policy"]
    assert "Set-Cookie" not in response
    # The same photo in every language and for every visitor: one cached copy serves them all.
    assert "Vary" not in response and "Content-Language" not in response


def test_a_photo_is_the_same_for_a_visitor_who_chose_english(client, media_root, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(f"/media/{NAME}")
    assert response.status_code == 200
    assert "Vary" not in response and "Content-Language" not in response


def test_the_same_photo_saved_twice_is_still_cached_for_long(client, media_root, db):
    # The second save finds the content-named file there and gets the storage's suffix.
    names = []
    for slug in ("anna", "bram"):
        officer = Officer(name=slug, slug=slug, photo_alt=slug)
        officer.photo = photos.prepare_photo(upload=_upload())
        photos.match_small_rendition(officer=officer, upload=officer.photo)
        officer.save()
        names.append(officer.photo.name)
    assert names[0] != names[1] and names[1].startswith(names[0].removesuffix(".jpg") + "_")
    for name in names:
        response = client.get(f"/media/{name}")
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=31536000, immutable", name


def test_a_photo_saved_through_the_model_is_served(client, media_root, db):
    prepared = photos.prepare_photo(upload=_upload())
    officer = Officer(name="Anna", slug="anna", photo_alt="Anna")
    officer.photo = prepared
    photos.match_small_rendition(officer=officer, upload=prepared)
    officer.save()
    for name in (officer.photo.name, officer.photo_small.name):
        assert client.get(officer.photo.storage.url(name)).status_code == 200


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("p.png", image_bytes("PNG"), content_type="image/png")


@pytest.mark.parametrize(
    "path",
    [
        "/media/officers/",
        "/media/",
        "/media/officers/..%2F..%2Fsecret.txt",
        "/media/officers/../../secret.txt",
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/officers/0123456789abcdef0123-480.jpg/",
        "/media/pending-photos/0123456789abcdef0123-480.jpg",
        "/media/officers/ffffffffffffffffffff-480.jpg",
    ],
)
def test_no_listing_no_climbing_out_and_no_waiting_photos(client, media_root, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"not for residents" not in response.content


def test_a_not_found_page_under_media_is_a_page_in_the_visitors_language(
    client, media_root, settings
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/media/officers/ffffffffffffffffffff-480.jpg")
    assert response.status_code == 404
    assert "Cookie" in response["Vary"]
    assert response["Content-Language"] == "en"


def test_only_reading_is_allowed(client, media_root):
    assert client.post(f"/media/{NAME}").status_code == 405
    assert client.head(f"/media/{NAME}").status_code == 200


def test_with_object_storage_the_bucket_serves_photos(client, media_root, settings):
    settings.MEDIA_BUCKET = "photos"
    assert client.get(f"/media/{NAME}").status_code == 404
