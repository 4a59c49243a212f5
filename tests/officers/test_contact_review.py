"""Editors' changes to contact details: kept with who, when, before and after, listed on the
coverage page until someone else reviews them, and undone there in one step."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from neighbourhoods.models import Municipality
from officers import contact_review
from officers.models import ContactChange, ContactChannel, Station
from tests import factories
from tests.officers.admin_support import log_in_verified, make_editor, make_superuser
from tests.officers.test_admin_officers import change_url, errors_of, officer_form
from tests.officers.test_admin_places import station_form

pytestmark = pytest.mark.usefixtures("english_messages")

COVERAGE = "/beheer/officers/officer/coverage/"


@pytest.fixture
def anna(db):
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.add_channel(officer, ContactChannel.Kind.PHONE, "045-1234567")
    return officer


def signed_in(user: User) -> Client:
    client = Client()
    log_in_verified(client, user)
    return client


def channel_rows(officer, **changes):
    rows = []
    for channel in officer.channels.all():
        row = {
            "id": channel.pk,
            "kind": channel.kind,
            "value": channel.value,
            "order": channel.order,
            "is_public": channel.is_public,
        }
        row.update(changes.get(channel.pk, {}))
        rows.append(row)
    return rows


def test_an_editors_phone_change_is_listed_and_reverted_in_one_step(anna):
    editor = make_editor()
    phone = anna.channels.get()
    client = signed_in(editor)
    rows = channel_rows(anna, **{str(phone.pk): {}})
    rows[0]["value"] = "06-12345678"
    response = client.post(change_url(anna), officer_form(anna, channels=rows))
    assert response.status_code == 302
    phone.refresh_from_db()
    assert phone.value == "06-12345678"

    change = ContactChange.objects.get()
    assert (change.what, change.old_value, change.new_value) == (
        "changed",
        "045-1234567",
        "06-12345678",
    )
    assert change.changed_by == editor and change.officer == anna

    reviewer = signed_in(make_editor("collega"))
    page = reviewer.get(COVERAGE).content.decode()
    row = page.split(f'id="contact-change-{change.pk}"')[1].split("</tr>")[0]
    assert "redacteur" in row and "Anna Voorbeeld" in row
    assert "045-1234567" in row and "06-12345678" in row
    assert change.changed_at.astimezone().strftime("%H:%M") in row

    response = reviewer.post(reverse("admin:officers_contactchange_revert", args=[change.pk]))
    assert response.status_code == 302
    phone.refresh_from_db()
    assert phone.value == "045-1234567"
    assert "045-1234567" in reviewer.get("/wijkagent/anna-voorbeeld/").content.decode()
    change.refresh_from_db()
    assert change.reverted_by.username == "collega" and change.reverted_at is not None

    page = reviewer.get(COVERAGE).content.decode()
    assert f'id="contact-change-{change.pk}"' not in page
    assert "Reverted: Anna Voorbeeld has 045-1234567 again." in page
    assert "reverted by collega on" in page
    # Reverting twice changes nothing more.
    reviewer.post(reverse("admin:officers_contactchange_revert", args=[change.pk]))
    assert "That change was reverted already." in reviewer.get(COVERAGE).content.decode()


def test_an_added_channel_is_removed_and_a_removed_one_restored(anna):
    client = signed_in(make_editor())
    phone = anna.channels.get()
    rows = channel_rows(anna)
    rows[0]["DELETE"] = True
    rows.append({"kind": "whatsapp", "value": "06-29999999", "order": 1, "is_public": True})
    response = client.post(change_url(anna), officer_form(anna, channels=rows))
    assert response.status_code == 302, errors_of(response)
    assert list(anna.channels.values_list("value", flat=True)) == ["06-29999999"]
    removed = ContactChange.objects.get(what="removed")
    added = ContactChange.objects.get(what="added")
    assert removed.old_value == phone.value and added.new_value == "06-29999999"

    superuser = signed_in(make_superuser())
    for change in (added, removed):
        superuser.post(reverse("admin:officers_contactchange_revert", args=[change.pk]))
    assert list(anna.channels.values_list("kind", "value", "is_public")) == [
        ("phone", "045-1234567", True)
    ]
    # The whole history stays for superusers, read-only.
    history = superuser.get(reverse("admin:officers_contactchange_changelist"))
    assert "06-29999999" in history.content.decode()
    assert superuser.get(reverse("admin:officers_contactchange_add")).status_code == 403


def test_making_a_hidden_number_public_is_a_change_too(anna):
    hidden = factories.add_channel(anna, ContactChannel.Kind.PHONE, "06-11111111", public=False)
    client = signed_in(make_editor())
    rows = channel_rows(anna, **{})
    for row in rows:
        if row["id"] == hidden.pk:
            row["is_public"] = True
    client.post(change_url(anna), officer_form(anna, channels=rows))
    change = ContactChange.objects.get()
    assert (change.old_is_public, change.new_is_public) == (False, True)
    contact_review.revert(change_id=change.pk, user=make_superuser())
    hidden.refresh_from_db()
    assert hidden.is_public is False


def test_an_editors_station_phone_change_is_listed_and_reverted(db):
    station = Station.objects.create(
        name="Bureau Kerkrade",
        street_address="Markt 1",
        postcode="6461EC",
        city="Kerkrade",
        lat=50.866,
        lon=6.062,
        phone="0900-8844",
    )
    client = signed_in(make_editor())
    response = client.post(
        reverse("admin:officers_station_change", args=[station.pk]),
        station_form(phone="045-5555555"),
    )
    assert response.status_code == 302
    change = ContactChange.objects.get()
    assert (change.what, change.station, change.old_value) == (
        "station_phone",
        station,
        "0900-8844",
    )
    page = signed_in(make_superuser()).get(COVERAGE).content.decode()
    assert "Bureau Kerkrade" in page and "045-5555555" in page
    contact_review.revert(change_id=change.pk, user=make_superuser("baas2"))
    station.refresh_from_db()
    assert station.phone == "0900-8844"


def test_changes_by_a_superuser_or_of_other_fields_are_not_listed(anna):
    superuser = signed_in(make_superuser())
    rows = channel_rows(anna)
    rows[0]["value"] = "06-12345678"
    superuser.post(change_url(anna), officer_form(anna, channels=rows))
    editor = signed_in(make_editor())
    editor.post(change_url(anna), officer_form(anna, intro_nl="Nieuwe introductie."))
    assert not ContactChange.objects.exists()


def test_a_change_made_again_since_is_not_thrown_away(anna):
    editor = make_editor()
    client = signed_in(editor)
    for value in ("06-12345678", "06-87654321"):
        rows = channel_rows(anna)
        rows[0]["value"] = value
        client.post(change_url(anna), officer_form(anna, channels=rows))
    first, second = ContactChange.objects.order_by("pk")
    with pytest.raises(contact_review.ChangeRefused, match="changed again since"):
        contact_review.revert(change_id=first.pk, user=make_superuser())
    contact_review.revert(change_id=second.pk, user=make_superuser("baas2"))
    assert anna.channels.get().value == "06-12345678"


def test_review_is_by_someone_else_and_takes_the_change_off_the_list(anna):
    editor = make_editor()
    client = signed_in(editor)
    rows = channel_rows(anna)
    rows[0]["value"] = "06-12345678"
    client.post(change_url(anna), officer_form(anna, channels=rows))
    change = ContactChange.objects.get()
    review = reverse("admin:officers_contactchange_review", args=[change.pk])

    page = client.get(COVERAGE).content.decode()
    assert review not in page  # no button for one's own change
    client.post(review)
    change.refresh_from_db()
    assert change.reviewed_at is None

    other = signed_in(make_editor("collega"))
    other.post(review)
    change.refresh_from_db()
    assert change.reviewed_by.username == "collega"
    page = other.get(COVERAGE).content.decode()
    assert f'id="contact-change-{change.pk}"' not in page
    assert "reviewed by collega on" in page
    assert anna.channels.get().value == "06-12345678"


def test_revert_and_review_are_posts_for_staff_with_the_right_only(anna):
    change = ContactChange.objects.create(
        officer=anna,
        channel=anna.channels.get(),
        what="changed",
        old_kind="phone",
        old_value="0900-8844",
        old_is_public=True,
        new_kind="phone",
        new_value="045-1234567",
        new_is_public=True,
    )
    revert = reverse("admin:officers_contactchange_revert", args=[change.pk])
    # Anonymous: to the login page; nothing changes.
    assert Client().post(revert)["Location"].startswith("/beheer/login/")
    # Staff without editing rights: refused.
    outsider = signed_in(User.objects.create_user("buiten", password="x" * 12, is_staff=True))
    assert outsider.post(revert).status_code == 403
    # A GET changes nothing.
    editor = signed_in(make_editor())
    assert editor.get(revert).status_code == 405
    # Without the CSRF token: refused.
    csrf_checked = Client(enforce_csrf_checks=True)
    log_in_verified(csrf_checked, make_editor("collega"))
    assert csrf_checked.post(revert).status_code == 403
    assert anna.channels.get().value == "045-1234567"
    change.refresh_from_db()
    assert change.reverted_at is None


def test_the_coverage_page_lists_changes_in_a_fixed_number_of_queries(
    anna, django_assert_max_num_queries
):
    client = signed_in(make_editor())
    for number in range(5):
        rows = channel_rows(anna)
        rows[0]["value"] = f"06-1234567{number}"
        client.post(change_url(anna), officer_form(anna, channels=rows))
    reviewer = signed_in(make_superuser())
    reviewer.get(COVERAGE)
    with django_assert_max_num_queries(20) as captured:
        reviewer.get(COVERAGE)
    few = len(captured.captured_queries)
    for number in range(5):
        rows = channel_rows(anna)
        rows[0]["value"] = f"06-7654321{number}"
        client.post(change_url(anna), officer_form(anna, channels=rows))
    with django_assert_max_num_queries(few):
        reviewer.get(COVERAGE)


def test_a_regional_editor_reviews_and_reverts_only_in_their_region(db):
    national = make_editor("landelijk")
    regional = make_editor("heerlen", gemeenten=["GM0001"])
    far_editor = make_editor("elders", gemeenten=["GM0002"])
    home, far = (Municipality.objects.get(code=code) for code in ("GM0001", "GM0002"))
    changes = {}
    for name, municipality in (("Anna Thuis", home), ("Bert Ver", far)):
        officer = factories.make_officer(name, municipality=municipality)
        channel = factories.add_channel(officer, ContactChannel.Kind.PHONE, "06-12345678")
        changes[name] = ContactChange.objects.create(
            officer=officer,
            channel=channel,
            what="changed",
            old_kind="phone",
            old_value="045-1234567",
            old_is_public=True,
            new_kind="phone",
            new_value="06-12345678",
            new_is_public=True,
            changed_by=national,
        )
    far_page = signed_in(far_editor).get(COVERAGE).content.decode()
    assert f'id="contact-change-{changes["Anna Thuis"].pk}"' not in far_page
    client = signed_in(regional)
    page = client.get(COVERAGE).content.decode()
    assert f'id="contact-change-{changes["Anna Thuis"].pk}"' in page
    assert f'id="contact-change-{changes["Bert Ver"].pk}"' not in page
    client.post(reverse("admin:officers_contactchange_revert", args=[changes["Bert Ver"].pk]))
    assert "That change is no longer listed." in client.get(COVERAGE).content.decode()
    changes["Bert Ver"].refresh_from_db()
    assert changes["Bert Ver"].reverted_at is None
    client.post(reverse("admin:officers_contactchange_revert", args=[changes["Anna Thuis"].pk]))
    changes["Anna Thuis"].refresh_from_db()
    assert changes["Anna Thuis"].reverted_by == regional
