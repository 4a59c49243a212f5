"""Django's PostgreSQL backend with one change: while wijkportaal/deadlines.py knows the server
hangs, a new connection fails at once instead of waiting for libpq's connect timeout (at least
two seconds, longer than a resident's deadline)."""

from __future__ import annotations

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
