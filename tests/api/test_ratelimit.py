"""The lookup rate limit: per client address, counted in the shared counters (the database table,
or a Redis of their own), per process while those are down."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.db import connections

from api.ratelimit import WINDOW_SECONDS
from tests.redis_db import TEST_REDIS_URL
from wijkportaal.limits import check_rate

LOCAL_MEMORY = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "counters-test",
}
LOOKUP = "/api/v1/lookup?postcode=6411NH&huisnummer=13&huisletter=E"


def test_the_limit_answers_429_with_retry_after(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert client.get(LOOKUP).status_code == 200
    response = client.get(LOOKUP)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response["Cache-Control"] == "no-store"
    problem = response.json()
    assert problem["code"] == "rate-limited"
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= WINDOW_SECONDS
    assert problem["retry_after"] == retry_after


def test_points_count_too_and_other_endpoints_do_not(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    assert client.get("/api/v1/point?lat=50.905&lon=5.905").status_code == 200
    assert client.get(LOOKUP).status_code == 200
    assert client.get("/api/v1/point?lat=50.905&lon=5.905").status_code == 429
    assert client.get("/api/v1/stations").status_code == 200
    assert client.get("/api/v1/officers/anna-voorbeeld").status_code == 200


def test_each_client_address_has_its_own_count(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    assert client.get(LOOKUP, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert client.get(LOOKUP, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get(LOOKUP, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_behind_a_load_balancer_each_resident_has_their_own_count(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    settings.NUM_PROXIES = 1
    balancer = {"REMOTE_ADDR": "10.0.0.2"}
    first = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", **balancer}
    second = {"HTTP_X_FORWARDED_FOR": "198.51.100.8", **balancer}
    assert client.get(LOOKUP, **first).status_code == 200
    assert client.get(LOOKUP, **first).status_code == 429
    assert client.get(LOOKUP, **second).status_code == 200


def test_zero_switches_the_limit_off(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    for _ in range(5):
        assert client.get(LOOKUP).status_code == 200


def test_a_new_minute_starts_a_new_count(db):
    start = 1_800_000_000.0
    assert check_rate(scope="t", client="c", limit=1, now=start).allowed
    refused = check_rate(scope="t", client="c", limit=1, now=start + 59.2)
    assert not refused.allowed
    assert refused.retry_after == 1
    assert check_rate(scope="t", client="c", limit=1, now=start + 60).allowed


def test_the_counters_hold_no_readable_address(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 5
    client.get(LOOKUP, REMOTE_ADDR="198.51.100.7")
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT name FROM wijkportaal_counter")
        names = [row[0] for row in cursor.fetchall()]
    assert names
    assert not any("198.51.100.7" in name for name in names)


def test_unreachable_counters_fall_back_to_a_limit_per_process(client, register, settings, caplog):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    settings.COUNTERS_REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port refuses connections
    with caplog.at_level(logging.WARNING):
        assert client.get(LOOKUP, REMOTE_ADDR="192.0.2.201").status_code == 200
        assert client.get(LOOKUP, REMOTE_ADDR="192.0.2.201").status_code == 200
        assert client.get(LOOKUP, REMOTE_ADDR="192.0.2.201").status_code == 429
    assert any("per process" in record.getMessage() for record in caplog.records)


@pytest.fixture
def redis_counters(settings):
    """A Redis of the counters' own (the database the tests own)."""
    server = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
    server.flushdb()
    settings.COUNTERS_REDIS_URL = TEST_REDIS_URL
    yield server
    server.flushdb()


def test_the_limit_holds_in_redis(client, register, settings, redis_counters):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    assert client.get(LOOKUP).status_code == 200
    assert client.get(LOOKUP).status_code == 200
    response = client.get(LOOKUP)
    assert response.status_code == 429
    assert response.json()["code"] == "rate-limited"
    keys = list(redis_counters.scan_iter("wijkportaal-counters:api-rate:*"))
    assert len(keys) == 1
    assert int(redis_counters.get(keys[0])) == 3
    assert 0 < redis_counters.ttl(keys[0]) <= WINDOW_SECONDS


def _count_concurrently(*, limit: int, threads: int, calls: int) -> int:
    """Allowed requests when `threads` clients-in-parallel each try `calls` times at one moment;
    each thread has its own database or Redis connection, as separate processes would."""
    barrier = threading.Barrier(threads)

    def worker() -> int:
        barrier.wait()
        try:
            return sum(
                check_rate(scope="t", client="shared", limit=limit).allowed for _ in range(calls)
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return sum(pool.map(lambda _: worker(), range(threads)))


@pytest.mark.django_db(transaction=True)
def test_the_database_counts_every_request_once():
    if connections["default"].vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database refuses concurrent writers outright")
    assert _count_concurrently(limit=50, threads=8, calls=10) == 50


def test_redis_counts_every_request_once(db, redis_counters):
    assert _count_concurrently(limit=50, threads=8, calls=10) == 50


def test_a_new_empty_page_cache_leaves_the_counts(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    assert client.get(LOOKUP).status_code == 200
    # What a flood of cached pages evicting everything would do at worst to the page cache.
    settings.CACHES = {**settings.CACHES, "default": {**LOCAL_MEMORY, "LOCATION": "new-pages"}}
    assert client.get(LOOKUP).status_code == 429


@pytest.fixture
def redis_page_cache(settings):
    """The shared page cache in Redis (the database the tests own)."""
    server = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
    server.flushdb()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
        }
    }
    yield
    server.flushdb()


def test_a_staff_save_shows_in_the_next_lookup_with_redis(
    client, register, settings, redis_page_cache
):
    settings.PAGE_CACHE_SECONDS = 300
    assert client.get(LOOKUP).json()["officers"][0]["rank"] == "Hoofdagent"
    assert client.get(LOOKUP).json()["officers"][0]["rank"] == "Hoofdagent"
    register["anna"].rank = "Brigadier"
    register["anna"].save()
    assert client.get(LOOKUP).json()["officers"][0]["rank"] == "Brigadier"
