"""What one test changes, the next does not see (the language a request activated), and what one
run uses, a run beside it on the same machine does not (Redis databases and ports)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import translation

from tests.wijkportaal import servers

ROOT = Path(__file__).resolve().parents[1]
# One test of each module that empties or reads a Redis database.
REDIS_TESTS = [
    "tests/api/test_ratelimit.py::test_the_limit_holds_in_redis",
    "tests/api/test_ratelimit.py::test_a_staff_save_shows_in_the_next_lookup_with_redis",
    "tests/wijkportaal/test_auth.py::test_a_correct_password_logs_in[redis]",
    "tests/wijkportaal/test_checks.py::test_the_eviction_policy_is_read_from_a_real_redis",
    "tests/wijkportaal/test_page_cache.py::test_pages_cached_in_redis_are_invalidated_by_a_save",
]


def test_a_request_in_english_leaves_english_active_in_the_thread(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.get("/hulp/")
    assert translation.get_language() == "en"


def test_the_next_test_starts_in_the_default_language():
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_runs_started_at_once_are_not_handed_the_same_port():
    # Asked before any of them listens, as parallel runs do.
    assert len({servers.free_port() for _ in range(5)}) > 1


@pytest.fixture
def private_redis(tmp_path) -> Iterator[int]:
    """A Redis server of this test's own: the run below may empty its databases."""
    with servers.private_redis(tmp_path) as port:
        yield port


def test_the_redis_tests_empty_only_the_database_test_redis_url_names(private_redis):
    someone_elses = redis.Redis(port=private_redis, db=0)
    someone_elses.set("kept", "1")
    own = redis.Redis(port=private_redis, db=5)
    own.set("left-over", "1")
    # On SQLite: a second run must not share (and drop) this run's test database.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL"} and not key.startswith("PYTEST")
    }
    env["TEST_REDIS_URL"] = f"redis://127.0.0.1:{private_redis}/5"
    run = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *REDIS_TESTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert f"{len(REDIS_TESTS)} passed" in run.stdout
    assert someone_elses.get("kept") == b"1"
    assert own.get("left-over") is None  # the tests used, and emptied, this database
