"""Real servers for the tests that replay attacks end to end: gunicorn with two workers on a
site of its own, a private PostgreSQL and a private Redis (never the shared ones), each bounded in
time."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bench import harness
from bench.load_fault import PrivatePostgres

ROOT = Path(__file__).resolve().parents[2]
STAFF_PASSWORD = secrets.token_urlsafe(12)

__all__ = ["PrivatePostgres", "free_port", "private_redis"]


def free_port() -> int:
    """A port nothing listens on, chosen by the system (port 0) rather than the first free one of
    a fixed range, which two runs on one machine starting at once would both take."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def private_redis(workdir: Path, *options: str) -> Iterator[int]:
    """A Redis server of the caller's own, started with `options` (a memory limit, a policy), on
    a port the system picks; yields its port and stops it afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    port = free_port()
    arguments = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)]
    process = subprocess.Popen(  # noqa: S603 (the system's redis-server, fixed arguments)
        [binary, *arguments, *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=port, socket_connect_timeout=0.2).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def site_env(*, database_url: str, workdir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST")) and k not in {"REDIS_URL", "COUNTERS_REDIS_URL"}
    }
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
            "ROOT_URLCONF": "wijkportaal.urls",
            "GUNICORN_MAX_REQUESTS": "0",
            **extra,
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )


def prepare(env: dict[str, str]) -> None:
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input")
    manage(
        {**env, "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD},
        "createsuperuser",
        "--no-input",
        "--username",
        "editor",
        "--email",
        "editor@example.org",
    )


def start_gunicorn(env: dict[str, str], *, port: int, log: Path) -> harness.Gunicorn:
    server = harness.Gunicorn(env=env, port=port, log_path=log, workers=2, threads=4)
    server.start()
    return server


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    chunked: bool = False,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        if chunked:
            connection.request(
                method, path, body=iter([body or b""]), headers=headers or {}, encode_chunked=True
            )
        else:
            connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def raw_exchange(port: int, data: bytes, *, timeout: float = 5) -> bytes:
    """Send bytes as they are (headers only, a broken request line) and read the first answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return sock.recv(4096)
