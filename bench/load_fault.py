"""Load and fault test: sustained load, a killed worker, and a database stopped and started under load.

1. 60 s at 64 connections on the lookup flow (the form POST): zero errors allowed.
2. 20 s of the same load; one gunicorn worker is killed (SIGKILL) half-way: no more requests may fail
   than the connections that worker held.
3. A private PostgreSQL (initdb in a temporary directory, its own port; never the shared server) is
   stopped during load: every answer while it is down is a 503 within 2 s; after it is started again
   the lookup answers 200 within 5 s, without restarting gunicorn.

Everything runs against gunicorn with the production settings and stops by itself (a hard limit
of 10 minutes). Exit status 0 when every check passes. Usage: python -m bench.load_fault
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder would shadow the standard library's http package (see http.py).
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

from bench import harness

LOOKUP_ADDRESS = {"postcode": "6411NH", "huisnummer": "13", "toevoeging": "E"}
HARD_LIMIT_SECONDS = 600


def free_port(candidates: range) -> int:
    for port in candidates:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    sys.exit(f"No free port in {candidates.start}-{candidates.stop - 1}.")


def postgres_bindir() -> Path:
    for candidate in (os.environ.get("PG_BINDIR", ""), "/usr/lib/postgresql/15/bin"):
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("pg_config")
    if found:
        bindir = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=True)
        return Path(bindir.stdout.strip())
    sys.exit("PostgreSQL server binaries not found; set PG_BINDIR to the folder holding initdb.")


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a temporary directory, on its own port."""

    def __init__(self, *, port: int) -> None:
        self.port = port
        self.bindir = postgres_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="wijkportaal-fault-pg-"))
        self.data = self.root / "data"
        # PostgreSQL refuses to run as root; as root, the cluster belongs to the postgres user.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.root, user="postgres", group="postgres")
        self.root.chmod(0o700)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/wijkportaal"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_owner, *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def initialise(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
        )
        self.start()
        import psycopg

        admin = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            connection.execute("CREATE DATABASE wijkportaal")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "postgres.log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def connections_held(pid: int, port: int) -> int:
    """Established client connections on the gunicorn port that this worker process holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    held = 0
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                held += 1
    return held


@dataclass
class Sample:
    started: float
    finished: float
    status: int  # 0: a socket error or timeout


def hammer(port: int, stop_at: float, samples: list[Sample], lock: threading.Lock) -> None:
    """One client posting the lookup form in a loop until `stop_at`, recording every answer."""
    form = harness.load_lookup_form(port)
    while time.monotonic() < stop_at:
        started = time.monotonic()
        try:
            status = harness.post_lookup(port, form, timeout=10, **LOOKUP_ADDRESS).status
        except OSError:
            status = 0
        with lock:
            samples.append(Sample(started, time.monotonic(), status))
        if status != 303:
            time.sleep(0.05)


def check(results: list[tuple[str, bool, str]], name: str, passed: bool, detail: str) -> None:
    results.append((name, passed, detail))
    print(f"[{'PASS' if passed else 'FAIL'}] {name}: {detail}", flush=True)


def sustained_load(wrk: str, port: int, script: Path, results: list, seconds: int) -> None:
    print(f"\n1. {seconds} s at 64 connections on the lookup flow", flush=True)
    run = harness.run_wrk(
        wrk, port=port, path="/", script=script, connections=64, seconds=seconds, threads=2
    )
    check(
        results,
        "sustained load",
        run.errors == 0 and run.requests > 0,
        f"{run.requests} lookups, {run.per_second:.0f}/s, p50 {run.p50_ms:.1f} ms, "
        f"p99 {run.p99_ms:.1f} ms, {run.status_errors} HTTP errors, {run.socket_errors} socket errors",
    )


def killed_worker(
    wrk: str, port: int, script: Path, server: harness.Gunicorn, results: list
) -> None:
    print("\n2. 20 s of load; one worker killed after 8 s", flush=True)
    held: dict[str, int] = {}

    def kill_one() -> None:
        time.sleep(8)
        victim = server.worker_pids()[0]
        # Stopped first, so that it accepts no connection between the count and the kill.
        os.kill(victim, signal.SIGSTOP)
        held["connections"] = connections_held(victim, port)
        held["pid"] = victim
        os.kill(victim, signal.SIGKILL)

    killer = threading.Thread(target=kill_one)
    killer.start()
    run = harness.run_wrk(wrk, port=port, path="/", script=script, connections=64, seconds=20)
    killer.join()
    time.sleep(1)
    lost = run.errors
    check(
        results,
        "killed worker",
        lost <= held["connections"],
        f"worker {held['pid']} held {held['connections']} connections when killed; "
        f"{lost} of {run.requests} requests failed ({run.status_errors} HTTP errors, socket "
        f"errors {run.socket_error_kinds}); {len(server.worker_pids())} workers running after",
    )


def database_outage(port: int, database: PrivatePostgres, results: list) -> None:
    print("\n3. PostgreSQL stopped for 7 s under load, then started", flush=True)
    samples: list[Sample] = []
    lock = threading.Lock()
    begin = time.monotonic()
    stop_at = begin + 24
    clients = [
        threading.Thread(target=hammer, args=(port, stop_at, samples, lock)) for _ in range(8)
    ]
    for client in clients:
        client.start()
    time.sleep(5)
    stopping = time.monotonic()
    database.stop("fast")
    down = time.monotonic()
    time.sleep(1)
    ready = harness.get(port, "/readyz")
    time.sleep(6)
    restart_issued = time.monotonic()
    database.start()
    up = time.monotonic()
    for client in clients:
        client.join()

    # pg_ctl returns once the server is gone: what it refused meanwhile is neither before nor
    # while down.
    before = [s for s in samples if s.finished < stopping]
    while_down = [s for s in samples if s.started > down and s.finished < restart_issued]
    after_up = [s for s in samples if s.started >= up]
    first_ok = min((s.finished for s in after_up if s.status == 303), default=None)
    late = [s for s in samples if s.started >= up + 5]
    socket_errors = sum(1 for s in samples if s.status == 0)

    check(
        results,
        "before the outage",
        bool(before) and all(s.status == 303 for s in before),
        f"{len(before)} lookups, statuses {sorted({s.status for s in before})}; stopping the "
        f"server took {(down - stopping) * 1000:.0f} ms",
    )
    slowest = max((s.finished - s.started for s in while_down), default=0.0)
    check(
        results,
        "database down: 503 within 2 s",
        bool(while_down) and all(s.status == 503 for s in while_down) and slowest < 2.0,
        f"{len(while_down)} answers, statuses {sorted({s.status for s in while_down})}, "
        f"slowest {slowest * 1000:.0f} ms",
    )
    check(
        results,
        "database down: /readyz not ready",
        ready.status == 503,
        f"/readyz answered {ready.status}",
    )
    check(
        results,
        "recovery within 5 s",
        first_ok is not None and first_ok - up <= 5.0 and all(s.status == 303 for s in late),
        (
            f"first lookup answered {first_ok - up:.2f} s after PostgreSQL accepted connections; "
            f"{len(late)} later lookups, statuses {sorted({s.status for s in late})}"
            if first_ok is not None
            else "no successful lookup after the restart"
        ),
    )
    check(
        results,
        "no socket errors or hangs",
        socket_errors == 0,
        f"{socket_errors} of {len(samples)} requests had no HTTP answer",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the sustained load")
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAULT_PORT", "8131")))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    # Whatever happens, the script ends: a hard limit, and SIGTERM unwinds through the cleanup.
    signal.signal(signal.SIGALRM, lambda *_: sys.exit(f"Aborted after {HARD_LIMIT_SECONDS} s."))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("Terminated."))
    signal.alarm(HARD_LIMIT_SECONDS)

    wrk = harness.ensure_wrk()
    database = PrivatePostgres(port=free_port(range(54330, 54340)))
    server: harness.Gunicorn | None = None
    results: list[tuple[str, bool, str]] = []
    with harness.temporary_workdir("wijkportaal-fault-") as tmp:
        workdir = Path(tmp)
        try:
            print(
                f"Private PostgreSQL on port {database.port}: initdb, migrate, load_demo",
                flush=True,
            )
            database.initialise()
            env = harness.production_env(
                database_url=database.url, redis_url="", port=args.port, workdir=workdir
            )
            harness.prepare_site(env)
            # Workers are not recycled: a graceful restart closes keep-alive connections, and the
            # killed worker's check would blame the requests wrk loses on them on the kill.
            env["GUNICORN_MAX_REQUESTS"] = "0"
            # This test stops the database rather than hanging it; the hang deadline must not
            # turn a lookup that queues behind wrk on two shared cores into a 503.
            env["REQUEST_DEADLINE_SECONDS"] = "10"
            server = harness.Gunicorn(
                env=env,
                port=args.port,
                log_path=workdir / "gunicorn.log",
                workers=args.workers,
                threads=args.threads,
            )
            server.start()
            form = harness.load_lookup_form(args.port)
            first = harness.post_lookup(args.port, form, **LOOKUP_ADDRESS)
            if first.status != 303:
                sys.exit(f"The lookup answered {first.status} before any fault; nothing to test.")
            script = harness.wrk_script(
                workdir,
                "lookup",
                method="POST",
                body=form.body(**LOOKUP_ADDRESS),
                headers=form.headers(args.port),
            )
            sustained_load(wrk, args.port, script, results, args.seconds)
            killed_worker(wrk, args.port, script, server, results)
            database_outage(args.port, database, results)
        finally:
            if server is not None:
                server.stop()
            database.destroy()
    failed = [name for name, passed, _ in results if not passed]
    print(f"\n{len(results) - len(failed)} of {len(results)} checks passed.")
    if failed:
        print("Failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
