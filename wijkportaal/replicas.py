"""Read replicas: which database a public read may use, so that replica lag never shows a resident
an answer older than a staff save they were told succeeded (the rule is in docs/scale-out.md).

Every committed save records the primary's WAL position in the shared cache. A public read goes
to the replica only once the replica has replayed up to that position; otherwise, and for staff,
the admin and every write, the primary answers. While the primary is down, public reads carry on
from the replica and the admin answers a clear "read-only for now" page.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse

from .middleware import UNAVAILABLE_ERRORS, standalone_unavailable_page

logger = logging.getLogger("wijkportaal.replicas")

V = TypeVar("V", bound=Callable[..., Any])

PRIMARY = "default"
REPLICA = "replica"
# The primary's WAL position after the latest committed save: a replica that has replayed this far
# shows every save anyone was told succeeded.
REQUIRED_POSITION_KEY = "replicas:required-lsn"
# A replica behind the required position is asked again at most this often per process; meanwhile
# the primary answers. A position it has reached stays reached, so that is never asked again.
POSITION_RECHECK_SECONDS = 0.2
# A server that failed is left alone this long before a request tries it again.
DOWN_SECONDS = 5.0

GetResponse = Callable[[HttpRequest], HttpResponse]

# Raises the stored position only, in one step, so two saves committing together never lower it.
_RAISE_POSITION = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
"""


def lsn_to_int(lsn: str) -> int:
    """A PostgreSQL WAL position such as '16/B374D848' as a number that compares like one."""
    high, _, low = lsn.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class _ProcessState:
    """What this process has learnt of the two servers; shared by its threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.replayed = 0
        self.replay_checked_at = float("-inf")
        self.failed_at: dict[str, float] = {}

    def mark_down(self, alias: str) -> None:
        with self.lock:
            self.failed_at[alias] = time.monotonic()

    def is_down(self, alias: str) -> bool:
        return time.monotonic() - self.failed_at.get(alias, float("-inf")) < DOWN_SECONDS

    def reset(self) -> None:
        with self.lock:
            self.replayed = 0
            self.replay_checked_at = float("-inf")
            self.failed_at.clear()


state = _ProcessState()

# Set per request by ReplicaMiddleware: whether this request's reads may use the replica.
_public_read: ContextVar[bool] = ContextVar("wijkportaal_public_read", default=False)


def primary_position(*, using: str = PRIMARY) -> int | None:
    """The primary's current WAL position; None on a database without one (SQLite)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return lsn_to_int(cursor.fetchone()[0])


def store_required_position(position: int) -> None:
    """Raise the shared required position to `position` (never lower it)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        client.eval(
            _RAISE_POSITION, 1, backend.make_and_validate_key(REQUIRED_POSITION_KEY), str(position)
        )
        return
    # Other caches are per process (tests, the embedded default), so a process lock is enough.
    with state.lock:
        if position > int(cache.get(REQUIRED_POSITION_KEY) or 0):
            cache.set(REQUIRED_POSITION_KEY, position, timeout=None)


def record_primary_position(*, using: str = PRIMARY) -> None:
    """After a commit on the primary: replicas must reach this position before serving reads."""
    if not replica_configured():
        return
    try:
        position = primary_position(using=using)
        if position is not None:
            store_required_position(position)
    except Exception:
        # Reads then go to the primary until the cache answers again (required_position fails
        # too), and the next save records a newer position.
        logger.exception("Could not record the primary's WAL position after a save")


def required_position() -> int:
    """The position a replica must have replayed; started from the primary's current one when
    the cache lost it (a restarted or evicting Redis), which every earlier save is below."""
    stored = cache.get(REQUIRED_POSITION_KEY)
    if stored is not None:
        return int(stored)
    position = primary_position() or 0
    store_required_position(position)
    return position


def replica_position() -> int:
    """The WAL position the replica has replayed (0 when it is not replaying, e.g. promoted)."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
        replayed = cursor.fetchone()[0]
    return lsn_to_int(replayed) if replayed else 0


def replica_has_reached(position: int) -> bool:
    """Whether the replica has replayed `position`, asking it at most every recheck period."""
    if state.replayed >= position:
        return True
    now = time.monotonic()
    if now - state.replay_checked_at < POSITION_RECHECK_SECONDS:
        return False
    state.replay_checked_at = now
    replayed = replica_position()
    with state.lock:
        state.replayed = max(state.replayed, replayed)
    return state.replayed >= position


def choose_read_database() -> str:
    """The alias a read of this request goes to: the replica only when that cannot be stale.

    Decided for every query, not once per request: a page cached under a generation is built
    from queries made after that generation was read, so each of them sees the required
    position recorded before the generation moved on.
    """
    if not _public_read.get() or not replica_configured() or state.is_down(REPLICA):
        return PRIMARY
    if state.is_down(PRIMARY):
        return REPLICA
    # Inside a transaction on the primary, reads belong to it.
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY
    try:
        position = required_position()
    except DatabaseError:
        state.mark_down(PRIMARY)
        return REPLICA
    except Exception:
        # The cache is unreachable: nothing proves the replica fresh, so the primary answers.
        return PRIMARY
    try:
        return REPLICA if replica_has_reached(position) else PRIMARY
    except DatabaseError:
        logger.warning("Replica unreachable; reading from the primary")
        state.mark_down(REPLICA)
        return PRIMARY


def _record_after_commit(sender: type[Model], **kwargs: Any) -> None:
    using = kwargs.get("using") or PRIMARY
    if using != PRIMARY or not replica_configured():
        return
    transaction.on_commit(lambda: record_primary_position(using=using), using=using)


def _stamp_connection(sender: object, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    connection.wijkportaal_opened_at = time.monotonic()  # type: ignore[attr-defined]


def connect_position_recording() -> None:
    """Called from the app config, before the page cache connects its own receivers: the position
    is then recorded before the page generation moves on after a commit."""
    for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
        signal.connect(_record_after_commit, dispatch_uid=f"wijkportaal.replicas.{name}")
    connection_created.connect(_stamp_connection, dispatch_uid="wijkportaal.replicas.opened")


def is_admin_path(path: str) -> bool:
    return path.startswith("/" + settings.ADMIN_PATH)


def public_read(view: V) -> V:
    """Marks a view whose POST only reads (the search forms), so a resident's post may go to the
    replica like a GET."""
    view.public_read = True  # type: ignore[attr-defined]
    return view


def is_public_read(request: HttpRequest, view: Callable[..., Any]) -> bool:
    """A resident's request that changes nothing. Staff (with a session cookie) read their own
    saves from the primary."""
    return (
        not is_admin_path(request.path)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and (request.method in {"GET", "HEAD"} or getattr(view, "public_read", False))
    )


def read_only_response(request: HttpRequest) -> HttpResponse:
    """The admin's answer while the primary is down: nothing can be saved, residents are served."""
    return standalone_unavailable_page("wijkportaal/read_only.html")


def _unreachable(aliases: tuple[str, ...]) -> list[str]:
    """The servers that do not accept a new connection now."""
    failed = []
    for alias in aliases:
        wrapper = connections[alias]
        wrapper.close()
        try:
            wrapper.ensure_connection()
        except DatabaseError:
            failed.append(alias)
    return failed


def _close_connections_older_than_failures() -> None:
    # A connection opened before its server failed is dead even if the server is back.
    for alias in (PRIMARY, REPLICA):
        wrapper = connections[alias]
        failed_at = state.failed_at.get(alias)
        opened_at = getattr(wrapper, "wijkportaal_opened_at", None)
        if (
            failed_at is not None
            and wrapper.connection is not None
            and opened_at is not None
            and opened_at < failed_at
            and not wrapper.in_atomic_block
        ):
            wrapper.close()


def _close_dead_primary_connection() -> None:
    # Staff requests are few and may write: their kept connection is tested first, so the first
    # save after the primary restarted succeeds. Residents' requests skip this (see middleware.py).
    wrapper = connections[PRIMARY]
    if wrapper.connection is not None and not wrapper.in_atomic_block and not wrapper.is_usable():
        wrapper.close()


class ReplicaMiddleware:
    """Marks public reads for the router; when a server fails, a public read runs again on the
    other one, and the admin says it is read-only instead of failing.

    Listed after DatabaseUnavailableMiddleware, so its exception handling runs first; what it
    leaves alone still gets that middleware's 503 page.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _close_connections_older_than_failures()
        if is_admin_path(request.path) or settings.SESSION_COOKIE_NAME in request.COOKIES:
            _close_dead_primary_connection()
        token = _public_read.set(False)
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        _public_read.set(is_public_read(request, view))

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, UNAVAILABLE_ERRORS):
            return None
        failed = _unreachable((PRIMARY, REPLICA))
        for alias in failed:
            logger.warning("Database %s unreachable", alias)
            state.mark_down(alias)
        if is_admin_path(request.path):
            return read_only_response(request)
        match = request.resolver_match
        if _public_read.get() and len(failed) == 1 and match is not None:
            try:
                return match.func(request, *match.args, **match.kwargs)
            except UNAVAILABLE_ERRORS:
                return None
        return None
