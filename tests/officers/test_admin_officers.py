"""Editing officers in the admin: slug, photo, channels, assignments, absences and the history."""

import datetime as dt

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from officers import photos
from officers.models import Absence, Assignment, ContactChannel, Officer
from tests import factories
from tests.officers.admin_support import gps_exif, image_bytes, log_in_verified

TODAY = dt.date.today()


pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def anna(buurten):
    officer = factories.make_officer(
        "Anna Voorbeeld", slug="anna-voorbeeld", rank="Hoofdagent", intro_nl="Hallo buurt!"
    )
    factories.assign(officer, buurten["west"], valid_from=dt.date(2024, 1, 1))
    factories.add_channel(officer, ContactChannel.Kind.PHONE, "0900-8844")
    return officer


def _inline(prefix, rows, fields, *, parent_field="officer", parent=None):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        for name in ("id", *fields, "DELETE"):
            value = row.get(name, "")
            if value is None or value is False:
                continue
            data[f"{prefix}-{number}-{name}"] = "on" if value is True else str(value)
        if parent is not None:
            data[f"{prefix}-{number}-{parent_field}"] = str(parent.pk)
    return data


def officer_form(officer=None, *, channels=None, assignments=None, absences=None, **fields):
    """The POST body of the officer form: the current values unless overridden."""
    data = {
        "name": officer.name if officer else "",
        "rank": officer.rank if officer else "",
        "station": officer.station_id or "" if officer else "",
        "reviewed_on": officer.reviewed_on.isoformat() if officer and officer.reviewed_on else "",
        "photo_alt": officer.photo_alt if officer else "",
        "intro_nl": officer.intro_nl if officer else "",
        "intro_en": officer.intro_en if officer else "",
    }
    # A new profile starts unpublished (the admin's default), a stored one keeps its state.
    if officer is not None and officer.is_published:
        data["is_published"] = "on"
    if channels is None:
        channels = [
            {
                "id": c.pk,
                "kind": c.kind,
                "value": c.value,
                "order": c.order,
                "is_public": c.is_public,
            }
            for c in (officer.channels.all() if officer else [])
        ]
    if assignments is None:
        assignments = [
            {
                "id": a.pk,
                "buurt": a.buurt_id,
                "role": a.role,
                "valid_from": a.valid_from.isoformat(),
                "valid_until": a.valid_until.isoformat() if a.valid_until else "",
            }
            for a in (officer.assignments.all() if officer else [])
        ]
    if absences is None:
        absences = [
            {
                "id": a.pk,
                "starts_on": a.starts_on.isoformat(),
                "ends_on": a.ends_on.isoformat(),
                "deputy": a.deputy_id or "",
            }
            for a in (officer.absences.all() if officer else [])
        ]
    data.update(
        _inline("channels", channels, ["kind", "value", "order", "is_public"], parent=officer)
    )
    data.update(
        _inline(
            "assignments",
            assignments,
            ["buurt", "role", "valid_from", "valid_until"],
            parent=officer,
        )
    )
    data.update(_inline("absences", absences, ["starts_on", "ends_on", "deputy"], parent=officer))
    for name, value in fields.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def change_url(officer):
    return reverse("admin:officers_officer_change", args=[officer.pk])


def errors_of(response):
    """The form and inline errors of an admin page that did not save."""
    assert response.status_code == 200, "a refused form is shown again, not a redirect"
    context = response.context
    messages = [str(error) for error in context["adminform"].form.errors.values()]
    for formset in context["inline_admin_formsets"]:
        messages += [str(error) for error in formset.formset.non_form_errors()]
        messages += [str(form.errors) for form in formset.formset.forms if form.errors]
    return " ".join(messages)


# -- the slug -----------------------------------------------------------------------------------


def test_adding_an_officer_derives_a_unique_slug(editor_client, buurten):
    factories.make_officer("Jan de Vries", slug="jan-de-vries")
    response = editor_client.post(
        reverse("admin:officers_officer_add"), officer_form(name="Jan de Vries", slug="eigen")
    )
    assert response.status_code == 302
    created = Officer.objects.exclude(slug="jan-de-vries").get(name="Jan de Vries")
    assert created.slug == "jan-de-vries-2"
    response = editor_client.post(
        reverse("admin:officers_officer_add"), officer_form(name="Jan de Vries")
    )
    assert Officer.objects.filter(slug="jan-de-vries-3").exists()


def test_renaming_keeps_the_slug_residents_bookmarked(editor_client, anna):
    response = editor_client.post(
        change_url(anna), officer_form(anna, name="Anna Jansen", slug="anna-jansen")
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.name, anna.slug) == ("Anna Jansen", "anna-voorbeeld")
    assert editor_client.get("/wijkagent/anna-voorbeeld/").status_code == 200
    html = editor_client.get(change_url(anna)).content.decode()
    assert 'name="slug"' not in html  # shown, but not editable


def test_a_name_with_accents_gives_a_plain_slug(editor_client, db):
    editor_client.post(reverse("admin:officers_officer_add"), officer_form(name="Zoë Çelik-Ünal"))
    assert Officer.objects.get().slug == "zoe-celik-unal"


# -- the introduction and the public page --------------------------------------------------------


def test_a_changed_introduction_shows_on_the_public_profile(editor_client, anna):
    response = editor_client.post(
        change_url(anna), officer_form(anna, intro_nl="Ik fiets elke dinsdag door de wijk.")
    )
    assert response.status_code == 302
    html = editor_client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert "Ik fiets elke dinsdag door de wijk." in html


def test_an_unpublished_officer_disappears_and_the_buurt_falls_back(editor_client, anna):
    response = editor_client.post(change_url(anna), officer_form(anna, is_published=None))
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.is_published is False
    assert editor_client.get("/wijkagent/anna-voorbeeld/").status_code == 404
    assert "Anna Voorbeeld" not in editor_client.get("/wijkagenten/").content.decode()
    buurt_page = editor_client.get("/buurt/BU00010001/")
    assert buurt_page.status_code == 200
    assert "Anna Voorbeeld" not in buurt_page.content.decode()
    assert "anna-voorbeeld" not in buurt_page.content.decode()


# -- photos -------------------------------------------------------------------------------------


def photo_upload(data=None, name="portret.jpg"):
    return SimpleUploadedFile(name, data or image_bytes("PNG"), content_type="image/jpeg")


def test_an_uploaded_photo_is_stored_as_renditions_and_shown_with_its_alt_text(
    editor_client, anna, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            change_url(anna),
            officer_form(
                anna,
                photo=photo_upload(image_bytes("JPEG", exif=gps_exif())),
                photo_alt="Anna in uniform",
            ),
        )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.photo.name.startswith("officers/") and anna.photo.name.endswith("-480.jpg")
    assert anna.photo_small.name.endswith("-160.jpg")
    stored = sorted(path.name for path in (media_root / "officers").iterdir())
    assert len(stored) == 2
    assert all(b"Testcamera" not in (media_root / "officers" / n).read_bytes() for n in stored)
    html = editor_client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert f'src="/media/{anna.photo.name}"' in html
    assert 'alt="Anna in uniform"' in html
    assert "initials--large" not in html


def jpeg_of_size(size: int) -> bytes:
    """A valid JPEG of exactly `size` bytes: a small photo, padded with comment segments."""
    photo = image_bytes("JPEG")
    padding = bytearray()
    left = size - len(photo)
    while left:
        # A comment segment: marker, then a length that counts itself, then up to 65,533 bytes.
        payload = min(left - 4, 65_533)
        if 0 < left - 4 - payload < 4:
            payload -= 4  # leave room for one more whole segment
        padding += b"\xff\xfe" + (payload + 2).to_bytes(2, "big") + b"c" * payload
        left -= payload + 4
    return photo[:2] + bytes(padding) + photo[2:]


def test_a_photo_of_the_largest_size_accepted_fits_the_admins_body_limit(
    editor_client, anna, media_root, django_capture_on_commit_callbacks
):
    """A 5 MB camera photo passes the admin's request size limit (the public one is 16 KB)."""
    data = jpeg_of_size(photos.MAX_UPLOAD_BYTES)
    assert len(data) == photos.MAX_UPLOAD_BYTES >= 5 * 1024 * 1024
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            change_url(anna), officer_form(anna, photo=photo_upload(data), photo_alt="Anna")
        )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.photo.name.endswith("-480.jpg")


def test_a_photo_without_alt_text_is_refused_and_nothing_is_stored(editor_client, anna, media_root):
    response = editor_client.post(
        change_url(anna), officer_form(anna, photo=photo_upload(), photo_alt="")
    )
    assert "Describe the photo" in errors_of(response)
    anna.refresh_from_db()
    assert not anna.photo
    assert not (media_root / "officers").exists()


def test_a_text_file_named_jpg_is_refused_with_a_message(editor_client, anna, media_root):
    response = editor_client.post(
        change_url(anna),
        officer_form(anna, photo=photo_upload(b"geen foto " * 100), photo_alt="Anna"),
    )
    assert "not a JPEG, PNG or WebP photo" in errors_of(response)
    anna.refresh_from_db()
    assert not anna.photo and anna.photo_alt == ""


def test_clearing_the_photo_deletes_the_files_and_shows_the_initials(
    editor_client, anna, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            change_url(anna), officer_form(anna, photo=photo_upload(), photo_alt="Anna")
        )
    anna.refresh_from_db()
    assert len(list((media_root / "officers").iterdir())) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(anna), officer_form(anna, **{"photo-clear": "on"}))
    assert response.status_code == 302
    anna.refresh_from_db()
    assert not anna.photo and not anna.photo_small
    assert list((media_root / "officers").iterdir()) == []
    html = editor_client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert 'class="initials initials--large"' in html


def test_replacing_the_photo_deletes_the_old_files(
    editor_client, anna, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            change_url(anna), officer_form(anna, photo=photo_upload(), photo_alt="Anna")
        )
    anna.refresh_from_db()
    first = anna.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            change_url(anna),
            officer_form(
                anna, photo=photo_upload(image_bytes("WEBP", size=(800, 800))), photo_alt="Anna"
            ),
        )
    anna.refresh_from_db()
    assert anna.photo.name != first
    names = sorted(path.name for path in (media_root / "officers").iterdir())
    assert names == sorted([anna.photo.name.split("/")[-1], anna.photo_small.name.split("/")[-1]])


def test_deleting_an_officer_deletes_the_photo_files(
    client, anna, media_root, django_capture_on_commit_callbacks
):
    from tests.officers.admin_support import make_superuser

    log_in_verified(client, make_superuser())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(change_url(anna), officer_form(anna, photo=photo_upload(), photo_alt="Anna"))
    assert len(list((media_root / "officers").iterdir())) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:officers_officer_delete", args=[anna.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert list((media_root / "officers").iterdir()) == []


def test_the_model_refuses_a_photo_without_alt_text(db):
    from django.core.exceptions import ValidationError

    officer = Officer(name="Piet", slug="piet", photo="officers/piet-480.jpg", photo_alt="  ")
    with pytest.raises(ValidationError) as caught:
        officer.full_clean()
    assert "photo_alt" in caught.value.message_dict


# -- channels -----------------------------------------------------------------------------------


def test_channels_are_normalised_and_refused_per_kind_in_the_form(editor_client, anna):
    old = anna.channels.get()
    rows = [
        {"id": old.pk, "kind": old.kind, "value": old.value, "order": 0, "DELETE": True},
        {"kind": "phone", "value": "+31 45 123 4567", "order": 0, "is_public": True},
        {"kind": "instagram", "value": "https://www.instagram.com/anna", "order": 1},
    ]
    response = editor_client.post(change_url(anna), officer_form(anna, channels=rows))
    assert response.status_code == 302
    values = list(anna.channels.values_list("value", "is_public"))
    assert values == [("045-1234567", True), ("https://www.instagram.com/anna", False)]
    bad = [{"kind": "x", "value": "https://www.facebook.com/anna", "order": 0}]
    response = editor_client.post(change_url(anna), officer_form(anna, channels=bad))
    assert "must point to twitter.com / x.com" in errors_of(response)


# -- assignments --------------------------------------------------------------------------------


def test_an_overlapping_duplicate_assignment_is_refused(editor_client, anna, buurten):
    existing = anna.assignments.get()
    rows = [
        {
            "id": existing.pk,
            "buurt": buurten["west"].pk,
            "role": "primary",
            "valid_from": "2024-01-01",
        },
        {"buurt": buurten["west"].pk, "role": "primary", "valid_from": "2027-01-01"},
    ]
    response = editor_client.post(change_url(anna), officer_form(anna, assignments=rows))
    message = errors_of(response)
    assert "already wijkagent of West (BU00010001) from 1 January 2024" in message
    assert anna.assignments.count() == 1


def test_a_second_role_or_a_following_period_is_fine(editor_client, anna, buurten):
    existing = anna.assignments.get()
    rows = [
        {
            "id": existing.pk,
            "buurt": buurten["west"].pk,
            "role": "primary",
            "valid_from": "2024-01-01",
            "valid_until": "2026-12-31",  # shortened in the same submit as the next period
        },
        {"buurt": buurten["west"].pk, "role": "primary", "valid_from": "2027-01-01"},
        {"buurt": buurten["west"].pk, "role": "deputy", "valid_from": "2024-06-01"},
        {"buurt": buurten["east"].pk, "role": "primary", "valid_from": "2028-01-01"},
    ]
    response = editor_client.post(change_url(anna), officer_form(anna, assignments=rows))
    assert response.status_code == 302, errors_of(response)
    assert anna.assignments.count() == 4


def test_two_new_overlapping_rows_in_one_submit_are_refused(editor_client, anna, buurten):
    rows = [
        {"buurt": buurten["east"].pk, "role": "deputy", "valid_from": "2027-01-01"},
        {
            "buurt": buurten["east"].pk,
            "role": "deputy",
            "valid_from": "2026-01-01",
            "valid_until": "2027-01-01",
        },
    ]
    existing = [
        {"id": a.pk, "buurt": a.buurt_id, "role": a.role, "valid_from": a.valid_from.isoformat()}
        for a in anna.assignments.all()
    ]
    response = editor_client.post(change_url(anna), officer_form(anna, assignments=existing + rows))
    assert "already deputy of Oost (BU00010002)" in errors_of(response)
    assert anna.assignments.count() == 1


def test_the_model_refuses_an_overlap_with_a_stored_assignment(anna, buurten):
    from django.core.exceptions import ValidationError

    clash = Assignment(
        officer=anna, buurt=buurten["west"], role="primary", valid_from=dt.date(2030, 5, 1)
    )
    with pytest.raises(ValidationError, match="already wijkagent of West"):
        clash.full_clean()
    later_only = Assignment(
        officer=anna,
        buurt=buurten["west"],
        role="primary",
        valid_from=dt.date(2023, 1, 1),
        valid_until=dt.date(2023, 12, 31),
    )
    later_only.full_clean()  # ends the day before the stored one starts


def test_a_buurt_of_an_inactive_dataset_is_refused(anna, buurten):
    from django.core.exceptions import ValidationError

    old = factories.make_dataset("old", active=False)
    stale = factories.make_buurt(old, "BU00010009", factories.square(3, 3))
    with pytest.raises(ValidationError, match="active boundary dataset"):
        Assignment(officer=anna, buurt=stale, valid_from=dt.date(2025, 1, 1)).full_clean()


def test_a_future_assignment_is_not_public_yet(editor_client, anna, buurten):
    rows = [
        {"id": a.pk, "buurt": a.buurt_id, "role": a.role, "valid_from": a.valid_from.isoformat()}
        for a in anna.assignments.all()
    ] + [{"buurt": buurten["east"].pk, "role": "primary", "valid_from": "2099-01-01"}]
    assert (
        editor_client.post(change_url(anna), officer_form(anna, assignments=rows)).status_code
        == 302
    )
    assert "Anna Voorbeeld" not in editor_client.get("/buurt/BU00010002/").content.decode()
    assert "Anna Voorbeeld" in editor_client.get("/buurt/BU00010001/").content.decode()


# -- absences -----------------------------------------------------------------------------------


def test_an_absence_points_residents_to_the_deputy(editor_client, anna):
    deputy = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    rows = [
        {
            "starts_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=10)).isoformat(),
            "deputy": deputy.pk,
        }
    ]
    response = editor_client.post(change_url(anna), officer_form(anna, absences=rows))
    assert response.status_code == 302, errors_of(response)
    html = editor_client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert "notice--absence" in html
    assert 'href="/wijkagent/bram-verzonnen/"' in html


def test_an_absence_ending_before_it_starts_or_deputising_for_oneself_is_refused(
    editor_client, anna
):
    rows = [{"starts_on": "2026-05-10", "ends_on": "2026-05-01", "deputy": anna.pk}]
    response = editor_client.post(change_url(anna), officer_form(anna, absences=rows))
    message = errors_of(response)
    assert "last day must be on or after the first day" in message
    assert "deputy must be another officer" in message
    assert not Absence.objects.exists()


# -- history and the bulk action ----------------------------------------------------------------


def test_every_change_is_in_the_history_with_who_and_when(editor_client, anna, settings):
    editor_client.post(change_url(anna), officer_form(anna, rank="Brigadier"))
    entry = LogEntry.objects.get(object_id=str(anna.pk), action_flag=CHANGE)
    assert entry.user == editor_client.user
    assert entry.action_time is not None
    assert entry.get_change_message().startswith("Changed Rank or title.")
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    history = editor_client.get(
        reverse("admin:officers_officer_history", args=[anna.pk])
    ).content.decode()
    assert editor_client.user.username in history
    # The admin is Dutch by default: the field's label too, not only the sentence around it.
    assert "Rang of titel gewijzigd." in history


def test_the_history_names_changed_inline_fields_in_dutch(editor_client, anna, settings):
    channel = anna.channels.get()
    rows = [
        {
            "id": channel.pk,
            "kind": channel.kind,
            "value": "0900-1234",
            "order": channel.order,
            "is_public": True,
        }
    ]
    response = editor_client.post(change_url(anna), officer_form(anna, channels=rows))
    assert response.status_code == 302, errors_of(response)
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    history = editor_client.get(
        reverse("admin:officers_officer_history", args=[anna.pk])
    ).content.decode()
    assert "Waarde voor contactmogelijkheid" in history


def test_marking_profiles_reviewed_today_is_logged(editor_client, anna):
    response = editor_client.post(
        reverse("admin:officers_officer_changelist"),
        {"action": "mark_reviewed_today", "_selected_action": [anna.pk]},
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.reviewed_on == TODAY
    assert LogEntry.objects.filter(object_id=str(anna.pk), user=editor_client.user).exists()


def test_the_change_page_grows_by_one_light_query_per_assignment_at_most(
    editor_client, anna, dataset
):
    """Django's autocomplete widget fetches each row's chosen buurt; nothing else may grow, and
    no query may drag the boundary blobs along."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:officers_officer_change", args=[anna.pk])

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(url).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    with_one = queries()
    for number in range(29):
        buurt = factories.make_buurt(
            dataset, f"BU000300{number:02d}", factories.square(5 + number, 5)
        )
        factories.assign(anna, buurt, valid_from=dt.date(2024, 1, 1))
    with_thirty = queries()
    assert len(with_thirty) - len(with_one) <= 29
    assert not [sql for sql in with_thirty if '"boundary"' in sql]
