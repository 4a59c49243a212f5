"""Django's PostgreSQL backend with two changes: while wijkportaal/deadlines.py knows the server
hangs, a new connection fails at once instead of waiting for libpq's connect timeout (at least
two seconds, longer than a resident's deadline); and the health check (CONN_HEALTH_CHECKS) asks
the server only when the idle connection has something to read."""

from __future__ import annotations

import select
import time
from typing import Any

from django.db.backends.postgresql import base

from wijkportaal import deadlines

# libpq's shortest connect timeout: waiting this long means nobody answered.
CONNECT_TIMEOUT_SECONDS = 2


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        if deadlines.breaker.is_hung():
            raise self.Database.OperationalError("the database server does not answer (hung)")
        started = time.monotonic()
        try:
            return super().get_new_connection(conn_params)
        except self.Database.OperationalError:
            # A server that takes the connect timeout to refuse is taken to hang (a refused
            # connection fails at once): the next connection in this process fails at once too.
            if time.monotonic() - started >= CONNECT_TIMEOUT_SECONDS:
                deadlines.breaker.hung(self.settings_dict)
            raise

    def is_usable(self) -> bool:
        # A server that ends a connection (a restart, pg_terminate_backend, a crashed backend)
        # sends its farewell or closes the socket, so an idle connection with nothing to read
        # is alive; only then is Django's round trip (SELECT 1) spared, which every request
        # would otherwise pay and the lookup's speed floor cannot afford.
        if self.connection is None:
            return False
        pgconn = self.connection.pgconn
        if pgconn.status != self.Database.pq.ConnStatus.OK:
            return False
        if (
            self.connection.info.transaction_status == self.Database.pq.TransactionStatus.IDLE
            and not _readable(pgconn.socket)
        ):
            return True
        return super().is_usable()


def _readable(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))
