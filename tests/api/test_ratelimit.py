"""The lookup rate limit: per client address, shared through Django's cache (memory and Redis)."""

from __future__ import annotations

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.core.cache import caches

from api.ratelimit import WINDOW_SECONDS, check_rate

LOOKUP = "/api/v1/lookup?postcode=6411NH&huisnummer=13&huisletter=E"
REDIS_LOCATION = "redis://127.0.0.1:6379/2"


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
    start = 1_800_000_000.0  # a whole minute
    assert check_rate(client="c", limit=1, now=start).allowed
    refused = check_rate(client="c", limit=1, now=start + 59.2)
    assert not refused.allowed
    assert refused.retry_after == 1
    assert check_rate(client="c", limit=1, now=start + 60).allowed


def test_the_cache_holds_no_readable_address(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 5
    client.get(LOOKUP, REMOTE_ADDR="198.51.100.7")
    keys = list(caches["default"]._cache)  # the local-memory backend's own dict
    assert keys
    assert not any("198.51.100.7" in key for key in keys)


def test_an_unreachable_cache_lets_lookups_through(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Port 9 (discard) refuses connections: the cache is down.
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    assert client.get(LOOKUP).status_code == 200
    assert client.get(LOOKUP).status_code == 200


@pytest.fixture
def redis_cache(settings):
    """The real Redis server as the default cache. In CI it must be there; elsewhere it may not."""
    prefix = f"wijkportaal-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_LOCATION,
            # A prefix per run, so parallel and earlier runs never share counters.
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    server = redis.Redis.from_url(REDIS_LOCATION, socket_connect_timeout=1)
    try:
        server.ping()
    except (redis.RedisError, OSError) as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_LOCATION} is unreachable in CI: {error}")
        pytest.skip(f"Redis at {REDIS_LOCATION} is unreachable: {error}")
    yield server, prefix
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def test_the_limit_holds_in_redis(client, register, settings, redis_cache):
    server, prefix = redis_cache
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    assert client.get(LOOKUP).status_code == 200
    assert client.get(LOOKUP).status_code == 200
    response = client.get(LOOKUP)
    assert response.status_code == 429
    assert response.json()["code"] == "rate-limited"
    # The count is in Redis, where every process sees it.
    keys = list(server.scan_iter(f"{prefix}:*:api-rate:*"))
    assert len(keys) == 1
    assert int(server.get(keys[0])) == 3
    assert 0 < server.ttl(keys[0]) <= WINDOW_SECONDS + 1


def _count_concurrently(*, limit: int, threads: int, calls: int) -> int:
    """Allowed requests when `threads` clients-in-parallel each try `calls` times at one moment.

    Django gives every thread its own cache connection, as separate processes would have.
    """
    now = 1_800_000_000.0
    barrier = threading.Barrier(threads)

    def worker() -> int:
        barrier.wait()
        allowed = sum(
            check_rate(client="shared", limit=limit, now=now).allowed for _ in range(calls)
        )
        caches["default"].close()
        return allowed

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return sum(pool.map(lambda _: worker(), range(threads)))


def test_memory_cache_counts_every_request_once(db):
    assert _count_concurrently(limit=50, threads=8, calls=10) == 50


def test_redis_counts_every_request_once(db, redis_cache):
    assert _count_concurrently(limit=50, threads=8, calls=10) == 50


def _count_round_trips(monkeypatch) -> list[int]:
    """Every command or pipeline sent to Redis, one entry per round trip."""
    sent: list[int] = []
    real = redis.connection.AbstractConnection.send_packed_command

    def counting(connection, command, check_health=True):
        sent.append(1)
        return real(connection, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    return sent


def test_a_warm_lookup_makes_one_redis_round_trip(
    client, register, settings, redis_cache, monkeypatch
):
    # The rate limit's count and the page generation the shared answer is kept under travel
    # together.
    settings.PAGE_CACHE_SECONDS = 300
    cold = client.get(LOOKUP).json()
    sent = _count_round_trips(monkeypatch)
    warm = client.get(LOOKUP).json()
    assert warm == cold
    assert len(sent) == 1


def test_the_generation_read_with_the_count_shows_a_staff_save(
    client, register, settings, redis_cache
):
    settings.PAGE_CACHE_SECONDS = 300
    assert client.get(LOOKUP).json()["officers"][0]["rank"] == "Hoofdagent"
    register["anna"].rank = "Brigadier"
    register["anna"].save()
    assert client.get(LOOKUP).json()["officers"][0]["rank"] == "Brigadier"
