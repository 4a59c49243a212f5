"""New profiles start unpublished, say what they lack, warn about duplicates, and keep a chosen
photo when the form comes back with another error."""

import datetime as dt
import os

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils import translation

from officers import photos
from officers.models import ContactChannel, Officer
from tests import factories
from tests.officers.admin_support import image_bytes, log_in_verified, make_editor
from tests.officers.test_admin_officers import change_url, errors_of, officer_form, photo_upload

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def english_messages(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def editor_client(client, db):
    log_in_verified(client, make_editor())
    return client


def test_a_new_officer_starts_unpublished_and_the_page_says_so(editor_client, db):
    page = editor_client.get(reverse("admin:officers_officer_add")).content.decode()
    assert 'name="is_published"' in page and 'name="is_published" checked' not in page
    assert "A new profile starts unpublished" in page
    response = editor_client.post(reverse("admin:officers_officer_add"), officer_form(name="Nieuw"))
    assert response.status_code == 302
    assert Officer.objects.get(name="Nieuw").is_published is False
    assert Officer(name="x").is_published is False


def test_publishing_an_incomplete_profile_names_what_is_missing(editor_client, db):
    data = officer_form(name="Nieuw", is_published="on")
    message = errors_of(editor_client.post(reverse("admin:officers_officer_add"), data))
    assert "Before this profile can be published it needs an introduction" in message
    assert "an area: an assignment to a buurt valid today or later" in message
    assert not Officer.objects.exists()


def test_a_complete_profile_can_be_published(editor_client, buurten):
    data = officer_form(
        name="Nieuw",
        is_published="on",
        intro_nl="Ik ben uw wijkagent.",
        assignments=[
            {"buurt": buurten["west"].pk, "role": "primary", "valid_from": TODAY.isoformat()}
        ],
    )
    response = editor_client.post(reverse("admin:officers_officer_add"), data)
    assert response.status_code == 302
    assert Officer.objects.get(name="Nieuw").is_published


def test_a_stored_profile_shows_what_it_lacks(editor_client, db):
    officer = factories.make_officer("Leeg Profiel", is_published=False)
    page = editor_client.get(change_url(officer)).content.decode()
    assert "Before this profile can be published it needs an introduction" in page


def test_the_same_name_gets_a_warning(editor_client, db):
    factories.make_officer("Jan de Vries", slug="jan-de-vries")
    response = editor_client.post(
        reverse("admin:officers_officer_add"), officer_form(name="Jan de Vries"), follow=True
    )
    text = response.content.decode()
    assert "Another officer is called Jan de Vries too (profile jan-de-vries)" in text


def test_the_same_phone_number_written_another_way_gets_a_warning(editor_client, db):
    other = factories.make_officer("Piet Jansen", slug="piet-jansen")
    factories.add_channel(other, ContactChannel.Kind.PHONE, "06-12345678", public=False)
    channels = [{"kind": "phone", "value": "+31 6 12345678", "order": 0}]
    response = editor_client.post(
        reverse("admin:officers_officer_add"),
        officer_form(name="Klaas Bakker", channels=channels),
        follow=True,
    )
    assert "Piet Jansen has the same phone number (06-12345678)" in response.content.decode()


def test_the_shared_police_number_is_no_duplicate(editor_client, db):
    other = factories.make_officer("Piet Jansen", slug="piet-jansen")
    factories.add_channel(other, ContactChannel.Kind.PHONE, "0900-8844")
    channels = [{"kind": "phone", "value": "0900 8844", "order": 0}]
    response = editor_client.post(
        reverse("admin:officers_officer_add"),
        officer_form(name="Klaas Bakker", channels=channels),
        follow=True,
    )
    assert "same phone number" not in response.content.decode()


def test_an_instagram_link_without_https_is_answered_with_an_instagram_example(
    editor_client, buurten
):
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    bad = [{"kind": "instagram", "value": "instagram.com/x", "order": 0}]
    response = editor_client.post(change_url(anna), officer_form(anna, channels=bad))
    assert "for example https://www.instagram.com/wijkagent.voorbeeld/" in response.content.decode()


def test_a_chosen_photo_is_kept_when_a_channel_has_an_error(
    editor_client, buurten, media_root, django_capture_on_commit_callbacks
):
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    factories.assign(anna, buurten["west"])
    bad = [{"kind": "instagram", "value": "instagram.com/x", "order": 0}]
    response = editor_client.post(
        change_url(anna),
        officer_form(anna, channels=bad, photo=photo_upload(image_bytes("PNG")), photo_alt="Anna"),
    )
    errors_of(response)
    page = response.content.decode()
    # No image of a file that was never stored; a sentence saying the photo is kept instead.
    assert "/media/officers/" not in page
    assert "The photo you chose (portret.jpg) is kept" in page
    token = response.context["adminform"].form["photo_kept"].value()
    assert token and f'value="{token}"' in page
    good = [{"kind": "instagram", "value": "https://www.instagram.com/x", "order": 0}]
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            change_url(anna), officer_form(anna, channels=good, photo_alt="Anna", photo_kept=token)
        )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.photo.name.endswith("-480.jpg") and anna.photo_small.name.endswith("-160.jpg")
    assert (media_root / anna.photo.name).exists()
    # The waiting copies are gone once the profile holds the photo.
    assert not any((media_root / photos.PENDING_DIR).iterdir())
    # The history names the photo, though it was chosen in the submit before.
    entry = LogEntry.objects.filter(object_id=str(anna.pk), action_flag=CHANGE).latest("pk")
    assert entry.get_change_message().startswith("Changed Photo and Photo description.")


def test_a_forged_photo_token_restores_nothing_and_says_so(editor_client, buurten, media_root):
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    factories.assign(anna, buurten["west"])
    message = errors_of(
        editor_client.post(change_url(anna), officer_form(anna, photo_kept="abc:def"))
    )
    assert "could not be kept. Choose it again" in message
    anna.refresh_from_db()
    assert not anna.photo


def test_kept_photos_are_not_served(client, media_root, settings):
    settings.MEDIA_BUCKET = ""
    prepared = photos.prepare_photo(upload=photo_upload(image_bytes("PNG")))
    storage = Officer._meta.get_field("photo").storage
    photos.keep_pending(photo=prepared, storage=storage)
    name = f"{photos.PENDING_DIR}/{prepared.renditions.large_name}"
    assert (media_root / name).exists()
    assert client.get(f"/media/{name}").status_code == 404


def test_kept_photos_nobody_came_back_for_are_deleted(media_root, db):
    storage = Officer._meta.get_field("photo").storage
    first = photos.prepare_photo(upload=photo_upload(image_bytes("PNG")))
    photos.keep_pending(photo=first, storage=storage)
    old = media_root / photos.PENDING_DIR / first.renditions.large_name
    stale = old.stat().st_mtime - photos.PENDING_MAX_AGE - 60
    for path in (media_root / photos.PENDING_DIR).iterdir():
        os.utime(path, (stale, stale))
    second = photos.prepare_photo(upload=photo_upload(image_bytes("PNG", size=(700, 500))))
    token = photos.keep_pending(photo=second, storage=storage)
    assert not old.exists()
    assert photos.restore_pending(token=token, storage=storage) is not None


def test_publishing_a_stored_draft_checks_the_gaps_but_later_edits_are_not_blocked(
    editor_client, buurten
):
    draft = factories.make_officer("Concept Agent", is_published=False)
    message = errors_of(
        editor_client.post(change_url(draft), officer_form(draft, is_published="on"))
    )
    assert "needs an introduction" in message and "an area" in message
    # An older published profile without an introduction can still have its rank corrected.
    published = factories.make_officer("Oud Profiel")
    response = editor_client.post(change_url(published), officer_form(published, rank="Brigadier"))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.rank == "Brigadier" and published.is_published
