"""Structured logging: one JSON object per line, tagged with the id of the request being served."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re

# Set by RequestIdMiddleware at the start of a request, cleared when the response is finished.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default=""
)

_STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
# Attributes Django attaches to records that are objects, not loggable values.
_SKIPPED_ATTRIBUTES = frozenset({"request", "server_time", "status_code"})


QUERY_STRING_RE = re.compile(r"\?[^\s\"]*")


class RequestIdFilter(logging.Filter):
    """Copy the current request id onto every record so the formatter can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as a JSON line: time, level, logger, message, request id, extras, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or current_request_id.get()
        if request_id:
            entry["request_id"] = request_id
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int):
            entry["status"] = status_code
        for key, value in record.__dict__.items():
            if key in _STANDARD_ATTRIBUTES or key in _SKIPPED_ATTRIBUTES or key in entry:
                continue
            if key == "request_id":
                continue
            entry[key] = (
                value if isinstance(value, str | int | float | bool | None) else repr(value)
            )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class DropQueryStringFilter(logging.Filter):
    """Strips the query string from the request line the development server logs.

    An API lookup carries the resident's address in its query string, and no log line may hold it.
    (gunicorn's access log format leaves query strings out in production.)
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (QUERY_STRING_RE.sub("", record.args[0]), *record.args[1:])
        if "?" in str(record.msg):
            record.msg = QUERY_STRING_RE.sub("", str(record.msg))
        return True
