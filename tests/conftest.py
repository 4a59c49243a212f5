"""Fixtures shared by every test: a hand-drawn map of buurten and a small address register.

The map, in 0.01-degree squares near Heerlen (columns left to right, rows bottom to top):

    row 1:  [BU00010003]  [  nothing  ]
    row 0:  [BU00010001]  [BU00010002]      BU00010001 and BU00010002 share an edge
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from tests import factories
from tests.officers.admin_support import log_in_verified
from tests.redis_db import TEST_REDIS_URL


@pytest.fixture
def admin_client(db, admin_user) -> Client:
    """pytest-django's client of a superuser, signed in past both steps: the admin wants the
    password and a second factor (accounts/sites.py)."""
    client = Client()
    log_in_verified(client, admin_user)
    return client


@pytest.fixture
def redis_url() -> str:
    """A real Redis whose database the tests may empty: TEST_REDIS_URL, else REDIS_URL when the
    suite runs with one, else TEST_REDIS_URL's default (tests/redis_db.py)."""
    import os

    import redis

    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or TEST_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {url} is unreachable in CI: {error}")
        pytest.skip(f"no Redis at {url}")
    return url


@pytest.fixture
def redis_page_cache(settings, redis_url) -> Iterator[None]:
    """The page cache on, in a real Redis with the backend the settings use for one, emptied
    before and after."""
    settings.PAGE_CACHE_SECONDS = 300
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "wijkportaal.cache.ReusingRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "wijkportaal-test",
        },
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dataset(db):
    return factories.make_dataset()


@pytest.fixture
def buurten(dataset):
    return {
        "west": factories.make_buurt(dataset, "BU00010001", factories.square(0, 0), name="West"),
        "east": factories.make_buurt(dataset, "BU00010002", factories.square(1, 0), name="Oost"),
        "north": factories.make_buurt(dataset, "BU00010003", factories.square(0, 1), name="Noord"),
    }


@pytest.fixture(autouse=True)
def clean_cache() -> Iterator[None]:
    """Cached pages, rate and login-failure counts live in the cache, and the local-memory cache
    outlives a test: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """A request in English leaves English active in the test's thread (LocaleMiddleware does
    not switch back), and so does a test that activates a language: the next test starts in the
    default language whatever this one did."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Staff users are made and logged in all over the suite; the production hasher's deliberate
    slowness would only slow the tests down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Tests render templates without running collectstatic first, so no hashed-name manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fresh_counters() -> Iterator[None]:
    """Rate-limit and sign-in counts live in a table each test's transaction rolls back; a store
    that failed in an earlier test is tried again at once."""
    from wijkportaal import counters

    counters.store_recovered()
    yield
    counters.store_recovered()
