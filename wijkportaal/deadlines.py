"""Request deadlines for a database that hangs: a watchdog thread cuts the connection of a
request that is still waiting on PostgreSQL when its deadline passes.

A stopped server keeps its TCP connections open (the kernel still acknowledges), so neither the
server's statement_timeout nor the client's TCP timeouts fire; only the client can give up. When
a request is past its deadline and its connection has a query in flight, the watchdog shuts the
socket down; the waiting query fails at once with an OperationalError, which
DatabaseUnavailableMiddleware answers with the 503 page. Residents' requests get a short deadline,
staff (the admin) a longer one; both free the worker long before gunicorn's timeout.

A new connection to a hung server cannot be cut this way (libpq waits at least two seconds for
it). So once the watchdog cut a connection, the process knows the server hangs: requests get the
503 page at once and new connections fail at once (wijkportaal/postgresql), while the watchdog
itself tries a connection each second and lifts this as soon as one succeeds.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

from .middleware import service_unavailable_response

logger = logging.getLogger("wijkportaal.deadlines")

# How often the watchdog looks; a deadline is kept to within this much.
TICK_SECONDS = 0.1
# While the server hangs, the watchdog tries a new connection this often.
PROBE_EVERY_SECONDS = 1
# Answered without the breaker: liveness must not depend on the database.
NEVER_HELD = ("/healthz",)


class Watchdog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, tuple[float, list[Any], str]] = {}
        self._thread: threading.Thread | None = None
        self._pid = 0

    def _ensure_running(self) -> None:
        # Started lazily and again after a fork: gunicorn forks workers from a preloaded app.
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="db-deadline", daemon=True)
            self._thread.start()

    def watch(self, *, deadline: float, wrappers: list[Any], path: str) -> int:
        token = threading.get_ident()
        with self._lock:
            self._ensure_running()
            self._watched[token] = (deadline, wrappers, path)
        return token

    def forget(self, token: int) -> None:
        with self._lock:
            self._watched.pop(token, None)

    def _run(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            now = time.monotonic()
            with self._lock:
                overdue = [entry for entry in self._watched.values() if entry[0] <= now]
            breaker.probe()
            for _deadline, wrappers, path in overdue:
                for wrapper in wrappers:
                    if cut_if_waiting(wrapper):
                        logger.error(
                            "Database did not answer within the request deadline; connection cut",
                            extra={"path": path, "database": wrapper.alias},
                        )


def cut_if_waiting(wrapper: Any) -> bool:
    """Shut down the socket of a PostgreSQL connection that has a query in flight."""
    raw = getattr(wrapper, "connection", None)
    if raw is None or wrapper.vendor != "postgresql":
        return False
    try:
        from psycopg import pq

        pgconn = raw.pgconn
        if pgconn.transaction_status != pq.TransactionStatus.ACTIVE:
            return False
        descriptor = pgconn.socket
    except Exception:  # A connection closed meanwhile has no socket to cut.
        return False
    # Known hung before the cut: the request it frees must not open a new connection and wait.
    breaker.hung(wrapper.settings_dict)
    # A duplicate of the descriptor: shutting it down ends the connection for every copy, while
    # closing only the duplicate leaves psycopg's own descriptor for psycopg to close.
    with socket.socket(fileno=os.dup(descriptor)) as sock:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            return False
    return True


watchdog = Watchdog()


class Breaker:
    """Remembers that the database hangs, so that residents do not each wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # The connection settings to probe with while hung; None while the server answers.
        self._probe_with: dict[str, Any] | None = None
        self._next_probe = 0.0
        self._probing = False

    def hung(self, settings_dict: dict[str, Any]) -> None:
        with self._lock:
            if self._probe_with is None:
                self._probe_with = settings_dict
                self._next_probe = time.monotonic() + PROBE_EVERY_SECONDS

    def is_hung(self) -> bool:
        return self._probe_with is not None

    def probe(self) -> None:
        """Called by the watchdog: once a second while hung, try a connection in a thread of its
        own, so that the watchdog keeps cutting while the attempt waits."""
        with self._lock:
            probe_with = self._probe_with
            if probe_with is None or self._probing or time.monotonic() < self._next_probe:
                return
            self._probing = True
            self._next_probe = time.monotonic() + PROBE_EVERY_SECONDS
        threading.Thread(
            target=self._try_connection, args=(probe_with,), name="db-probe", daemon=True
        ).start()

    def _try_connection(self, probe_with: dict[str, Any]) -> None:
        import psycopg

        try:
            psycopg.connect(
                host=probe_with["HOST"] or None,
                port=probe_with["PORT"] or None,
                dbname=probe_with["NAME"],
                user=probe_with["USER"] or None,
                password=probe_with["PASSWORD"] or None,
                connect_timeout=2,
            ).close()
        except psycopg.Error:
            with self._lock:
                self._probing = False
            return
        with self._lock:
            self._probe_with = None
            self._probing = False
        logger.warning("Database answers again")


breaker = Breaker()


class DatabaseDeadlineMiddleware:
    """Give every request a deadline for its database work (REQUEST_DEADLINE_SECONDS, or
    ADMIN_REQUEST_DEADLINE_SECONDS in the admin), and answer at once while it is known to hang."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = (
            settings.ADMIN_REQUEST_DEADLINE_SECONDS
            if request.path.startswith("/" + settings.ADMIN_PATH)
            else settings.REQUEST_DEADLINE_SECONDS
        )
        if seconds <= 0 or request.path in NEVER_HELD:
            return self.get_response(request)
        if breaker.is_hung():
            return service_unavailable_response(request)
        # This thread's connection objects; the watchdog looks at them from its own thread.
        wrappers = [connections[alias] for alias in connections]
        token = watchdog.watch(
            deadline=time.monotonic() + seconds, wrappers=wrappers, path=request.path
        )
        try:
            return self.get_response(request)
        finally:
            watchdog.forget(token)
