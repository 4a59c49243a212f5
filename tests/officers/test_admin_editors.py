"""manage.py create_editor: the documented way to add an editor, who can then log in and edit."""

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from officers.roles import EDITOR_GROUP, EDITOR_PERMISSIONS
from tests.officers.admin_support import authenticator_code

PASSWORD = "een-lang-wachtwoord-42"


pytestmark = pytest.mark.usefixtures("english_messages")


def create_editor(*args, password=PASSWORD, monkeypatch):
    if password is None:
        monkeypatch.delenv("EDITOR_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("EDITOR_PASSWORD", password)
    out = io.StringIO()
    call_command("create_editor", *args, "--no-input", stdout=out)
    return out.getvalue()


def test_a_new_editor_can_log_in_and_edit_officers_but_not_users(client, db, monkeypatch):
    output = create_editor("redacteur", "--email", "r@example.org", monkeypatch=monkeypatch)
    assert "Created editor redacteur" in output
    user = User.objects.get(username="redacteur")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [EDITOR_GROUP]
    response = client.post(reverse("admin:login"), {"username": "redacteur", "password": PASSWORD})
    # The first sign-in sets up the second factor.
    assert response["Location"].startswith(reverse("admin:second_factor_enrol"))
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(response["Location"], {"code": authenticator_code(device)})
    assert response.status_code == 302
    assert client.get(reverse("admin:officers_officer_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_an_existing_account_joins_the_group_and_keeps_its_password(db, monkeypatch):
    User.objects.create_user(username="collega", password="al-een-wachtwoord-77")
    output = create_editor("collega", password=None, monkeypatch=monkeypatch)
    assert "Updated editor collega" in output
    user = User.objects.get(username="collega")
    assert user.is_staff and user.check_password("al-een-wachtwoord-77")
    assert user.groups.filter(name=EDITOR_GROUP).exists()


def test_the_group_is_recreated_when_someone_deleted_it(db, monkeypatch):
    Group.objects.filter(name=EDITOR_GROUP).delete()
    create_editor("redacteur", monkeypatch=monkeypatch)
    assert Group.objects.get(name=EDITOR_GROUP).permissions.count() == len(EDITOR_PERMISSIONS)


@pytest.mark.parametrize(
    ("password", "message"),
    [(None, "Set \\$EDITOR_PASSWORD"), ("123", "too short")],
)
def test_a_missing_or_weak_password_creates_nothing(db, monkeypatch, password, message):
    with pytest.raises(CommandError, match=message):
        create_editor("redacteur", password=password, monkeypatch=monkeypatch)
    assert not User.objects.exists()


def test_a_superuser_is_not_made_an_editor(db, monkeypatch):
    User.objects.create_superuser(username="baas", password=PASSWORD)
    with pytest.raises(CommandError, match="superuser"):
        create_editor("baas", monkeypatch=monkeypatch)
    assert not User.objects.get(username="baas").groups.exists()


def test_without_a_terminal_the_prompt_becomes_a_clear_message(db, monkeypatch):
    # As in a script or `docker exec` without -t: no password variable, and stdin is no terminal.
    monkeypatch.delenv("EDITOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="no terminal to ask for a password on"):
        call_command("create_editor", "redacteur", stdout=io.StringIO())
    assert not User.objects.exists()
