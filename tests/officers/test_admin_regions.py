"""Regional editors: an editor of one municipality reaches only its buurten, officers, stations and
events, by list, choice, autocomplete or direct URL; superusers and national editors reach all.

The map: municipality GM0001 holds the conftest buurten (west, east, north); GM0002 holds one buurt,
"Ver", far to the east. Editor "heerlen" edits GM0001, editor "elders" edits GM0002.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import Municipality
from officers.models import Assignment, Event, Officer, Station
from tests import factories
from tests.officers.admin_support import (
    log_in_verified,
    make_editor,
    make_outsider,
    make_superuser,
)
from tests.officers.test_admin_editors import create_editor
from tests.officers.test_admin_officers import errors_of, officer_form

pytestmark = pytest.mark.usefixtures("english_messages")

ALLOWED, FORBIDDEN = 200, 403


@pytest.fixture
def region(buurten, dataset):
    home = Municipality.objects.get(code="GM0001")
    far_buurt = factories.make_buurt(dataset, "BU00020001", factories.square(9, 9), name="Ver")
    far = far_buurt.wijk.municipality
    far.name = "Verweg"
    far.save()
    station_home = factories.make_station("Bureau Thuis")
    station_home.municipality = home
    station_home.save()
    station_far = factories.make_station("Bureau Ver", lon=5.995, lat=50.995)
    station_far.municipality = far
    station_far.save()
    local = factories.make_officer("Anna Thuis", station=station_home, municipality=home)
    factories.assign(local, buurten["west"])
    foreign = factories.make_officer("Bert Ver", station=station_far, municipality=far)
    factories.assign(foreign, far_buurt)
    spanning = factories.make_officer("Cor Beide", municipality=far)
    factories.assign(spanning, buurten["east"])
    factories.assign(spanning, far_buurt)
    newcomer = factories.make_officer("Dirk Nieuw", is_published=False, municipality=far)
    start = timezone.make_aware(dt.datetime(2026, 12, 1, 19, 0))
    event = Event.objects.create(
        officer=foreign,
        title="Spreekuur Ver",
        place="Buurthuis",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    return {
        "home": home,
        "far": far,
        "far_buurt": far_buurt,
        "station_home": station_home,
        "station_far": station_far,
        "local": local,
        "foreign": foreign,
        "spanning": spanning,
        "newcomer": newcomer,
        "event": event,
        "buurten": buurten,
    }


@pytest.fixture
def heerlen(client, region):
    log_in_verified(client, make_editor("heerlen", gemeenten=["GM0001"]))
    return client


def officer_names(response) -> set[str]:
    return {officer.name for officer in response.context["cl"].result_list}


# -- who sees which list ------------------------------------------------------------------------


def test_an_editor_lists_the_officers_of_their_region_and_those_spanning_it(heerlen, region):
    response = heerlen.get(reverse("admin:officers_officer_changelist"))
    assert officer_names(response) == {"Anna Thuis", "Cor Beide"}


def test_the_other_regions_editor_lists_theirs_including_one_without_a_buurt(client, region):
    log_in_verified(client, make_editor("elders", gemeenten=["GM0002"]))
    response = client.get(reverse("admin:officers_officer_changelist"))
    assert officer_names(response) == {"Bert Ver", "Cor Beide", "Dirk Nieuw"}


@pytest.mark.parametrize("make_user", [make_superuser, make_editor], ids=["superuser", "national"])
def test_superusers_and_national_editors_list_everyone(client, region, make_user):
    log_in_verified(client, make_user())
    response = client.get(reverse("admin:officers_officer_changelist"))
    assert officer_names(response) == {"Anna Thuis", "Bert Ver", "Cor Beide", "Dirk Nieuw"}


def test_an_editor_without_a_municipality_sees_no_officers(client, region):
    editor = make_editor("nergens", gemeenten=[])
    log_in_verified(client, editor)
    response = client.get(reverse("admin:officers_officer_changelist"))
    assert officer_names(response) == set()


def test_stations_events_and_buurten_are_listed_by_region(heerlen, region):
    stations = heerlen.get(reverse("admin:officers_station_changelist")).context["cl"].result_list
    assert [station.name for station in stations] == ["Bureau Thuis"]
    events = heerlen.get(reverse("admin:officers_event_changelist")).context["cl"].result_list
    assert list(events) == []
    buurten = heerlen.get(reverse("admin:neighbourhoods_buurt_changelist")).context["cl"]
    assert {buurt.code for buurt in buurten.result_list} == {
        "BU00010001",
        "BU00010002",
        "BU00010003",
    }


# -- direct URLs --------------------------------------------------------------------------------


def object_urls(region):
    """(name, url) of every object page of an object in GM0002 only."""
    urls = []
    for model, obj in (
        ("officer", region["foreign"]),
        ("officer", region["newcomer"]),
        ("station", region["station_far"]),
        ("event", region["event"]),
    ):
        for page in ("change", "delete", "history"):
            urls.append(
                (
                    f"{model} {obj.pk} {page}",
                    reverse(f"admin:officers_{model}_{page}", args=[obj.pk]),
                )
            )
    for page in ("change", "history"):
        urls.append(
            (
                f"buurt {page}",
                reverse(f"admin:neighbourhoods_buurt_{page}", args=[region["far_buurt"].pk]),
            )
        )
    return urls


def test_another_regions_objects_are_refused_by_direct_url(client, region):
    """Anonymous: to the login page; staff outside the group: 403; the region's own editor: 200;
    the other region's editor: 403, for every page of every object."""
    heerlen = make_editor("heerlen", gemeenten=["GM0001"])
    elders = make_editor("elders", gemeenten=["GM0002"])
    outsider = make_outsider()
    for name, url in object_urls(region):
        client.logout()
        assert client.get(url).status_code == 302, name
        log_in_verified(client, outsider)
        assert client.get(url).status_code == FORBIDDEN, name
        log_in_verified(client, heerlen)
        assert client.get(url).status_code == FORBIDDEN, name
        log_in_verified(client, elders)
        assert client.get(url).status_code == ALLOWED, name


def test_a_forged_delete_of_another_regions_officer_deletes_nothing(heerlen, region):
    url = reverse("admin:officers_officer_delete", args=[region["foreign"].pk])
    assert heerlen.post(url, {"post": "yes"}).status_code == FORBIDDEN
    assert Officer.objects.filter(pk=region["foreign"].pk).exists()


def test_the_bulk_delete_action_ignores_ids_from_another_region(heerlen, region):
    url = reverse("admin:officers_officer_changelist")
    heerlen.post(
        url,
        {
            "action": "delete_selected",
            "_selected_action": [region["foreign"].pk, region["local"].pk],
            "post": "yes",
        },
    )
    assert Officer.objects.filter(pk=region["foreign"].pk).exists()
    assert not Officer.objects.filter(pk=region["local"].pk).exists()


def test_an_officer_spanning_two_regions_is_not_deleted_by_one_editor(heerlen, region):
    """Deleting would end the other region's assignments, which are not this editor's to end."""
    url = reverse("admin:officers_officer_delete", args=[region["spanning"].pk])
    assert heerlen.post(url, {"post": "yes"}).status_code == FORBIDDEN
    assert Officer.objects.filter(pk=region["spanning"].pk).exists()


def test_a_staff_user_who_is_not_active_reaches_nothing(client, region):
    editor = make_editor("weg", gemeenten=["GM0001"])
    User.objects.filter(pk=editor.pk).update(is_active=False)
    log_in_verified(client, editor)
    url = reverse("admin:officers_officer_change", args=[region["local"].pk])
    assert client.get(url).status_code == 302


# -- autocomplete -------------------------------------------------------------------------------


def autocomplete(client, *, model_name, field_name, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "officers", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [row["text"] for row in json.loads(response.content)["results"]]


def test_the_buurt_autocomplete_offers_the_region_by_code_and_name(heerlen, region):
    offered = autocomplete(heerlen, model_name="assignment", field_name="buurt")
    assert offered == ["West (BU00010001)", "Oost (BU00010002)", "Noord (BU00010003)"]
    assert autocomplete(heerlen, model_name="assignment", field_name="buurt", term="Ver") == []
    assert autocomplete(heerlen, model_name="assignment", field_name="buurt", term="BU0002") == []
    assert autocomplete(heerlen, model_name="assignment", field_name="buurt", term="0002") == [
        "Oost (BU00010002)"
    ]


def test_the_officer_autocompletes_offer_the_region(heerlen, region):
    for model_name, field_name in (("absence", "deputy"), ("event", "officer")):
        assert autocomplete(heerlen, model_name=model_name, field_name=field_name) == [
            "Anna Thuis",
            "Cor Beide",
        ]


def test_the_autocomplete_is_refused_to_an_outsider_and_anonymous(client, region):
    query = {"app_label": "officers", "model_name": "assignment", "field_name": "buurt"}
    assert client.get(reverse("admin:autocomplete"), query).status_code == 302
    log_in_verified(client, make_outsider())
    assert client.get(reverse("admin:autocomplete"), query).status_code == FORBIDDEN


# -- forms and forged posts ---------------------------------------------------------------------


def change_url(officer):
    return reverse("admin:officers_officer_change", args=[officer.pk])


def test_a_forged_assignment_to_another_regions_buurt_is_refused(heerlen, region):
    local = region["local"]
    data = officer_form(local, municipality=region["home"].pk)
    data.update(
        {
            "assignments-TOTAL_FORMS": "2",
            "assignments-1-buurt": str(region["far_buurt"].pk),
            "assignments-1-role": Assignment.Role.PRIMARY,
            "assignments-1-valid_from": "2026-01-01",
            "assignments-1-officer": str(local.pk),
        }
    )
    response = heerlen.post(change_url(local), data)
    assert "Select a valid choice" in errors_of(response)
    assert not Assignment.objects.filter(officer=local, buurt=region["far_buurt"]).exists()


def test_another_assignment_to_a_foreign_buurt_the_officer_has_is_refused(heerlen, region):
    """The field accepts the officer's own buurten (so their rows come back unchanged); a new row
    to one of them in another region is still refused."""
    spanning = region["spanning"]
    data = officer_form(spanning, municipality=region["far"].pk)
    total = int(data["assignments-TOTAL_FORMS"])
    data.update(
        {
            "assignments-TOTAL_FORMS": str(total + 1),
            f"assignments-{total}-buurt": str(region["far_buurt"].pk),
            f"assignments-{total}-role": Assignment.Role.DEPUTY,
            f"assignments-{total}-valid_from": "2026-01-01",
            f"assignments-{total}-officer": str(spanning.pk),
        }
    )
    response = heerlen.post(change_url(spanning), data)
    assert "Ver (BU00020001) lies outside them" in errors_of(response)
    assert Assignment.objects.filter(officer=spanning).count() == 2


def test_an_editor_may_not_end_or_delete_the_other_regions_assignment(heerlen, region):
    spanning = region["spanning"]
    far = Assignment.objects.get(officer=spanning, buurt=region["far_buurt"])
    rows = officer_form(spanning, municipality=region["far"].pk)
    index = next(
        key.split("-")[1]
        for key, value in rows.items()
        if key.endswith("-id") and key.startswith("assignments-") and value == str(far.pk)
    )
    ended = {**rows, f"assignments-{index}-valid_until": "2026-01-31"}
    assert "lies outside them" in errors_of(heerlen.post(change_url(spanning), ended))
    deleted = {**rows, f"assignments-{index}-DELETE": "on"}
    assert "lies outside them" in errors_of(heerlen.post(change_url(spanning), deleted))
    far.refresh_from_db()
    assert far.valid_until is None


def test_an_officer_spanning_two_regions_is_edited_by_both(client, region):
    spanning = region["spanning"]
    for username, code in (("heerlen", "GM0001"), ("elders", "GM0002")):
        log_in_verified(client, make_editor(username, gemeenten=[code]))
        data = officer_form(spanning, municipality=region["far"].pk, rank=f"Rang {username}")
        response = client.post(change_url(spanning), data)
        assert response.status_code == 302, errors_of(response)
        spanning.refresh_from_db()
        assert spanning.rank == f"Rang {username}"
    # The other region's assignment came through both saves untouched.
    assert Assignment.objects.filter(officer=spanning, valid_until__isnull=True).count() == 2


def test_an_editor_adds_and_ends_assignments_in_their_own_region(heerlen, region):
    spanning = region["spanning"]
    east = Assignment.objects.get(officer=spanning, buurt=region["buurten"]["east"])
    data = officer_form(spanning, municipality=region["far"].pk)
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("assignments-") and key.endswith("-id") and value == str(east.pk)
    )
    data[f"assignments-{index}-valid_until"] = "2026-01-31"
    total = int(data["assignments-TOTAL_FORMS"])
    data.update(
        {
            "assignments-TOTAL_FORMS": str(total + 1),
            f"assignments-{total}-buurt": str(region["buurten"]["north"].pk),
            f"assignments-{total}-role": Assignment.Role.PRIMARY,
            f"assignments-{total}-valid_from": "2026-02-01",
            f"assignments-{total}-officer": str(spanning.pk),
        }
    )
    response = heerlen.post(change_url(spanning), data)
    assert response.status_code == 302, errors_of(response)
    east.refresh_from_db()
    assert east.valid_until == dt.date(2026, 1, 31)
    assert Assignment.objects.filter(officer=spanning, buurt=region["buurten"]["north"]).exists()


def test_a_forged_station_or_municipality_of_another_region_is_refused(heerlen, region):
    local = region["local"]
    station = officer_form(local, municipality=region["home"].pk, station=region["station_far"].pk)
    assert "Select a valid choice" in errors_of(heerlen.post(change_url(local), station))
    moved = officer_form(local, municipality=region["far"].pk)
    assert "Select a valid choice" in errors_of(heerlen.post(change_url(local), moved))
    local.refresh_from_db()
    assert (local.station, local.municipality) == (region["station_home"], region["home"])


def test_a_forged_deputy_from_another_region_is_refused(heerlen, region):
    local = region["local"]
    data = officer_form(
        local,
        municipality=region["home"].pk,
        absences=[
            {"starts_on": "2026-12-01", "ends_on": "2026-12-10", "deputy": region["foreign"].pk}
        ],
    )
    assert "Select a valid choice" in errors_of(heerlen.post(change_url(local), data))


def test_a_new_officer_gets_the_editors_municipality_and_stays_in_reach(heerlen, region):
    form = heerlen.get(reverse("admin:officers_officer_add")).context["adminform"].form
    assert form.fields["municipality"].initial == region["home"].pk
    assert list(form.fields["municipality"].queryset) == [region["home"]]
    assert list(form.fields["station"].queryset) == [region["station_home"]]
    data = officer_form(name="Eva Nieuw", municipality=region["home"].pk)
    response = heerlen.post(reverse("admin:officers_officer_add"), data)
    assert response.status_code == 302, errors_of(response)
    created = Officer.objects.get(name="Eva Nieuw")
    assert heerlen.get(change_url(created)).status_code == ALLOWED


def test_a_regional_editor_must_name_the_municipality_of_a_new_officer(heerlen, region):
    response = heerlen.post(reverse("admin:officers_officer_add"), officer_form(name="Eva Nieuw"))
    assert "This field is required" in errors_of(response)


def test_a_forged_event_for_another_regions_officer_is_refused(heerlen, region):
    response = heerlen.post(
        reverse("admin:officers_event_add"),
        {
            "officer": region["foreign"].pk,
            "title": "Nep",
            "place": "Ergens",
            "starts_at_0": "2026-12-20",
            "starts_at_1": "19:00",
            "ends_at_0": "2026-12-20",
            "ends_at_1": "20:00",
            "recurrence": Event.Recurrence.ONCE,
        },
    )
    assert response.status_code == 200
    assert "officer" in response.context["adminform"].form.errors
    assert not Event.objects.filter(title="Nep").exists()


# -- coverage -----------------------------------------------------------------------------------


def test_the_coverage_page_lists_the_regions_gaps_only(heerlen, client, region):
    response = heerlen.get(reverse("admin:officers_coverage"))
    gaps = response.context["gaps"]
    assert [buurt.code for buurt in gaps.buurten_without_officer.items] == ["BU00010003"]
    page = response.content.decode()
    assert "The gaps in the municipalities you edit: Testgemeente." in page
    assert "Verweg" not in page
    stale = {officer.name for officer in gaps.stale_profiles.items}
    assert stale == {"Anna Thuis", "Cor Beide"}
    log_in_verified(client, make_superuser())
    everything = client.get(reverse("admin:officers_coverage")).context["gaps"]
    assert {o.name for o in everything.stale_profiles.items} == {
        "Anna Thuis",
        "Bert Ver",
        "Cor Beide",
    }


# -- create_editor --gemeente -------------------------------------------------------------------


def test_create_editor_scopes_the_account_to_the_given_municipalities(client, region, monkeypatch):
    output = create_editor(
        "redacteur", "--gemeente", "GM0001", "--gemeente", "0002", monkeypatch=monkeypatch
    )
    assert "Edits in: Testgemeente (GM0001), Verweg (GM0002)." in output
    log_in_verified(client, User.objects.get(username="redacteur"))
    response = client.get(reverse("admin:officers_officer_changelist"))
    assert officer_names(response) == {"Anna Thuis", "Bert Ver", "Cor Beide", "Dirk Nieuw"}


def test_create_editor_adds_a_municipality_to_an_existing_editor(client, region, monkeypatch):
    create_editor("redacteur", "--gemeente", "GM0002", monkeypatch=monkeypatch)
    output = create_editor("redacteur", "--gemeente", "GM0001", monkeypatch=monkeypatch)
    assert "Updated editor redacteur" in output
    assert "Edits in: Testgemeente (GM0001), Verweg (GM0002)." in output


def test_create_editor_refuses_an_unknown_code_and_creates_nothing(region, monkeypatch):
    with pytest.raises(CommandError, match="GM9999"):
        create_editor("redacteur", "--gemeente", "GM9999", monkeypatch=monkeypatch)
    assert not User.objects.filter(username="redacteur").exists()


def test_create_editor_says_an_editor_without_a_municipality_sees_nothing(
    client, region, monkeypatch
):
    output = create_editor("redacteur", monkeypatch=monkeypatch)
    assert "Edits in no municipality yet" in output
    log_in_verified(client, User.objects.get(username="redacteur"))
    assert officer_names(client.get(reverse("admin:officers_officer_changelist"))) == set()


def test_create_editor_national_reaches_every_municipality(client, region, monkeypatch):
    output = create_editor("redacteur", "--national", monkeypatch=monkeypatch)
    assert "Edits in every municipality." in output
    log_in_verified(client, User.objects.get(username="redacteur"))
    response = client.get(reverse("admin:officers_officer_changelist"))
    assert len(officer_names(response)) == 4


def test_a_heerlen_editor_keeps_every_demo_officer_and_station(client, db):
    call_command("load_demo", stdout=io.StringIO())
    log_in_verified(client, make_editor("heerlen", gemeenten=["GM0917"]))
    officers = client.get(reverse("admin:officers_officer_changelist")).context["cl"]
    assert officers.result_count == Officer.objects.count() > 0
    stations = client.get(reverse("admin:officers_station_changelist")).context["cl"]
    assert stations.result_count == Station.objects.count() > 0
    log_in_verified(client, make_editor("elders", gemeenten=["GM0002"]))
    officers = client.get(reverse("admin:officers_officer_changelist")).context["cl"]
    assert officers.result_count == 0
