"""Gunicorn settings for production: sizes from the environment, bounded timeouts, JSON logs.

Run with `gunicorn -c gunicorn.conf.py` (see `make serve`). Every value can be overridden through
the environment variables named below.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from typing import Any

from gunicorn import glogging

# Web workers bound every SQL statement so a slow database costs a request, not a worker; the value
# is read by wijkportaal/settings.py. Management commands (imports) are not bound.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "1500")

wsgi_app = "wijkportaal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")

# One process per core: a request is mostly Python, which runs one thread at a time per process,
# so more processes than cores only compete for them (and each holds its own memory and database
# connections). Threads overlap the short database and Redis waits within a process.
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS") or "4")
worker_class = "gthread"
# Load the app before forking: workers share its memory pages and a broken app fails at start.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in {"1", "true", "yes", "on"}

# A worker that stops answering its arbiter this long is restarted; with threads a slow request
# alone does not trip it, so the database deadlines (wijkportaal/deadlines.py) free stuck ones.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or "30")
# On SIGTERM or SIGHUP, workers finish the requests they hold before they exit.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or "30")
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or "5")
# Recycle workers now and then so a slow leak never grows; jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or "100000")
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER") or "10000")

# The proxy in front says which requests were HTTPS; only trust it on the addresses listed here.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access log: the path without the query string (%(U)s, never %(r)s or %(q)s), so no address in an
# API query can ever reach a log. No referrer either: it may hold another site's query string.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = (
    '%(m)s %(U)s %(H)s status=%(s)s bytes=%(B)s ms=%(M)s request_id=%({x-request-id}o)s "%(a)s"'
)
errorlog = "-"


_QUOTED = re.compile(r"(['\"])(.*?)\1")
_QUERY = re.compile(r"\?\S*")


def _without_request_details(text: str) -> str:
    """An error line with the request's query string cut, and a quoted request line reduced to its
    method and path: an API lookup's address (even one a client sent with unencoded spaces, so
    that the line is invalid) must not reach the log."""

    def quoted(match: re.Match[str]) -> str:
        words = match.group(2).split()
        # A method and a path are kept; anything else in a broken line may be part of a query.
        kept = [words[0]] if words and words[0].isalpha() and words[0].isupper() else []
        if kept and len(words) > 1 and words[1].startswith("/"):
            kept.append(words[1].split("?", 1)[0])
        return f"{match.group(1)}{' '.join(kept)} …{match.group(1)}"

    return _QUERY.sub("?…", _QUOTED.sub(quoted, text))


class PrivateErrorLogger(glogging.Logger):
    """gunicorn's logger, with request lines in its own error lines stripped of query strings."""

    def _private(self, level: str, msg: str, *args: Any, **kwargs: Any) -> None:
        text = msg % args if args else str(msg)
        getattr(super(), level)(_without_request_details(text), **kwargs)

    def critical(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._private("critical", msg, *args, **kwargs)

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._private("error", msg, *args, **kwargs)

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._private("warning", msg, *args, **kwargs)

    def info(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._private("info", msg, *args, **kwargs)

    def debug(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._private("debug", msg, *args, **kwargs)

    def exception(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self._private("exception", msg, *args, **kwargs)


logger_class = PrivateErrorLogger
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Gunicorn's own lines are JSON like the application's, on stdout.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "wijkportaal.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
