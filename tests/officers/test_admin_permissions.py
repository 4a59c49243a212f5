"""Who may open which admin page: anonymous, a non-staff user, staff without the group, an editor,
a superuser. The admin answers a logged-in staff user lacking a model permission with 403, and sends
anyone who is not staff (anonymous or not) to its login page."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from officers.models import Event
from officers.roles import EDITOR_GROUP, EDITOR_PERMISSIONS
from tests import factories
from tests.officers.admin_support import (
    log_in_verified,
    make_editor,
    make_outsider,
    make_superuser,
)

ALLOWED, FORBIDDEN = 200, 403


pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.fixture
def objects(buurten):
    station = factories.make_station()
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld", station=station)
    factories.assign(officer, buurten["west"])
    start = timezone.make_aware(dt.datetime(2026, 12, 1, 19, 0))
    event = Event.objects.create(
        officer=officer,
        title="Spreekuur",
        place="Buurthuis",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    return {"officer": officer, "station": station, "event": event, "buurt": buurten["west"]}


def pages(objects):
    """(name, url, editor's answer, superuser's answer) for every admin page."""
    return [
        ("index", reverse("admin:index"), ALLOWED, ALLOWED),
        ("coverage", reverse("admin:officers_coverage"), ALLOWED, ALLOWED),
        ("officers", reverse("admin:officers_officer_changelist"), ALLOWED, ALLOWED),
        ("officer add", reverse("admin:officers_officer_add"), ALLOWED, ALLOWED),
        (
            "officer change",
            reverse("admin:officers_officer_change", args=[objects["officer"].pk]),
            ALLOWED,
            ALLOWED,
        ),
        (
            "officer history",
            reverse("admin:officers_officer_history", args=[objects["officer"].pk]),
            ALLOWED,
            ALLOWED,
        ),
        ("stations", reverse("admin:officers_station_changelist"), ALLOWED, ALLOWED),
        ("station add", reverse("admin:officers_station_add"), ALLOWED, ALLOWED),
        (
            "station change",
            reverse("admin:officers_station_change", args=[objects["station"].pk]),
            ALLOWED,
            ALLOWED,
        ),
        (
            "officer delete",
            reverse("admin:officers_officer_delete", args=[objects["officer"].pk]),
            ALLOWED,
            ALLOWED,
        ),
        ("events", reverse("admin:officers_event_changelist"), ALLOWED, ALLOWED),
        ("event add", reverse("admin:officers_event_add"), ALLOWED, ALLOWED),
        (
            "event change",
            reverse("admin:officers_event_change", args=[objects["event"].pk]),
            ALLOWED,
            ALLOWED,
        ),
        ("buurten", reverse("admin:neighbourhoods_buurt_changelist"), ALLOWED, ALLOWED),
        (
            "buurt",
            reverse("admin:neighbourhoods_buurt_change", args=[objects["buurt"].pk]),
            ALLOWED,
            ALLOWED,
        ),
        # Buurten come from boundary imports: nobody adds one by hand.
        ("buurt add", reverse("admin:neighbourhoods_buurt_add"), FORBIDDEN, FORBIDDEN),
        ("help entries", reverse("admin:guidance_helpentry_changelist"), ALLOWED, ALLOWED),
        ("help entry add", reverse("admin:guidance_helpentry_add"), ALLOWED, ALLOWED),
        ("reports", reverse("admin:guidance_answerreport_changelist"), ALLOWED, ALLOWED),
        # Reports come from residents: nobody adds one by hand.
        ("report add", reverse("admin:guidance_answerreport_add"), FORBIDDEN, FORBIDDEN),
        ("users", reverse("admin:auth_user_changelist"), FORBIDDEN, ALLOWED),
        ("groups", reverse("admin:auth_group_changelist"), FORBIDDEN, ALLOWED),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, objects):
    for name, url, _editor, _superuser in pages(objects):
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("admin:login")), name


def test_a_user_who_is_not_staff_is_sent_to_the_login_page(client, objects):
    user = User.objects.create_user(username="bewoner", password="een-lang-wachtwoord-42")
    log_in_verified(client, user)
    for name, url, _editor, _superuser in pages(objects):
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("admin:login")), name


def test_staff_without_the_group_get_403_on_every_page_but_the_empty_index(client, objects):
    log_in_verified(client, make_outsider())
    for name, url, _editor, _superuser in pages(objects):
        response = client.get(url)
        expected = ALLOWED if name == "index" else FORBIDDEN
        assert response.status_code == expected, name
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:officers_coverage") not in index
    assert reverse("admin:officers_officer_changelist") not in index


def test_an_editor_may_edit_officers_and_stations_and_view_buurten_only(client, objects):
    log_in_verified(client, make_editor())
    for name, url, editor, _superuser in pages(objects):
        assert client.get(url).status_code == editor, name
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:officers_coverage") in index


def test_a_superuser_may_open_every_page(client, objects):
    log_in_verified(client, make_superuser())
    for name, url, _editor, superuser in pages(objects):
        assert client.get(url).status_code == superuser, name


def test_nobody_may_change_a_buurt_its_page_is_read_only(client, objects):
    log_in_verified(client, make_superuser())
    url = reverse("admin:neighbourhoods_buurt_change", args=[objects["buurt"].pk])
    html = client.get(url).content.decode()
    assert 'name="_save"' not in html
    response = client.post(url, {"name": "Hernoemd"})
    assert response.status_code == FORBIDDEN
    objects["buurt"].refresh_from_db()
    assert objects["buurt"].name == "West"


def test_the_migration_made_the_group_with_exactly_the_editors_permissions(db):
    group = Group.objects.get(name=EDITOR_GROUP)
    held = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert held == EDITOR_PERMISSIONS
    assert ("neighbourhoods", "view_buurt") in held
    assert ("officers", "change_officer") in held
    assert not {perm for perm in held if perm[0] in {"auth", "contenttypes", "sessions", "admin"}}
    assert not {perm for perm in held if perm[1].endswith(("address", "dataset", "wijk"))}
    assert ("neighbourhoods", "change_buurt") not in held
    assert ("guidance", "change_helpentry") in held
    assert {perm for perm in held if perm[1].endswith("answerreport")} == {
        ("guidance", "view_answerreport"),
        ("guidance", "change_answerreport"),
    }


def test_the_group_migration_is_idempotent_and_reversible(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("officers.migrations.0003_editor_group_admin")
    migration.remove_editor_group(apps, None)
    assert not Group.objects.filter(name=EDITOR_GROUP).exists()
    migration.create_editor_group(apps, None)
    migration.create_editor_group(apps, None)
    # Later migrations add the priorities' permissions, then the help entries' and the reports',
    # to the group 0003 made.
    for name in ("0006_priorities_change_log", "0009_editors_help_entries_and_reports"):
        later = import_module(f"officers.migrations.{name}")
        later.grant_editors(apps, None)
        later.grant_editors(apps, None)
    group = Group.objects.get(name=EDITOR_GROUP)
    held = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert held == EDITOR_PERMISSIONS
    later.revoke_editors(apps, None)
    assert not group.permissions.filter(content_type__app_label="guidance").exists()
    # The migration borrows the registry it is given; the real one must come back unchanged.
    assert apps.get_app_config("neighbourhoods").models_module is not None
