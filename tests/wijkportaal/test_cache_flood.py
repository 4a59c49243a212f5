"""The cache flood of issue 21, replayed on a real Redis set up as docs/deployment.md sets up the
page cache's (a memory limit, allkeys-lru): random buurt codes and unknown query parameters add
no entry, and a flood that does fill it evicts pages only, never a sign-in pause or a rate count
(kept in the database, or in a Redis of their own with noeviction)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.cache import cache

from tests.wijkportaal import servers

PROFILE = "/wijkagent/anna-voorbeeld/"
LOOKUP = "/api/v1/lookup?postcode=6411NH&huisnummer=13&huisletter=E"
LOGIN = "/beheer/login/"
PASSWORD = "correct horse battery staple"
ATTACKER = "198.51.100.66"


@pytest.fixture
def evicting_page_cache(settings, tmp_path) -> Iterator[redis.Redis]:
    options = ("--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru")
    with servers.private_redis(tmp_path, *options) as port:
        settings.PAGE_CACHE_SECONDS = 300
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "wijkportaal.cache.ReusingRedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
            },
        }
        yield redis.Redis(port=port)


@pytest.fixture(params=["database", "redis"])
def counters_store(request, settings, tmp_path) -> Iterator[str]:
    """The counters' default table, and a Redis of their own as deployed: noeviction."""
    if request.param == "database":
        yield request.param
        return
    folder = tmp_path / "counters"
    folder.mkdir()
    with servers.private_redis(folder, "--maxmemory-policy", "noeviction") as port:
        settings.COUNTERS_REDIS_URL = f"redis://127.0.0.1:{port}/0"
        yield request.param


def flood_queries(count: int) -> Iterator[str]:
    """What the attack sent: a made-up buurt code, in either parameter, and parameters no page
    reads, each request different."""
    for number in range(count):
        code = f"BU{90_000_000 + number}"
        yield from (
            f"?buurt={code}",
            f"?ook={code}",
            f"?p{number}={number}",
            f"?buurt={code}&ook=BU{80_000_000 + number}&junk={number}",
        )


def test_a_flood_of_made_up_codes_and_parameters_adds_no_entry(
    client, officer, evicting_page_cache
):
    plain = {path: client.get(path).content for path in (PROFILE, "/")}
    keys = evicting_page_cache.dbsize()
    for query in flood_queries(100):
        for path, content in plain.items():
            response = client.get(path + query)
            assert response.status_code == 200
            assert response["X-Cache"] == "hit", path + query
            assert response.content == content
    assert evicting_page_cache.dbsize() == keys
    assert evicting_page_cache.info("stats")["evicted_keys"] == 0


def log_in(client, password: str):
    client.cookies["django_language"] = "en"
    return client.post(
        LOGIN,
        {"username": "beheerder", "password": password, "next": "/beheer/"},
        REMOTE_ADDR=ATTACKER,
    )


def test_a_flood_that_fills_the_page_cache_leaves_pauses_and_limits(
    client, officer, evicting_page_cache, counters_store, settings
):
    get_user_model().objects.create_user(
        "beheerder", password=PASSWORD, is_staff=True, is_superuser=True
    )
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    for _ in range(settings.LOGIN_FAILURES_ALLOWED):
        log_in(client, "wrong")
    assert client.get(LOOKUP, REMOTE_ADDR=ATTACKER).status_code == 200
    assert client.get(LOOKUP, REMOTE_ADDR=ATTACKER).status_code == 429

    # What a flood of pages would do at worst, many times over the page cache's memory.
    page = "x" * 8192
    for number in range(2000):
        cache.set(f"flood:{number}", page)
    assert evicting_page_cache.info("stats")["evicted_keys"] > 1000

    paused = log_in(client, PASSWORD)
    assert paused.status_code == 200  # the form again: not signed in
    assert "paused for 15 minutes" in paused.content.decode()
    assert client.get(LOOKUP, REMOTE_ADDR=ATTACKER).status_code == 429
