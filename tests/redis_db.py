"""The Redis database the tests may empty: TEST_REDIS_URL names its server and number, so runs in
parallel on one machine can each be given their own; without it, database 13 of the local server."""

from __future__ import annotations

import os

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/13"
