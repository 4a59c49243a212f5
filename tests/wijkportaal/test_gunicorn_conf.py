"""gunicorn.conf.py: sizes from the environment, and an access log that never holds a query string."""

from __future__ import annotations

import datetime as dt
import os
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn import glogging
from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def load_conf(monkeypatch, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_workers_and_threads_come_from_the_environment(monkeypatch):
    conf = load_conf(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_THREADS="6", GUNICORN_TIMEOUT="20")
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (3, 6, 20)
    assert conf["worker_class"] == "gthread"
    assert conf["graceful_timeout"] > 0
    assert conf["max_requests"] > 0
    assert conf["bind"] == "127.0.0.1:8000"


def test_by_default_one_worker_per_core_with_threads_for_the_waits(monkeypatch):
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 8)
    conf = load_conf(monkeypatch)
    assert (conf["workers"], conf["threads"]) == (8, 4)
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 1)
    assert load_conf(monkeypatch)["workers"] == 2  # one busy process must not stall the site


def test_web_workers_bound_database_statements(monkeypatch):
    # setenv first, so that the value gunicorn.conf.py sets is removed again after the test.
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "0")
    monkeypatch.delenv("DATABASE_STATEMENT_TIMEOUT")
    load_conf(monkeypatch)
    assert os.environ["DATABASE_STATEMENT_TIMEOUT"] == "1500"


def access_line(conf: dict, *, path: str, query: str) -> str:
    """The line gunicorn writes for one request, built by gunicorn's own atoms."""
    config = Config()
    config.set("access_log_format", conf["access_log_format"])
    logger = glogging.Logger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "curl/8",
        "HTTP_REFERER": f"https://wijkagent.example.nl{path}?{query}",
    }
    response = SimpleNamespace(
        status="200 OK", sent=512, headers=[("X-Request-ID", "abcdef0123456789")]
    )
    request = SimpleNamespace(headers=[("USER-AGENT", "curl/8")])
    atoms = logger.atoms(response, request, environ, dt.timedelta(milliseconds=7))
    return config.access_log_format % glogging.SafeAtoms(atoms)


@pytest.mark.parametrize("atom", ["%(r)s", "%(q)s", "%(f)s"])
def test_the_access_format_has_no_atom_that_holds_a_query_string(monkeypatch, atom):
    conf = load_conf(monkeypatch)
    assert "%(U)s" in conf["access_log_format"]
    assert atom not in conf["access_log_format"]


def test_an_api_query_with_an_address_is_logged_without_it(monkeypatch):
    conf = load_conf(monkeypatch)
    line = access_line(conf, path="/api/v1/lookup", query="postcode=6411NH&huisnummer=13")
    assert line.startswith("GET /api/v1/lookup HTTP/1.1 status=200")
    assert "request_id=abcdef0123456789" in line
    assert "6411" not in line
    assert "huisnummer" not in line


@pytest.mark.parametrize(
    "line",
    [
        "Invalid request from ip=192.0.2.1: Invalid HTTP request line: "
        "'GET /api/v1/lookup?postcode=6411 NH&huisnummer=13 HTTP/1.1'",
        "Invalid request from ip=192.0.2.1: Invalid HTTP Version: 'NH&huisnummer=13 HTTP/1.1'",
        "Error handling request /api/v1/lookup?postcode=6411NH&huisnummer=13",
    ],
)
def test_gunicorn_error_lines_hold_no_address(monkeypatch, line, caplog):
    conf = load_conf(monkeypatch)
    logger = conf["logger_class"](Config())
    logger.error_log.propagate = True
    with caplog.at_level("DEBUG", logger="gunicorn.error"):
        logger.warning(line)
        logger.error("%s", line)
    assert "Invalid" in caplog.text or "Error handling request" in caplog.text
    assert "6411" not in caplog.text
    assert "huisnummer" not in caplog.text
