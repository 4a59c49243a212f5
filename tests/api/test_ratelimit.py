"""The lookup rate limit: per client address, counted in the "counters" cache (files and Redis)."""

from __future__ import annotations

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.core.cache import caches

from api.ratelimit import WINDOW_SECONDS, check_rate

LOCAL_MEMORY = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "counters-test",
}
LOOKUP = "/api/v1/lookup?postcode=6411NH&huisnummer=13&huisletter=E"
REDIS_LOCATION = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"


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


def test_the_counters_hold_no_readable_address(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 5
    # A local-memory store, whose keys can be listed.
    settings.CACHES = {**settings.CACHES, "counters": LOCAL_MEMORY}
    client.get(LOOKUP, REMOTE_ADDR="198.51.100.7")
    keys = list(caches["counters"]._cache)
    assert keys
    assert not any("198.51.100.7" in key for key in keys)


def test_unreachable_counters_let_lookups_through(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    settings.CACHES = {
        **settings.CACHES,
        "counters": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Port 9 (discard) refuses connections: the cache is down.
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }
    assert client.get(LOOKUP).status_code == 200
    assert client.get(LOOKUP).status_code == 200


@pytest.fixture
def redis_cache(settings):
    """The real Redis server for pages and counters. In CI it must be there; elsewhere it may not."""
    prefix = f"wijkportaal-test-{uuid.uuid4().hex}"
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_LOCATION,
        # A prefix per run, so parallel and earlier runs never share counters.
        "KEY_PREFIX": prefix,
        "OPTIONS": {"socket_connect_timeout": 1},
    }
    settings.CACHES = {"default": redis_cache, "counters": redis_cache}
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
        caches["counters"].close()
        return allowed

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return sum(pool.map(lambda _: worker(), range(threads)))


def test_memory_cache_counts_every_request_once(db, settings):
    settings.CACHES = {**settings.CACHES, "counters": LOCAL_MEMORY}
    assert _count_concurrently(limit=50, threads=8, calls=10) == 50


def test_redis_counts_every_request_once(db, redis_cache):
    assert _count_concurrently(limit=50, threads=8, calls=10) == 50


def test_a_staff_save_shows_in_the_next_lookup_with_redis(client, register, settings, redis_cache):
    settings.PAGE_CACHE_SECONDS = 300
    assert client.get(LOOKUP).json()["officers"][0]["rank"] == "Hoofdagent"
    assert client.get(LOOKUP).json()["officers"][0]["rank"] == "Hoofdagent"
    register["anna"].rank = "Brigadier"
    register["anna"].save()
    assert client.get(LOOKUP).json()["officers"][0]["rank"] == "Brigadier"


def test_a_new_empty_page_cache_leaves_the_counts(client, register, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    assert client.get(LOOKUP).status_code == 200
    # What a flood of cached pages evicting everything would do at worst to the page cache.
    settings.CACHES = {**settings.CACHES, "default": {**LOCAL_MEMORY, "LOCATION": "new-pages"}}
    assert client.get(LOOKUP).status_code == 429


COUNT_IN_ANOTHER_PROCESS = (
    "import django; django.setup(); from api.ratelimit import check_rate; "
    "print(check_rate(client='shared', limit=5, now=1_800_000_000.0).remaining)"
)


def test_without_redis_processes_share_the_count(tmp_path):
    """The file-based default, as separate gunicorn workers use it."""
    import subprocess
    import sys
    from pathlib import Path

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "COUNTERS_REDIS_URL"}
    }
    env.update(
        COUNTERS_CACHE_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="wijkportaal.settings",
        DEBUG="false",
        SECRET_KEY="x" * 50,
    )
    remaining = [
        subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
            [sys.executable, "-c", COUNT_IN_ANOTHER_PROCESS],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for _ in range(2)
    ]
    assert remaining == ["4", "3"]
