"""Staff login throttling: per account and per client address, a growing lockout, logged."""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.contrib.auth import get_user_model

from wijkportaal import auth
from wijkportaal.clients import client_address

LOGIN = "/beheer/login/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        "beheerder", password=PASSWORD, is_staff=True, is_superuser=True
    )


def log_in(client, username: str, password: str, *, address: str = "192.0.2.10"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/beheer/"},
        REMOTE_ADDR=address,
    )


def logged_in(response) -> bool:
    # A correct password leads on to the second step: enrolment, as this account has no device.
    return response.status_code == 302 and response["Location"].startswith("/beheer/login/set-up/")


def test_a_correct_password_logs_in(client, staff):
    assert logged_in(log_in(client, "beheerder", PASSWORD))


def test_four_failures_do_not_lock_the_account(client, staff):
    for _ in range(4):
        assert not logged_in(log_in(client, "beheerder", "wrong"))
    assert logged_in(log_in(client, "beheerder", PASSWORD))


def test_five_failures_lock_the_account_even_for_the_right_password(client, staff, caplog):
    for _ in range(5):
        log_in(client, "beheerder", "wrong")
    with caplog.at_level(logging.WARNING, logger="wijkportaal.auth"):
        response = log_in(client, "beheerder", PASSWORD, address="198.51.100.7")
    assert not logged_in(response)
    assert response.status_code == 200  # the login form again, with Django's error message
    assert any("locked" in record.getMessage() for record in caplog.records)
    assert PASSWORD not in caplog.text


def test_the_lockout_ends_and_a_login_clears_the_account(client, staff):
    for _ in range(5):
        log_in(client, "beheerder", "wrong")
    later = auth.time.time() + auth.FIRST_LOCKOUT_SECONDS + 1
    with mock.patch.object(auth.time, "time", return_value=later):
        assert logged_in(log_in(client, "beheerder", PASSWORD))
    client.logout()
    # The success forgot the account's failures: one more mistake does not lock it again.
    log_in(client, "beheerder", "wrong", address="203.0.113.5")
    assert logged_in(log_in(client, "beheerder", PASSWORD, address="203.0.113.5"))


def test_one_client_address_trying_many_accounts_is_locked(client, staff):
    for number in range(5):
        log_in(client, f"guess{number}", "wrong", address="192.0.2.66")
    assert not logged_in(log_in(client, "beheerder", PASSWORD, address="192.0.2.66"))
    assert logged_in(log_in(client, "beheerder", PASSWORD, address="192.0.2.67"))


def test_the_failure_counters_hold_no_readable_address_or_account():
    keys = auth.throttle_keys(username="beheerder", address="192.0.2.10")
    assert len(keys) == 2
    assert not any("192.0.2.10" in key or "beheerder" in key for key in keys)
    assert auth.throttle_keys(username="", address="192.0.2.11")[0] not in keys


def test_the_lockout_grows_with_every_further_failure():
    assert [auth.lockout_seconds(failures=n) for n in range(4, 9)] == [0, 60, 120, 240, 480]
    assert auth.lockout_seconds(failures=40) == auth.LONGEST_LOCKOUT_SECONDS


def test_attempts_during_a_lockout_do_not_lengthen_it(client, staff):
    for _ in range(5):
        log_in(client, "beheerder", "wrong")
    for _ in range(3):
        log_in(client, "beheerder", "wrong")
    assert auth.seconds_locked(username="beheerder", address="") <= auth.FIRST_LOCKOUT_SECONDS


def test_the_client_address_behind_a_proxy(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert client_address(request) == "10.0.0.2"
    settings.NUM_PROXIES = 1
    assert client_address(request) == "198.51.100.9"


def test_a_new_empty_page_cache_does_not_unlock_an_account(client, staff, settings):
    for _ in range(5):
        log_in(client, "beheerder", "wrong")
    # The page cache emptied; the failures are counted apart from it.
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "new"},
    }
    assert not logged_in(log_in(client, "beheerder", PASSWORD))


def test_unreachable_counters_refuse_sign_in_without_an_error_page(client, staff, settings, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "counters": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port refuses connections
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }
    with caplog.at_level(logging.ERROR, logger="wijkportaal.auth"):
        response = log_in(client, "beheerder", PASSWORD)
    assert response.status_code == 200  # the login form again, not a 500
    assert not logged_in(response)
    assert any("unreachable" in record.getMessage() for record in caplog.records)
