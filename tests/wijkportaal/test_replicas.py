"""The read-replica rule: a public read goes to the replica only when it cannot be older than a
confirmed save; staff, the admin and writes stay on the primary; a failed server is routed around.

The replica itself is exercised for real by `make cluster-test` (bench/cluster.py); here the two
positions are played by stand-ins so that every branch of the rule is pinned down.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import RequestFactory

from tests import factories
from wijkportaal import replicas
from wijkportaal.routers import ReplicaRouter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_state():
    replicas.state.reset()
    yield
    replicas.state.reset()


@pytest.fixture
def replica(monkeypatch):
    """A configured replica whose replayed position the test sets; counts how often it is asked."""

    class Replica:
        replayed = 0
        asked = 0

        def position(self) -> int:
            self.asked += 1
            return self.replayed

    stand_in = Replica()
    monkeypatch.setattr(replicas, "replica_configured", lambda: True)
    monkeypatch.setattr(replicas, "replica_position", stand_in.position)
    # The primary's position when the cache has none recorded.
    monkeypatch.setattr(replicas, "primary_position", lambda using="default": 500)
    return stand_in


@pytest.fixture
def public_read():
    token = replicas._public_read.set(True)
    yield
    replicas._public_read.reset(token)


def test_positions_compare_as_numbers():
    assert replicas.lsn_to_int("0/16B3748") == 0x16B3748
    assert replicas.lsn_to_int("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert replicas.lsn_to_int("0/FFFFFFFF") < replicas.lsn_to_int("1/0")


def test_without_a_replica_everything_reads_from_the_primary(public_read):
    assert not replicas.replica_configured()
    assert replicas.choose_read_database() == "default"


@pytest.mark.usefixtures("public_read")
def test_a_public_read_goes_to_a_replica_that_has_replayed_the_last_save(replica):
    replicas.store_required_position(1000)
    replica.replayed = 1000
    assert replicas.choose_read_database() == "replica"


@pytest.mark.usefixtures("public_read")
def test_a_replica_behind_the_last_save_leaves_the_read_to_the_primary(replica):
    replicas.store_required_position(1000)
    replica.replayed = 999
    assert replicas.choose_read_database() == "default"
    # Asked again only after the recheck period; meanwhile the primary answers.
    replica.replayed = 1000
    assert replicas.choose_read_database() == "default"
    assert replica.asked == 1
    replicas.state.replay_checked_at -= replicas.POSITION_RECHECK_SECONDS
    assert replicas.choose_read_database() == "replica"
    assert replica.asked == 2


@pytest.mark.usefixtures("public_read")
def test_a_position_once_reached_is_not_asked_again(replica):
    replicas.store_required_position(1000)
    replica.replayed = 2000
    for _ in range(5):
        assert replicas.choose_read_database() == "replica"
    assert replica.asked == 1


@pytest.mark.usefixtures("public_read")
def test_a_later_save_sends_reads_back_to_the_primary_until_the_replica_catches_up(replica):
    replicas.store_required_position(1000)
    replica.replayed = 1000
    assert replicas.choose_read_database() == "replica"
    replicas.store_required_position(1500)
    replicas.state.replay_checked_at -= replicas.POSITION_RECHECK_SECONDS
    assert replicas.choose_read_database() == "default"


@pytest.mark.usefixtures("public_read")
def test_a_lost_required_position_starts_from_the_primarys_current_one(replica):
    assert cache.get(replicas.REQUIRED_POSITION_KEY) is None
    replica.replayed = 499
    assert replicas.choose_read_database() == "default"
    assert cache.get(replicas.REQUIRED_POSITION_KEY) == 500


@pytest.mark.usefixtures("public_read")
def test_an_unreachable_cache_proves_nothing_so_the_primary_answers(replica, monkeypatch):
    replica.replayed = 10**9

    def cache_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get", cache_down)
    assert replicas.choose_read_database() == "default"


@pytest.mark.usefixtures("public_read")
def test_while_the_primary_is_down_public_reads_use_the_replica(replica):
    replicas.store_required_position(1000)
    replica.replayed = 10
    replicas.state.mark_down("default")
    assert replicas.choose_read_database() == "replica"


@pytest.mark.usefixtures("public_read")
def test_an_unreachable_replica_is_left_alone_for_a_while(replica, monkeypatch):
    replicas.store_required_position(1000)

    def replica_down() -> int:
        raise OperationalError("connection refused")

    monkeypatch.setattr(replicas, "replica_position", replica_down)
    assert replicas.choose_read_database() == "default"
    assert replicas.state.is_down("replica")
    replicas.state.failed_at["replica"] -= replicas.DOWN_SECONDS
    assert not replicas.state.is_down("replica")


def test_staff_and_writes_always_use_the_primary(replica):
    replicas.store_required_position(1000)
    replica.replayed = 2000
    # Outside a public read (staff, the admin, commands) reads stay on the primary.
    assert replicas.choose_read_database() == "default"
    router = ReplicaRouter()
    assert router.db_for_write(object) == "default"
    assert router.allow_migrate("default", "officers")
    assert not router.allow_migrate("replica", "officers")


def test_the_required_position_is_never_lowered():
    replicas.store_required_position(2000)
    replicas.store_required_position(1500)
    assert cache.get(replicas.REQUIRED_POSITION_KEY) == 2000
    replicas.store_required_position(2500)
    assert cache.get(replicas.REQUIRED_POSITION_KEY) == 2500


@pytest.mark.parametrize(
    ("method", "path", "cookies", "marked", "public"),
    [
        ("GET", "/wijkagent/anna/", {}, False, True),
        ("HEAD", "/buurt/BU09173300/", {}, False, True),
        # The search form is posted but changes nothing: its view says so.
        ("POST", "/", {}, True, True),
        ("POST", "/taal/", {}, False, False),
        ("GET", "/wijkagent/anna/", {"sessionid": "x"}, False, False),
        ("GET", "/beheer/officers/officer/", {}, False, False),
    ],
)
def test_which_requests_are_public_reads(method, path, cookies, marked, public):
    request = RequestFactory().generic(method, path)
    request.COOKIES.update(cookies)

    def view(request):
        return None

    if marked:
        view = replicas.public_read(view)
    assert replicas.is_public_read(request, view) is public


def test_the_admins_read_only_page_says_so_in_dutch():
    response = replicas.read_only_response(RequestFactory().get("/beheer/"))
    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"
    assert "alleen-lezen" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_committed_save_records_the_primarys_position(monkeypatch):
    monkeypatch.setattr(replicas, "replica_configured", lambda: True)
    factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    recorded = cache.get(replicas.REQUIRED_POSITION_KEY)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            now = replicas.lsn_to_int(cursor.fetchone()[0])
        assert 0 < recorded <= now
    else:
        # SQLite has no replicas and no WAL position to wait for.
        assert recorded is None


@pytest.mark.django_db(transaction=True)
def test_the_position_is_recorded_before_the_page_generation_moves_on(monkeypatch):
    """A request that reads the new generation must also read the new required position, or a
    lagging replica could fill the new generation with a page from before the save."""
    from django.db import transaction

    import wijkportaal.cache

    monkeypatch.setattr(replicas, "replica_configured", lambda: True)
    monkeypatch.setattr(replicas, "primary_position", lambda using="default": 4242)
    seen = []
    real_retire = wijkportaal.cache.retire

    def retire(subjects) -> None:
        seen.append(cache.get(replicas.REQUIRED_POSITION_KEY))
        real_retire(subjects)

    monkeypatch.setattr(wijkportaal.cache, "retire", retire)
    with transaction.atomic():
        factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
        assert seen and seen[-1] is None
    # After the commit: the generation moved on once more, with the position already there.
    assert seen[-1] == 4242


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE")}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import wijkportaal.settings as s; "
            "print(sorted(s.DATABASES), getattr(s, 'DATABASE_ROUTERS', []), "
            "s.DATABASES.get('replica', {}).get('PORT'), s.MIDDLEWARE[-1])",
        ],
        cwd=ROOT,
        env={**clean, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_add_the_replica_and_its_router_only_when_named():
    plain = _load_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/wp")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("['default'] []")
    with_replica = _load_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/wp",
        DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:5433/wp",
    )
    assert with_replica.returncode == 0, with_replica.stderr
    assert with_replica.stdout.split("\n")[0] == (
        "['default', 'replica'] ['wijkportaal.routers.ReplicaRouter'] 5433 "
        "wijkportaal.replicas.ReplicaMiddleware"
    )


def test_a_replica_of_another_kind_of_database_fails_loudly():
    result = _load_settings(DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:5433/wp")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must name the same kind of database" in result.stderr
