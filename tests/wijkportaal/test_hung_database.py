"""A hung PostgreSQL (every server process stopped with SIGSTOP: the TCP connections stay open, so
no statement or TCP timeout fires) must not hold residents: gunicorn with two workers on a private
server (never the shared one) answers the 503 page within two seconds, and is itself again once
the server continues."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.wijkportaal import servers

# Issue 21's bound for freeing a worker stuck on a hung database.
WORKER_FREED_WITHIN = 30
# The app cuts a kept connection at REQUEST_DEADLINE_SECONDS (1.5 s) and then answers at once;
# a request that opens a new connection in the first moment of a hang waits for libpq's connect
# timeout, which cannot be set below 2 s: that is the bound here.
RESIDENT_DEADLINE = 2.0
NEW_CONNECTION_BOUND = 2.2
ADMIN_DEADLINE = 4


def server_processes(data: Path) -> list[int]:
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    return [postmaster, *(int(pid) for pid in children)]


@pytest.fixture(scope="module")
def hung_site() -> Iterator[tuple[int, servers.PrivatePostgres]]:
    database = servers.PrivatePostgres(port=servers.free_port())
    gunicorn = None
    try:
        database.initialise()
        with tempfile.TemporaryDirectory(prefix="wijkportaal-hung-") as folder:
            port = servers.free_port()
            env = servers.site_env(
                database_url=database.url,
                workdir=Path(folder),
                port=port,
                ADMIN_REQUEST_DEADLINE_SECONDS=str(ADMIN_DEADLINE),
            )
            servers.prepare(env)
            gunicorn = servers.start_gunicorn(env, port=port, log=Path(folder) / "gunicorn.log")
            yield port, database
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        database.destroy()


def timed(port: int, method: str, path: str, **kwargs) -> tuple[int, float, bytes]:
    started = time.monotonic()
    status, _, body = servers.request(port, method, path, timeout=40, **kwargs)
    return status, time.monotonic() - started, body


def test_a_hung_database_gives_residents_the_503_page_within_two_seconds(hung_site):
    port, database = hung_site
    search = urllib.parse.urlencode({"postcode": "6411NH", "huisnummer": "13"}).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    # Kept connections in every worker thread first: the case where TCP stays open.
    with ThreadPoolExecutor(8) as pool:
        warm = list(pool.map(lambda _: timed(port, "GET", "/wijkagenten/"), range(16)))
    assert {status for status, _, _ in warm} == {200}

    processes = server_processes(database.data)
    for pid in processes:
        os.kill(pid, signal.SIGSTOP)
    try:

        def resident(number: int) -> tuple[int, float, bytes]:
            if number % 2:
                return timed(port, "POST", "/", body=search, headers=form)
            return timed(port, "GET", "/wijkagenten/")

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(resident, range(24)))
        admin = timed(
            port,
            "POST",
            "/beheer/login/",
            body=b"username=editor&password=x",
            headers=form,
        )
    finally:
        for pid in processes:
            os.kill(pid, signal.SIGCONT)

    slowest = max(took for _, took, _ in answers)
    assert {status for status, _, _ in answers} == {503}, answers
    times = sorted(round(took, 2) for _, took, _ in answers)
    assert slowest < NEW_CONNECTION_BOUND, f"answers took {times} s"
    assert sum(took < RESIDENT_DEADLINE for _, took, _ in answers) >= len(answers) - 4, times
    assert all(b"112" in body and b"0900-8844" in body for _, _, body in answers)
    # The admin's longer deadline frees its worker long before gunicorn's 30 s.
    assert admin[0] in {200, 503}  # the form with an error, or the 503 page: never a 500
    assert admin[1] < ADMIN_DEADLINE + 3

    # Continued: residents are served again within a few seconds, by every worker (each
    # process finds out on its own that the server answers again).
    deadline = time.monotonic() + 15
    served_in_a_row = 0
    while time.monotonic() < deadline and served_in_a_row < 8:
        served = timed(port, "GET", "/wijkagenten/")[0] == 200
        served_in_a_row = served_in_a_row + 1 if served else 0
        if not served:
            time.sleep(0.5)
    assert served_in_a_row == 8


def test_the_deadlines_as_shipped_keep_the_bounds_measured_above():
    """The test above shortens the admin's deadline; the defaults it stands for answer residents
    within 2 s and free an admin request's worker within 30 s."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REQUEST_DEADLINE_SECONDS", "ADMIN_REQUEST_DEADLINE_SECONDS"}
    }
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, wijkportaal.settings as s; "
            "print(json.dumps([s.REQUEST_DEADLINE_SECONDS, s.ADMIN_REQUEST_DEADLINE_SECONDS]))",
        ],
        cwd=servers.ROOT,
        env={**env, "DEBUG": "false", "SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
        check=True,
    )
    resident, admin = json.loads(shown.stdout)
    assert 0 < resident < RESIDENT_DEADLINE
    # The admin request above came back within its deadline and 3 s.
    assert 0 < admin + 3 <= WORKER_FREED_WITHIN
