"""Absences that contradict each other are refused in the admin; deleting a deputy warns."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from officers.models import Absence
from tests import factories
from tests.officers.admin_support import log_in_verified, make_editor, make_superuser
from tests.officers.test_admin_officers import change_url, errors_of, officer_form

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def english_messages(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def editor_client(client, db):
    log_in_verified(client, make_editor())
    return client


@pytest.fixture
def anna(buurten):
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", intro_nl="Hallo!")
    factories.assign(officer, buurten["west"])
    return officer


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def long(offset: int) -> str:
    moment = TODAY + dt.timedelta(days=offset)
    return f"{moment.day} {moment:%B %Y}"


def test_an_absence_overlapping_a_stored_one_is_refused_naming_it(editor_client, anna):
    stored = Absence.objects.create(
        officer=anna, starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=10)
    )
    rows = [
        {"id": stored.pk, "starts_on": day(0), "ends_on": day(10)},
        {"starts_on": day(5), "ends_on": day(20)},
    ]
    message = errors_of(editor_client.post(change_url(anna), officer_form(anna, absences=rows)))
    assert f"already away from {long(0)} until {long(10)}" in message
    assert Absence.objects.count() == 1


def test_two_new_overlapping_absences_in_one_submit_are_refused(editor_client, anna):
    rows = [{"starts_on": day(1), "ends_on": day(4)}, {"starts_on": day(4), "ends_on": day(8)}]
    message = errors_of(editor_client.post(change_url(anna), officer_form(anna, absences=rows)))
    assert f"already away from {long(1)} until {long(4)}" in message
    assert not Absence.objects.exists()


def test_moving_an_absence_next_to_another_is_accepted(editor_client, anna):
    first = Absence.objects.create(officer=anna, starts_on=TODAY, ends_on=TODAY)
    rows = [
        {"id": first.pk, "starts_on": day(0), "ends_on": day(3)},
        {"starts_on": day(4), "ends_on": day(8)},
    ]
    response = editor_client.post(change_url(anna), officer_form(anna, absences=rows))
    assert response.status_code == 302
    assert Absence.objects.count() == 2


def test_a_deputy_who_is_away_himself_is_refused_naming_his_absence(editor_client, anna):
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    Absence.objects.create(
        officer=bram, starts_on=TODAY + dt.timedelta(days=3), ends_on=TODAY + dt.timedelta(days=6)
    )
    rows = [{"starts_on": day(0), "ends_on": day(4), "deputy": bram.pk}]
    message = errors_of(editor_client.post(change_url(anna), officer_form(anna, absences=rows)))
    assert f"Bram Verzonnen cannot be the deputy: Bram Verzonnen is away from {long(3)}" in message
    assert not Absence.objects.filter(officer=anna).exists()
    rows = [{"starts_on": day(0), "ends_on": day(2), "deputy": bram.pk}]
    response = editor_client.post(change_url(anna), officer_form(anna, absences=rows))
    assert response.status_code == 302


def test_an_absence_entered_later_for_the_deputy_is_kept_with_a_warning_naming_the_clash(
    editor_client, anna
):
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    Absence.objects.create(
        officer=anna, starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=4), deputy=bram
    )
    rows = [{"starts_on": day(3), "ends_on": day(6)}]
    response = editor_client.post(change_url(bram), officer_form(bram, absences=rows), follow=True)
    assert Absence.objects.filter(officer=bram).count() == 1  # an absence is a fact: recorded
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert (
        f"Bram Verzonnen is the deputy for Anna Voorbeeld from {long(0)} until {long(4)}, but is "
        f"away from {long(3)} until {long(6)}. Choose another deputy for that absence of Anna "
        "Voorbeeld. Until you do, residents are asked to call 0900-8844 on the days Bram "
        "Verzonnen is away." in " ".join(warnings)
    ), warnings


def test_the_warning_names_the_deputys_absence_just_entered_not_an_earlier_clash(
    editor_client, anna
):
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    Absence.objects.create(
        officer=anna, starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=10), deputy=bram
    )
    # A clash recorded before: Bram is away on days 2 and 3 of Anna's absence.
    earlier = Absence.objects.create(
        officer=bram, starts_on=TODAY + dt.timedelta(days=2), ends_on=TODAY + dt.timedelta(days=3)
    )
    rows = [
        {"id": earlier.pk, "starts_on": day(2), "ends_on": day(3)},
        {"starts_on": day(7), "ends_on": day(9)},
    ]
    response = editor_client.post(change_url(bram), officer_form(bram, absences=rows), follow=True)
    assert Absence.objects.filter(officer=bram).count() == 2
    warnings = " ".join(str(m) for m in response.context["messages"] if m.level_tag == "warning")
    assert (
        f"Bram Verzonnen is the deputy for Anna Voorbeeld from {long(0)} until {long(10)}, but is "
        f"away from {long(7)} until {long(9)}." in warnings
    ), warnings
    assert f"away from {long(2)}" not in warnings


def test_a_stored_absence_whose_deputy_is_away_since_does_not_block_the_profile(
    editor_client, anna
):
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    stored = Absence.objects.create(
        officer=anna, starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=4), deputy=bram
    )
    Absence.objects.create(
        officer=bram, starts_on=TODAY + dt.timedelta(days=3), ends_on=TODAY + dt.timedelta(days=6)
    )
    response = editor_client.post(change_url(anna), officer_form(anna, intro_nl="Nieuw"))
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.intro_nl == "Nieuw"
    # Changing that absence is checked again, and refused while the deputy is away in it.
    rows = [{"id": stored.pk, "starts_on": day(0), "ends_on": day(5), "deputy": bram.pk}]
    message = errors_of(editor_client.post(change_url(anna), officer_form(anna, absences=rows)))
    assert f"Bram Verzonnen cannot be the deputy: Bram Verzonnen is away from {long(3)}" in message
    assert Absence.objects.get(pk=stored.pk).ends_on == TODAY + dt.timedelta(days=4)


def test_deleting_an_officer_who_is_a_deputy_warns_before_it_is_confirmed(client, anna):
    log_in_verified(client, make_superuser())
    bram = factories.make_officer("Bram Verzonnen", slug="bram-verzonnen")
    Absence.objects.create(
        officer=anna, starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=5), deputy=bram
    )
    url = reverse("admin:officers_officer_delete", args=[bram.pk])
    page = client.get(url).content.decode()
    assert "Deleting leaves absences without a deputy" in page
    assert f"Bram Verzonnen for Anna Voorbeeld from {long(0)} until {long(5)}" in page
    bulk = client.post(
        reverse("admin:officers_officer_changelist"),
        {"action": "delete_selected", "_selected_action": [bram.pk]},
    )
    assert "Deleting leaves absences without a deputy" in bulk.content.decode()
    assert "Are you sure" in bulk.content.decode()
