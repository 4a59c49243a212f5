"""Shared pieces of the benchmarks: a production-configured gunicorn, wrk runs, plain HTTP probes."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Behind the production proxy every request arrives as HTTPS; the benchmark says so the same way.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def production_env(
    *, database_url: str, redis_url: str, port: int, workdir: Path
) -> dict[str, str]:
    """The environment of `make serve`: DEBUG off, HTTPS settings on, the hello view added."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # Counters in Redis as production keeps them (a server of their own there).
            "COUNTERS_REDIS_URL": redis_url,
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
            "ROOT_URLCONF": "bench.urls",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
            # One client sends every lookup and search here: the limits are still counted (their
            # cost is part of what is measured), but never reached.
            "API_RATE_LIMIT_PER_MINUTE": "1000000000",
            "SEARCH_RATE_LIMIT_PER_MINUTE": "1000000000",
        }
    )
    return env


def ensure_wrk() -> str:
    """The wrk binary; installed from the Debian package when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing; installing the Debian package 'wrk' with apt-get.", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit("wrk is not installed. Install it first: sudo apt-get install wrk")


def recreate_postgres_database(url: str) -> None:
    """Drop and create the database named in a postgres:// URL, so every run starts clean."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"Refusing to recreate database {name!r}: use lowercase letters, digits and _.")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def vacuum_analyze(url: str, table: str) -> None:
    """VACUUM (ANALYZE) one table of the database of a postgres:// URL.

    A production database vacuums a freshly loaded table soon after the load (autovacuum, within
    a minute by default). Vacuumed first, a measurement sees that steady state, rather than a
    vacuum starting in its middle or its first reads setting the new rows' hint bits.
    """
    import psycopg

    if not re.fullmatch(r"[a-z0-9_]+", table):
        sys.exit(f"Refusing to vacuum {table!r}: use lowercase letters, digits and _.")
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'VACUUM (ANALYZE) "{table}"')


def manage(env: dict[str, str], *args: str, quiet: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=quiet,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def prepare_site(env: dict[str, str]) -> None:
    """Migrate, load the Heerlen demo and collect static files, as a deployment would."""
    manage(env, "migrate", "--no-input")
    manage(env, "load_demo")
    manage(env, "collectstatic", "--no-input")


def prepare_fresh_site(env: dict[str, str], *, database_url: str, redis_url: str) -> None:
    """A new database of the benchmark's own with the demo (`prepare_site`), and its Redis
    database emptied; without Redis, `env` is changed to run without the page cache."""
    print(f"Preparing {database_url.rsplit('/', 1)[-1]}: migrate, load_demo, collectstatic")
    recreate_postgres_database(database_url)
    if not flush_redis(redis_url):
        print(f"Redis at {redis_url} does not answer: measuring without the page cache.")
        env["REDIS_URL"] = env["COUNTERS_REDIS_URL"] = ""
    prepare_site(env)


@dataclass
class Gunicorn:
    """A gunicorn master started with gunicorn.conf.py, logging to a file, stopped on exit."""

    env: dict[str, str]
    port: int
    log_path: Path
    workers: int
    threads: int
    process: subprocess.Popen | None = field(default=None, init=False)

    def start(self) -> None:
        env = {
            **self.env,
            "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
        }
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(Path(PYTHON).with_name("gunicorn")), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log_tail = self.log_path.read_text(errors="replace")[-3000:]
                sys.exit(f"gunicorn exited at start:\n{log_tail}")
            try:
                if (
                    get(self.port, "/healthz").status == 200
                    and len(self.worker_pids()) == self.workers
                ):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        log_tail = self.log_path.read_text(errors="replace")[-3000:]
        sys.exit(f"gunicorn did not answer within 60 s:\n{log_tail}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def worker_memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process in MB; PSS splits pages shared with the preloaded master fairly."""
    rss = pss = 0.0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == "Rss":
            rss = int(value.split()[0]) / 1024
        elif name == "Pss":
            pss = int(value.split()[0]) / 1024
    return rss, pss


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (those that have exited count 0)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def postgres_backends(url: str) -> list[int]:
    """Process ids of the PostgreSQL backends connected to the database of `url` (local server)."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]
            ).fetchall()
    except psycopg.Error:
        return []
    return [row[0] for row in rows]


def redis_server_pid(url: str) -> int | None:
    """The Redis server's process id when it runs on this machine, else None."""
    import redis

    try:
        pid = int(redis.Redis.from_url(url, socket_connect_timeout=2).info("server")["process_id"])
    except (redis.RedisError, KeyError, ValueError):
        return None
    return pid if Path(f"/proc/{pid}").exists() else None


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str]


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> Response:
    """One HTTP/1.1 request on loopback, as the proxy would forward it; redirects are not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={**PROXY_HEADERS, **(headers or {})})
        raw = connection.getresponse()
        payload = raw.read()
        cookies = {}
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, payload, cookies)
    finally:
        connection.close()


def get(port: int, path: str, **kwargs: object) -> Response:
    return request(port, "GET", path, **kwargs)  # type: ignore[arg-type]


@dataclass
class LookupForm:
    """The home page's postcode form as a browser posts it. It needs no CSRF token or cookie:
    a search changes nothing (see officers.views.search)."""

    def body(self, *, postcode: str, huisnummer: str, toevoeging: str = "") -> str:
        return urllib.parse.urlencode(
            {"postcode": postcode, "huisnummer": huisnummer, "toevoeging": toevoeging}
        )

    def headers(self, port: int) -> dict[str, str]:
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            # What a browser sends with a form post over HTTPS.
            "Origin": f"https://127.0.0.1:{port}",
        }


def load_lookup_form(port: int) -> LookupForm:
    home = get(port, "/")
    if home.status != 200 or b'name="postcode"' not in home.body:
        sys.exit(f"The home page did not offer the lookup form (status {home.status}).")
    return LookupForm()


def post_lookup(port: int, form: LookupForm, *, timeout: float = 10, **address: str) -> Response:
    return request(
        port,
        "POST",
        "/",
        body=form.body(**address),
        headers=form.headers(port),
        timeout=timeout,
    )


_LUA_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"status_errors": %d, "socket_errors": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout))
end
"""


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    status_errors: int
    socket_errors: int
    # The socket errors by kind, as wrk counts them: connect, read, write, timeout.
    socket_error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.status_errors + self.socket_errors


def wrk_script(
    workdir: Path, name: str, *, method: str = "GET", body: str = "", headers: dict[str, str]
) -> Path:
    """A wrk Lua script sending one fixed request and printing the summary as JSON."""
    lines = [f"wrk.method = {json.dumps(method)}"]
    if body:
        lines.append(f"wrk.body = {json.dumps(body)}")
    for key, value in {**PROXY_HEADERS, **headers}.items():
        lines.append(f"wrk.headers[{json.dumps(key)}] = {json.dumps(value)}")
    path = workdir / f"{name}.lua"
    path.write_text("\n".join(lines) + "\n" + _LUA_REPORT)
    return path


def wrk_sampled_script(
    workdir: Path,
    name: str,
    *,
    method: str = "GET",
    targets: list[tuple[str, str]],
    headers: dict[str, str],
) -> Path:
    """A wrk Lua script sending, for every request, one (path, body) of `targets` drawn at
    random (each wrk thread seeded apart), and printing the summary as JSON. A body of "" sends
    none."""
    data = workdir / f"{name}.targets"
    # One target a line: the path, a tab, the body (paths and form bodies hold neither).
    data.write_text("".join(f"{path}\t{body}\n" for path, body in targets))
    lines = [f"wrk.method = {json.dumps(method)}"]
    for key, value in {**PROXY_HEADERS, **headers}.items():
        lines.append(f"wrk.headers[{json.dumps(key)}] = {json.dumps(value)}")
    lines.append(
        f"""
local targets = {{}}
for line in io.lines({json.dumps(str(data))}) do
  local path, body = line:match("^([^\\t]*)\\t(.*)$")
  targets[#targets + 1] = {{path, body}}
end
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("number", threads)
end
init = function(args)
  math.randomseed(os.time() * 1000 + (number or 0))
end
request = function()
  local target = targets[math.random(#targets)]
  if target[2] == "" then
    return wrk.format(nil, target[1])
  end
  return wrk.format(nil, target[1], nil, target[2])
end
"""
    )
    path = workdir / f"{name}.lua"
    path.write_text("\n".join(lines) + "\n" + _LUA_REPORT)
    return path


def run_wrk(
    wrk: str,
    *,
    port: int,
    path: str,
    script: Path,
    connections: int,
    seconds: int,
    threads: int = 2,
) -> WrkResult:
    """wrk with HTTP keep-alive on loopback; 3xx answers count as success, 4xx/5xx as errors."""
    result = subprocess.run(
        [
            wrk,
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    match = re.search(r"WRK-RESULT (\{.*\})", result.stdout)
    if not match:
        sys.exit(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")
    data = json.loads(match.group(1))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        status_errors=data["status_errors"],
        socket_errors=data["socket_errors"],
        socket_error_kinds={
            kind: data[kind] for kind in ("connect", "read", "write", "timeout") if kind in data
        },
    )


def gzip_size(body: bytes, headers: dict[str, str]) -> int:
    """Bytes on the wire: as served when compressed, else what gzip would make of it."""
    if headers.get("content-encoding") in {"gzip", "br"}:
        return len(body)
    return len(gzip.compress(body, compresslevel=6))


def temporary_workdir(prefix: str) -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix=prefix)


def flush_redis(url: str) -> bool:
    """Empty the benchmark's own Redis database so no page from an earlier run is served.

    False when Redis does not answer.
    """
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.RedisError:
        return False
    return True
