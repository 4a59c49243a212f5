"""Instructions per request, counted by valgrind's callgrind: the benchmark's pages in a measure
that drifts far less with the machine than requests per second.

Requests per second on a shared machine drift with other people's work; the number of
instructions a request executes does not move with the machine. A change to a page's
code is best judged here first, and `make bench` then says what it is worth in requests per
second.

Each endpoint runs in a new Python process under callgrind: it starts Django, freezes what the
WSGI application loaded for the collector (as gunicorn.conf.py does before a worker starts) and
sends warm-up requests, all uncounted. Callgrind counts only while `send` runs inside
`itertools.starmap`, which sends the N measured requests (`--toggle-collect=starmap_next`: the
count is switched on at each entry of that C function and off at its exit, in the calling
thread only). Nothing in the stack may call `itertools.starmap` or do a request's work in another
thread; nothing does today (Django, psycopg, redis-py, hiredis, the project). That count divided
by N is one request through the whole WSGI stack in process (middleware, view, template, the
PostgreSQL and Redis clients) with the production settings, on PostgreSQL and Redis as `make
bench` uses them. Not
counted: gunicorn's HTTP parsing (the same for every page) and the work of the PostgreSQL and
Redis servers (`make bench` shows their CPU per request).

A Python without its internal symbols (a stripped build) gives callgrind nothing to toggle on;
each endpoint then runs twice, counted whole, once with N requests more than the other, and the
difference divided by N is the request. Django's start and a full garbage collection that one run
meets and the other misses move such a count, so compare those with repeated runs.

Usage: python -m bench.instructions [--requests 500] [hello lookup api ...]   (needs valgrind)
"""

from __future__ import annotations

import argparse
import collections
import gc
import io
import itertools
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench import harness

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/wp_bench_instructions"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/4"
WARM_UP = 300
# callgrind's summary line on stderr: "==1234== Collected : 2851037714"
COLLECTED_RE = re.compile(r"Collected\s*:\s*(\d+)")
LOOKUP_BODY = b"postcode=6411+NH&huisnummer=13&toevoeging=E"
API_QUERY = "postcode=6411NH&huisnummer=13&toevoeging=E"


@dataclass(frozen=True)
class Endpoint:
    """One measured request: its name in `make bench`'s table, how it is sent, and the status it
    must answer with."""

    label: str
    method: str
    path: str
    status: int
    query: str = ""
    body: bytes = b""


# The pages of bench/http.py, in its order; "profile" and "buurt" are the pages the lookup's
# answer leads to.
ENDPOINTS: dict[str, Endpoint] = {
    "hello": Endpoint("hello", "GET", "/bench/hello", 200),
    "query": Endpoint("+1 query", "GET", "/bench/hello-query", 200),
    "query-redis": Endpoint("+query+redis", "GET", "/bench/hello-query-cache", 200),
    "lookup": Endpoint("lookup (POST)", "POST", "/", 303, body=LOOKUP_BODY),
    "profile": Endpoint("profile", "GET", "", 200),
    "buurt": Endpoint("buurt", "GET", "", 200),
    "api": Endpoint("api lookup", "GET", "/api/v1/lookup", 200, query=API_QUERY),
}


def per_request(empty_run: int, measured_run: int, requests: int) -> float:
    """One request's instructions: the measured run less the run without measured requests."""
    if requests <= 0:
        raise ValueError("requests must be positive")
    return (measured_run - empty_run) / requests


def collected(stderr: str) -> int:
    """The total of instructions callgrind reports at the end of a run."""
    found = COLLECTED_RE.findall(stderr)
    if not found:
        raise ValueError(f"no callgrind total in its output:\n{stderr[-2000:]}")
    return int(found[-1])


# --- The child: one endpoint, in a process that valgrind runs. ---


def wsgi_environ(endpoint: Endpoint, path: str) -> dict[str, object]:
    """What gunicorn hands Django for the request: behind the production proxy, over HTTPS."""
    environ: dict[str, object] = {
        "REQUEST_METHOD": endpoint.method,
        "PATH_INFO": path,
        "QUERY_STRING": endpoint.query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(endpoint.body),
        "wsgi.errors": sys.stderr,
    }
    if endpoint.body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["CONTENT_LENGTH"] = str(len(endpoint.body))
        environ["HTTP_ORIGIN"] = "https://127.0.0.1:8000"
    return environ


def led_to(name: str, location: str) -> tuple[Endpoint, str]:
    """The profile or buurt page that the lookup's redirect leads to, as make bench requests
    them: the profile with its ?buurt=, the buurt page bare (bench/http.py's buurt_page)."""
    target = urllib.parse.urlsplit(location)
    if name == "profile":
        return replace(ENDPOINTS["profile"], query=target.query), target.path
    code = urllib.parse.parse_qs(target.query)["buurt"][0]
    return ENDPOINTS["buurt"], f"/buurt/{code}/"


def requester(name: str, application: Callable[..., Any] | None = None) -> Callable[[], None]:
    """A function that sends the endpoint's request once (to `application`, a new WSGIHandler by
    default) and checks its status."""
    if application is None:
        from django.core.handlers.wsgi import WSGIHandler

        application = WSGIHandler()

    def send(endpoint: Endpoint, path: str) -> tuple[str, dict[str, str]]:
        answer: dict[str, object] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
            answer["status"], answer["headers"] = status, dict(headers)

        result = application(wsgi_environ(endpoint, path), start_response)
        try:
            b"".join(result)
        finally:
            result.close()
        status = str(answer["status"])
        if int(status.split()[0]) != endpoint.status:
            sys.exit(f"{name}: {endpoint.method} {path} answered {status}, not {endpoint.status}")
        return status, answer["headers"]  # type: ignore[return-value]

    endpoint, path = ENDPOINTS[name], ENDPOINTS[name].path
    if name in {"profile", "buurt"}:
        _, headers = send(ENDPOINTS["lookup"], "/")
        endpoint, path = led_to(name, headers["Location"])

    def send_once() -> None:
        send(endpoint, path)

    return send_once


def child(name: str, requests: int) -> None:
    import django
    from django.core.handlers.wsgi import WSGIHandler

    django.setup()
    application = WSGIHandler()
    # What a gunicorn worker starts with: wijkportaal.wsgi's application loaded and frozen by
    # pre_fork, so a full collection of the whole project cannot land in one count and not the next.
    gc.collect()
    gc.freeze()
    send = requester(name, application)
    for _ in range(WARM_UP):
        send()
    # The measured requests, each sent from starmap_next: what callgrind counts when it toggles
    # on that function (everything, when it runs without the toggle).
    collections.deque(itertools.starmap(send, itertools.repeat((), requests)), maxlen=0)


# --- The parent: prepares the database and runs each endpoint under callgrind. ---

# The function of CPython whose calls callgrind counts (see the module's docstring).
TOGGLE = "starmap_next"


def count(env: dict[str, str], name: str, requests: int, *, toggled: bool = True) -> int:
    """The instructions of one run: only the measured requests' when `toggled`, else the whole
    process's. The page cache starts empty each time."""
    if env["REDIS_URL"]:
        harness.flush_redis(env["REDIS_URL"])
    toggle = ["--collect-atstart=no", f"--toggle-collect={TOGGLE}"] if toggled else []
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        *toggle,
        harness.PYTHON,
        "-m",
        "bench.instructions",
        "--child",
        name,
        str(requests),
    ]
    # A fixed hash seed: the same dictionaries and sets in every run.
    run = subprocess.run(
        command,
        cwd=harness.ROOT,
        env={**env, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        sys.exit(f"{name}: the run under callgrind failed:\n{run.stdout}\n{run.stderr[-3000:]}")
    return collected(run.stderr)


def request_instructions(env: dict[str, str], name: str, requests: int) -> float:
    """One request's instructions: the toggled count, else the difference of two whole runs."""
    toggled = count(env, name, requests)
    if toggled > 0:
        return toggled / requests
    print(
        f"  ({name}: callgrind found no {TOGGLE} to toggle on in this Python; "
        "counting two whole runs instead)",
        flush=True,
    )
    empty = count(env, name, 0, toggled=False)
    return per_request(empty, count(env, name, requests, toggled=False), requests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "endpoints", nargs="*", metavar="endpoint", help=f"some of: {', '.join(ENDPOINTS)} (all)"
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=500,
        help="measured requests (500; fewer count less steadily)",
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument(
        "--child", nargs=2, metavar=("ENDPOINT", "REQUESTS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.requests <= 0 and not args.child:
        parser.error("--requests must be at least 1")
    if args.child:
        child(args.child[0], int(args.child[1]))
        return 0
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed. Install it first: sudo apt-get install valgrind")
    unknown = set(args.endpoints) - set(ENDPOINTS)
    if unknown:
        parser.error(f"unknown endpoint(s) {sorted(unknown)}; choose from {list(ENDPOINTS)}")
    # Hello first, as every ratio needs it; the rest in the table's order.
    names = [name for name in ENDPOINTS if name == "hello" or name in (args.endpoints or ENDPOINTS)]
    with harness.temporary_workdir("wijkportaal-instructions-") as tmp:
        env = harness.production_env(
            database_url=args.database_url,
            redis_url=args.redis_url,
            port=8000,
            workdir=Path(tmp),
        )
        env["DJANGO_SETTINGS_MODULE"] = "wijkportaal.settings"
        # Time runs far slower under callgrind, so the kept connection and cached pages must
        # outlast the run or their renewal is counted as the pages' work.
        env["CONN_MAX_AGE"] = env["PAGE_CACHE_SECONDS"] = "3600"
        # The request deadline too: a request past it has its connection cut and answers 503.
        env["REQUEST_DEADLINE_SECONDS"] = "3600"
        harness.prepare_fresh_site(env, database_url=args.database_url, redis_url=args.redis_url)
        print(
            f"\nInstructions per request (callgrind; {args.requests} requests after {WARM_UP} "
            "to warm up; production settings, PostgreSQL, "
            f"{'Redis' if env['REDIS_URL'] else 'no Redis'})"
        )
        print(f"{'endpoint':15} {'instructions':>12} {'hello / it':>10}")
        hello = None
        for name in names:
            instructions = request_instructions(env, name, args.requests)
            hello = hello or instructions
            label = ENDPOINTS[name].label
            print(
                f"{label:15} {instructions / 1e6:11.3f}M {hello / instructions:10.2f}", flush=True
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
