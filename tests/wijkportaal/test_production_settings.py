"""Production settings read from the environment: database options, shared cache, page cache,
counters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIGURED = {
    "DATABASE_URL",
    "REDIS_URL",
    "COUNTERS_REDIS_URL",
    "COUNTERS_CACHE_DIR",
    "DATABASE_STATEMENT_TIMEOUT",
    "PAGE_CACHE_SECONDS",
}
SHOW = (
    "import json, wijkportaal.settings as s; print(json.dumps({"
    "'options': s.DATABASES['default'].get('OPTIONS', {}),"
    "'health_checks': s.DATABASES['default'].get('CONN_HEALTH_CHECKS', False),"
    "'cache': s.CACHES['default']['BACKEND'], 'page_cache': s.PAGE_CACHE_SECONDS,"
    "'caches': sorted(s.CACHES), 'counters_at': s.COUNTERS_REDIS_URL}))"
)


def settings_with(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIGURED}
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**clean, "DEBUG": "false", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_postgres_gets_a_statement_timeout_when_configured():
    loaded = settings_with(
        DATABASE_URL="postgres://u@127.0.0.1:5432/x", DATABASE_STATEMENT_TIMEOUT="1500"
    )
    assert loaded["options"]["options"] == "-c statement_timeout=1500"
    assert loaded["options"]["connect_timeout"] == 2


def test_postgres_replaces_a_dead_kept_connection_before_using_it():
    assert settings_with(DATABASE_URL="postgres://u@127.0.0.1:5432/x")["health_checks"] is True


def test_postgres_prepares_statements_unless_a_pooler_cannot_keep_them():
    url = "postgres://u@127.0.0.1:5432/x"
    assert settings_with(DATABASE_URL=url)["options"]["prepare_threshold"] == 5
    off = settings_with(DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false")["options"]
    assert "prepare_threshold" not in off
    assert "server_side_binding" not in off


def test_no_statement_timeout_by_default_for_commands():
    loaded = settings_with(DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert "options" not in loaded["options"]


def test_redis_gives_the_shared_cache_and_turns_the_page_cache_on():
    loaded = settings_with(REDIS_URL="redis://127.0.0.1:6379/3")
    assert loaded["cache"] == "wijkportaal.cache.ReusingRedisCache"
    assert loaded["page_cache"] == 300
    # The counters never follow the page cache into a Redis that may evict them: they stay in
    # the database unless given a Redis of their own.
    assert loaded["caches"] == ["default"]
    assert loaded["counters_at"] == ""


def test_the_counters_can_have_a_redis_of_their_own():
    loaded = settings_with(
        REDIS_URL="redis://127.0.0.1:6379/3", COUNTERS_REDIS_URL="redis://127.0.0.1:6380/0"
    )
    assert loaded["counters_at"] == "redis://127.0.0.1:6380/0"


def test_without_redis_the_page_cache_is_off():
    # Per-process caches cannot be invalidated across gunicorn workers.
    loaded = settings_with()
    assert loaded["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["page_cache"] == 0
    # Counters still count across workers: in the database they all share.
    assert loaded["counters_at"] == ""


def test_object_storage_without_django_storages_says_what_to_install():
    clean = {k: v for k, v in os.environ.items() if k not in CONFIGURED}
    # A None entry in sys.modules makes the package unimportable, installed or not.
    script = "import sys; sys.modules['storages'] = None; import wijkportaal.settings"
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DEBUG": "false", "SECRET_KEY": "x" * 50, "MEDIA_BUCKET": "photos"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "pip install 'django-storages[s3]" in result.stderr
