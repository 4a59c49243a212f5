"""Django's PostgreSQL backend with one change: while wijkportaal/deadlines.py knows the server
hangs, a new connection fails at once instead of waiting for libpq's connect timeout (at least
two seconds, longer than a resident's deadline)."""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base

from wijkportaal import deadlines


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        if deadlines.breaker.is_hung():
            raise self.Database.OperationalError("the database server does not answer (hung)")
        return super().get_new_connection(conn_params)
