"""Staff sign in with a password and a second factor: a code from an authenticator app, or a
one-time recovery code. Enrolment on the first sign-in, and the superuser's reset."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from tests.officers.admin_support import (
    PASSWORD,
    authenticator_code,
    log_in_verified,
    make_editor,
    make_superuser,
)

pytestmark = pytest.mark.usefixtures("english_messages")

INDEX = "/beheer/"
LOGIN = "/beheer/login/"
CODE_STEP = "/beheer/login/code/"
ENROL_STEP = "/beheer/login/set-up/"


@pytest.fixture
def enrolled_editor(db) -> tuple[User, TOTPDevice]:
    editor = make_editor()
    device = TOTPDevice.objects.create(user=editor, name="authenticator", confirmed=True)
    return editor, device


def sign_in_with_password(client: Client, user: User, *, next_url: str = INDEX):
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD, "next": next_url})


def test_the_password_alone_does_not_open_the_admin(client, enrolled_editor):
    editor, _device = enrolled_editor
    response = sign_in_with_password(client, editor)
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_STEP)
    # Every admin page sends the half-signed-in session back to the code step.
    for path in (INDEX, reverse("admin:officers_officer_changelist")):
        response = client.get(path, follow=True)
        assert response.redirect_chain[-1][0].startswith(CODE_STEP)
        assert b"Sign-in code" in response.content
    response = client.post(CODE_STEP, {"code": ""})
    assert response.status_code == 200
    assert b"This field is required." in response.content
    assert client.get(INDEX).status_code == 302


def test_a_wrong_code_is_refused_and_the_next_try_must_wait(client, enrolled_editor, settings):
    # Each failure doubles the wait; a longer first wait keeps the test clear of the clock.
    settings.OTP_TOTP_THROTTLE_FACTOR = 30
    editor, device = enrolled_editor
    sign_in_with_password(client, editor)
    response = client.post(CODE_STEP, {"code": "000000"})
    assert response.status_code == 200
    assert b"That code is not right." in response.content
    # django-otp makes the device wait after a failure, so codes cannot be tried at speed:
    # even the right code is refused straight after a wrong one.
    response = client.post(CODE_STEP, {"code": authenticator_code(device)})
    assert b"seconds before the next try" in response.content
    assert client.get(INDEX).status_code == 302


def test_a_valid_authenticator_code_signs_in(client, enrolled_editor):
    editor, device = enrolled_editor
    page = reverse("admin:officers_officer_changelist")
    response = sign_in_with_password(client, editor, next_url=page)
    response = client.post(response["Location"], {"code": authenticator_code(device)})
    assert response.status_code == 302
    assert response["Location"] == page
    assert client.get(page).status_code == 200
    # A code is good once: signing in again with the same code is refused.
    client.post(reverse("admin:second_factor_cancel"))
    sign_in_with_password(client, editor)
    response = client.post(CODE_STEP, {"code": authenticator_code(device)})
    assert response.status_code == 200


def test_the_code_step_never_redirects_off_site(client, enrolled_editor):
    editor, device = enrolled_editor
    sign_in_with_password(client, editor)
    response = client.post(
        CODE_STEP, {"code": authenticator_code(device), "next": "https://example.org/"}
    )
    assert response["Location"] == INDEX


def test_a_recovery_code_works_once(client, enrolled_editor):
    editor, _device = enrolled_editor
    codes = twofactor.new_recovery_codes(user=editor)
    assert len(codes) == twofactor.RECOVERY_CODE_COUNT == len(set(codes))
    sign_in_with_password(client, editor)
    response = client.post(CODE_STEP, {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[-1][0] == INDEX
    assert b"9 recovery codes are left" in response.content
    assert StaticToken.objects.filter(token=codes[0]).count() == 0

    client.post(reverse("admin:second_factor_cancel"))
    assert client.get(INDEX).status_code == 302
    sign_in_with_password(client, editor)
    response = client.post(CODE_STEP, {"code": codes[0]})
    assert response.status_code == 200
    assert client.get(INDEX).status_code == 302


def test_signing_in_does_not_need_the_page_cache(client, enrolled_editor, settings):
    # Sessions, the second factor and the counters keep nothing in the page cache's Redis, so
    # staff sign in while it is down (the cluster test stops it).
    settings.CACHES = {
        "default": {
            "BACKEND": "wijkportaal.cache.ReusingRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port refuses connections
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    editor, _device = enrolled_editor
    codes = twofactor.new_recovery_codes(user=editor)
    response = sign_in_with_password(client, editor)
    assert response["Location"].startswith(CODE_STEP)
    response = client.post(CODE_STEP, {"code": codes[0]}, follow=True)
    assert response.redirect_chain[-1][0] == INDEX
    assert response.status_code == 200
    assert client.get(reverse("admin:officers_officer_changelist")).status_code == 200


def test_the_first_sign_in_enrols_an_authenticator_and_shows_recovery_codes_once(
    client, db, settings
):
    # Without django-otp's wait after the wrong code tried below.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    editor = make_editor()
    response = sign_in_with_password(client, editor)
    assert response["Location"].startswith(ENROL_STEP)
    page = client.get(response["Location"]).content.decode()
    # The QR code is drawn here, inline; the key is there to type by hand.
    assert "<svg" in page and "<img" not in page.split('class="qr-code"')[1][:200]
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert twofactor.secret_for_display(device) in page
    # Reloading keeps the same key, so a scan made from the first page still works.
    client.get(ENROL_STEP)
    assert TOTPDevice.objects.get(user=editor) == device

    wrong = "123456" if authenticator_code(device) != "123456" else "654321"
    response = client.post(ENROL_STEP, {"code": wrong})
    assert b"That code is not right." in response.content
    assert client.get(INDEX).status_code == 302

    device.refresh_from_db()
    response = client.post(
        ENROL_STEP, {"code": authenticator_code(device, steps_ahead=1), "next": INDEX}
    )
    assert response["Location"].startswith(reverse("admin:recovery_codes"))
    page = client.get(response["Location"]).content.decode()
    codes = [token.token for token in StaticToken.objects.filter(device__user=editor)]
    assert len(codes) == 10
    assert all(code in page for code in codes)
    # Shown once: the next look says how many are left, without them.
    again = client.get(reverse("admin:recovery_codes")).content.decode()
    assert "10 unused recovery codes" in again
    assert not any(code in again for code in codes)
    assert client.get(INDEX).status_code == 200


def test_enrolment_is_only_for_an_account_without_an_authenticator(client, enrolled_editor):
    editor, _device = enrolled_editor
    sign_in_with_password(client, editor)
    response = client.get(ENROL_STEP)
    assert response["Location"].startswith(CODE_STEP)
    assert TOTPDevice.objects.filter(user=editor).count() == 1


def test_the_steps_refuse_anonymous_visitors(client, db):
    for step in (CODE_STEP, ENROL_STEP, reverse("admin:recovery_codes")):
        response = client.get(step)
        assert response.status_code == 302
        assert response["Location"] == LOGIN


def test_a_superuser_reset_forces_re_enrolment(client, enrolled_editor, caplog):
    editor, _device = enrolled_editor
    twofactor.new_recovery_codes(user=editor)
    editor_client = Client()
    log_in_verified(editor_client, editor)
    assert editor_client.get(INDEX).status_code == 200

    superuser = make_superuser()
    log_in_verified(client, superuser)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [editor.pk]},
        follow=True,
    )
    assert b"The second factor of 1 user was reset." in response.content
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticToken.objects.filter(device__user=editor).exists()
    assert any(r.getMessage() == "Second factor reset" for r in caplog.records)
    # The editor's session verified with the removed device is verified no longer ...
    response = editor_client.get(INDEX, follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL_STEP)
    # ... and a new sign-in enrols a new authenticator.
    fresh = Client()
    assert sign_in_with_password(fresh, editor)["Location"].startswith(ENROL_STEP)


def test_only_superusers_are_offered_the_reset(client, db):
    superuser = make_superuser()
    log_in_verified(client, superuser)
    page = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert 'value="reset_second_factor"' in page
    editor = make_editor("tweede")
    # Even a staff user allowed to change users is not offered the reset, nor can post it.
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    other = Client()
    log_in_verified(other, editor)
    page = other.get(reverse("admin:auth_user_changelist")).content.decode()
    assert 'value="reset_second_factor"' not in page
    response = other.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [superuser.pk]},
    )
    assert response.status_code == 200  # the list again: Django refuses an action not offered
    assert TOTPDevice.objects.filter(user=superuser).exists()


def test_the_reset_command(db, caplog):
    editor = make_editor()
    TOTPDevice.objects.create(user=editor, name="authenticator", confirmed=True)
    out = io.StringIO()
    call_command("reset_second_factor", editor.username, "--dry-run", stdout=out)
    assert "has authenticator" in out.getvalue()
    assert TOTPDevice.objects.filter(user=editor).exists()
    call_command("reset_second_factor", editor.username, stdout=out)
    assert "Second factor of redacteur reset" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert any(r.getMessage() == "Second factor reset" for r in caplog.records)
    with pytest.raises(CommandError, match="No user is called 'niemand'"):
        call_command("reset_second_factor", "niemand")


def test_signing_out_from_the_code_step(client, enrolled_editor):
    editor, _device = enrolled_editor
    sign_in_with_password(client, editor)
    assert client.get(reverse("admin:second_factor_cancel")).status_code == 405
    response = client.post(reverse("admin:second_factor_cancel"))
    assert response["Location"] == LOGIN
    assert client.get(CODE_STEP)["Location"] == LOGIN


def test_public_pages_are_unaffected(client, enrolled_editor, django_assert_num_queries):
    """The second factor is the admin's business: residents' pages ask nothing and cost nothing
    more, for anonymous visitors and for staff half-way through signing in."""
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200
    home = client.get("/")
    assert home.status_code == 200
    editor, _device = enrolled_editor
    sign_in_with_password(client, editor)
    response = client.get("/")
    assert response.status_code == 200
    assert response.content.count(b"<form") == home.content.count(b"<form")


def test_a_non_staff_account_cannot_sign_in_to_the_admin(client, db):
    User.objects.create_user("bewoner", password=PASSWORD)
    response = client.post(LOGIN, {"username": "bewoner", "password": PASSWORD, "next": INDEX})
    assert response.status_code == 200
    assert client.get(CODE_STEP)["Location"] == LOGIN
