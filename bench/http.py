"""HTTP benchmark: production settings under gunicorn on PostgreSQL, measured with wrk on loopback.

Measures in one run a bare "hello" view (the ceiling of this Django project), the lookup flow, the
profile page, the buurt page and the API lookup; prints requests/s, p50/p99 and each page's ratio to
hello, the page weight of home and profile, and the memory of a worker. `--with-bag` then imports the
1.2 million BAG addresses beside the demo and measures the lookup again.

Two more bare views show what a page's own round trips leave it: hello plus one PostgreSQL query
(`SELECT 1`), the most the lookup could reach, and hello plus a query and a Redis read, the most
the API lookup (its search and its rate limit) could reach.

The lookup flow is the form POST a browser sends (the search form needs no CSRF token), which
runs the whole lookup and answers 303 to the officer's page; the page behind that redirect is the
profile page, measured on its own line.

Each page runs between two hello runs and is compared with them, round after round, so that the
machine's drift from one second to the next (other people's work) meets both sides of a ratio.

Usage: python -m bench.http [--with-bag] [--seconds 3] [--rounds 5] [--connections 16]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder would come first on the path and this module would shadow
# the standard library's http package; the repository root goes there instead. (`make bench` runs
# `python -m bench.http`, which needs none of this.)
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import datetime as dt
import functools
import os
import platform
import re
import shutil
import statistics
import urllib.parse
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from bench import harness

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/wp_bench_http"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
# The police station of Heerlen: one wijkagent, so the lookup ends on a profile page.
LOOKUP_ADDRESS = {"postcode": "6411NH", "huisnummer": "13", "toevoeging": "E"}
DEFAULT_API_PATH = "/api/v1/lookup?postcode=6411NH&huisnummer=13&toevoeging=E"

# Bare views beside hello (bench/urls.py): hello plus one PostgreSQL round trip, and plus one
# each to PostgreSQL and Redis. What any page making those round trips can reach at most.
FLOOR_QUERY = "+1 query"
FLOOR_QUERY_CACHE = "+query+redis"
FLOORS = (FLOOR_QUERY, FLOOR_QUERY_CACHE)

# The floors of issue 18: each page's share of hello's requests/s in the same run, and the p99.
FLOOR_RATIOS = {"lookup (POST)": 0.5, "profile": 0.6, "buurt": 0.6, "api lookup": 0.4}
TARGET_P99_MS = 50.0
TARGET_PAGE_BYTES = 30 * 1024
TARGET_SCALE_RATIO = 0.9
TARGET_WORKER_MB = 150.0


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores {model}, Python {platform.python_version()}".strip()


def buurt_page(profile_path: str) -> str:
    """The buurt page of the buurt the lookup found (the profile URL names it: ?buurt=<code>)."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(profile_path).query)
    return f"/buurt/{query['buurt'][0]}/"


def lookup_target(port: int, address: dict[str, str]) -> str:
    form = harness.load_lookup_form(port)
    answer = harness.post_lookup(port, form, **address)
    if answer.status != 303:
        sys.exit(f"The lookup of {address} answered {answer.status}, not a redirect.")
    return answer.headers["location"]


@dataclass
class Measured:
    """One endpoint over all rounds: medians of rate and latency, errors summed, and its ratios
    to hello, one per round (see `bracketed_ratio`)."""

    runs: list[harness.WrkResult]
    ratios: list[float]
    # CPU microseconds per request of the gunicorn workers, PostgreSQL and Redis, per run.
    cpu_us: list[float] = field(default_factory=list)
    # The same, per part: {"workers": ..., "postgres": ..., "redis": ...}, per run.
    cpu_parts_us: list[dict[str, float]] = field(default_factory=list)
    # hello's CPU per request over this endpoint's, one per round (see `bracketed_ratio`).
    cpu_ratios: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return statistics.median(run.per_second for run in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(run.p50_ms for run in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(run.p99_ms for run in self.runs)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def cpu_ratio(self) -> float:
        return statistics.median(self.cpu_ratios) if self.cpu_ratios else 0.0

    @property
    def cpu_per_request_us(self) -> float:
        return statistics.median(self.cpu_us) if self.cpu_us else 0.0

    def cpu_part_us(self, part: str) -> float:
        values = [parts[part] for parts in self.cpu_parts_us if part in parts]
        return statistics.median(values) if values else 0.0

    @property
    def status_errors(self) -> int:
        return sum(run.status_errors for run in self.runs)

    @property
    def socket_errors(self) -> int:
        return sum(run.socket_errors for run in self.runs)

    def add(self, run: harness.WrkResult, cpu_parts: dict[str, float]) -> None:
        self.runs.append(run)
        self.cpu_us.append(sum(cpu_parts.values()))
        self.cpu_parts_us.append(cpu_parts)


def bracketed_ratio(value: float, *, before: float, after: float) -> float:
    """A page's figure over the mean of the hello runs right before and right after it.

    A shared machine's speed drifts from one second to the next with other people's work. A hello
    run on each side of the page's own run meets the same drift, so a page that happens to run in
    a slow stretch is compared with a hello in that stretch.
    """
    reference = (before + after) / 2
    return value / reference if reference else 0.0


@dataclass
class SplitCores:
    """The gunicorn workers on cores of their own, and wrk, PostgreSQL's backends, Redis and this
    script on the others: a web node that shares its cores with nothing else, as in production,
    where the database, the cache and the clients run elsewhere.

    Affinities are set again before every run, because backends come and go (`CONN_MAX_AGE`).
    Redis is the machine's shared server: its affinity is put back at the end.
    """

    web: set[int]
    rest: set[int]
    restore_later: dict[int, set[int]] = field(default_factory=dict)

    @classmethod
    def halves(cls) -> SplitCores:
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < 2:
            sys.exit("--split-cores needs at least 2 cores.")
        middle = len(cores) // 2
        return cls(web=set(cores[:middle]), rest=set(cores[middle:]))

    def describe(self) -> str:
        return (
            f"gunicorn on core(s) {sorted(self.web)}; wrk, PostgreSQL and Redis on "
            f"{sorted(self.rest)}"
        )

    def pin(self, pids: list[int], cores: set[int], *, restore: bool = False) -> None:
        for pid in pids:
            try:
                if restore and pid not in self.restore_later:
                    self.restore_later[pid] = os.sched_getaffinity(pid)
                os.sched_setaffinity(pid, cores)
            except OSError:
                # The process has ended (a backend closed its connection).
                continue

    def apply(self, *, server: harness.Gunicorn, database_url: str, redis_pid: int | None) -> None:
        # This script, so the wrk it starts, goes with the rest.
        os.sched_setaffinity(0, self.rest)
        master = [server.process.pid] if server.process is not None else []
        self.pin([*master, *server.worker_pids()], self.web)
        self.pin(harness.postgres_backends(database_url), self.rest)
        if redis_pid is not None:
            self.pin([redis_pid], self.rest, restore=True)

    def restore(self) -> None:
        for pid, cores in self.restore_later.items():
            try:
                os.sched_setaffinity(pid, cores)
            except OSError:
                continue


@dataclass
class CpuMeter:
    """The CPU time the server side spends: gunicorn workers, PostgreSQL backends, Redis.

    Requests per second on a machine that others share swing with their load; CPU time per
    request barely does, so it is the steadier measure of what a page costs.
    """

    server: harness.Gunicorn
    database_url: str
    redis_pid: int | None
    split: SplitCores | None = None

    def pids(self) -> dict[str, list[int]]:
        return {
            "workers": self.server.worker_pids(),
            "postgres": harness.postgres_backends(self.database_url),
            "redis": [self.redis_pid] if self.redis_pid else [],
        }

    def __call__(
        self, run: Callable[[], harness.WrkResult]
    ) -> tuple[harness.WrkResult, dict[str, float]]:
        """The run's result and the CPU microseconds per request of each part."""
        if self.split is not None:
            self.split.apply(
                server=self.server, database_url=self.database_url, redis_pid=self.redis_pid
            )
        pids = self.pids()
        before = {part: harness.cpu_seconds(group) for part, group in pids.items()}
        result = run()
        used = {}
        for part, group in self.pids().items():
            # Backends that connected during the run count from their start.
            started = [pid for pid in group if pid not in pids[part]]
            spent = harness.cpu_seconds(pids[part]) - before[part] + harness.cpu_seconds(started)
            used[part] = spent / max(result.requests, 1) * 1e6
        return result, used


def measure_pages(
    wrk: str,
    *,
    port: int,
    workdir: Path,
    seconds: int,
    rounds: int,
    connections: int,
    api_path: str,
    meter: CpuMeter,
    only: Collection[str] | None = None,
) -> dict[str, Measured | None]:
    """wrk runs per endpoint, in rounds; in each round every page runs between two hello runs
    (hello, page, hello, next page, hello, ...) and is compared with those two
    (`bracketed_ratio`). The reported ratio is the median over the rounds. `only` names the
    pages to measure (all by default).
    """
    profile_path = lookup_target(port, LOOKUP_ADDRESS)
    buurt_path = buurt_page(profile_path)
    form = harness.load_lookup_form(port)
    get_script = harness.wrk_script(workdir, "get", headers={})
    post_script = harness.wrk_script(
        workdir,
        "lookup",
        method="POST",
        body=form.body(**LOOKUP_ADDRESS),
        headers=form.headers(port),
    )
    api = harness.get(port, api_path)
    hello: tuple[str, str, Path] = ("hello", "/bench/hello", get_script)
    pages: list[tuple[str, str, Path]] = [
        (FLOOR_QUERY, "/bench/hello-query", get_script),
        (FLOOR_QUERY_CACHE, "/bench/hello-query-cache", get_script),
        ("lookup (POST)", "/", post_script),
        ("profile", profile_path, get_script),
        ("buurt", buurt_path, get_script),
    ]
    if api.status == 200:
        pages.append(("api lookup", api_path, get_script))
    else:
        print(f"API lookup skipped: {api_path} answered {api.status} (the API is not merged yet?)")
    if only is not None:
        pages = [page for page in pages if page[0] in only]
    # Warm the caches and the STRtree first, as on a server that has run a while.
    for name, path, _ in [hello, *pages]:
        for _ in range(20):
            if name == "lookup (POST)":
                harness.post_lookup(port, form, **LOOKUP_ADDRESS)
            else:
                harness.get(port, path)

    measured = run_rounds(
        wrk,
        hello=hello,
        pages=pages,
        port=port,
        seconds=seconds,
        rounds=rounds,
        connections=connections,
        meter=meter,
    )
    measured.setdefault("api lookup", None)
    return measured


def run_rounds(
    wrk: str,
    *,
    hello: tuple[str, str, Path],
    pages: list[tuple[str, str, Path]],
    port: int,
    seconds: int,
    rounds: int,
    connections: int,
    meter: CpuMeter,
) -> dict[str, Measured | None]:
    """The rounds of `measure_pages`: each page (name, path, wrk script) between two hello runs,
    compared with them; every other round backwards."""

    def run(path: str, script: Path) -> tuple[harness.WrkResult, dict[str, float]]:
        return meter(
            functools.partial(
                harness.run_wrk,
                wrk,
                port=port,
                path=path,
                script=script,
                connections=connections,
                seconds=seconds,
            )
        )

    measured: dict[str, Measured | None] = {
        name: Measured([], []) for name, _, _ in [hello, *pages]
    }
    hellos = measured["hello"]
    assert hellos is not None
    for round_number in range(1, rounds + 1):
        print(f"round {round_number} of {rounds} ...", flush=True)
        before, before_cpu = run(hello[1], hello[2])
        hellos.add(before, before_cpu)
        # Every other round goes backwards, so no page always runs right after the same one.
        for name, path, script in pages if round_number % 2 else pages[::-1]:
            page, page_cpu = run(path, script)
            after, after_cpu = run(hello[1], hello[2])
            hellos.add(after, after_cpu)
            entry = measured[name]
            assert entry is not None
            entry.add(page, page_cpu)
            entry.ratios.append(
                bracketed_ratio(page.per_second, before=before.per_second, after=after.per_second)
            )
            # CPU per request the other way round: hello's over the page's, like the rate.
            cpu_share = bracketed_ratio(
                sum(page_cpu.values()),
                before=sum(before_cpu.values()),
                after=sum(after_cpu.values()),
            )
            entry.cpu_ratios.append(1 / cpu_share if cpu_share else 0.0)
            before, before_cpu = after, after_cpu
    hellos.ratios.extend([1.0] * rounds)
    hellos.cpu_ratios.extend([1.0] * rounds)
    return measured


def report(results: dict[str, Measured | None], *, title: str) -> None:
    print(f"\n{title}")
    print(
        f"{'endpoint':<14} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6} {'range':>9} "
        f"{'4xx/5xx':>7} {'socket':>6} {'cpu us/req':>10} {'cpu ratio':>9} "
        f"{'workers':>7} {'pg':>5} {'redis':>5}"
    )
    for name, result in results.items():
        if result is None:
            print(f"{name:<14} {'skipped':>8}  (the API does not answer yet)")
            continue
        note = ""
        if name in FLOORS:
            note = "  (a ceiling, not a page)"
        elif name != "hello":
            ok = result.ratio >= FLOOR_RATIOS[name] and result.p99_ms <= TARGET_P99_MS
            note = "" if ok else "  below its floor"
        cpu = result.cpu_per_request_us
        print(
            f"{name:<14} {result.per_second:>8.0f} {result.p50_ms:>7.2f} {result.p99_ms:>7.2f} "
            f"{result.ratio:>6.2f} {min(result.ratios):>4.2f}-{max(result.ratios):>4.2f} "
            f"{result.status_errors:>7d} {result.socket_errors:>6d} "
            f"{cpu:>10.0f} {result.cpu_ratio:>9.2f} {result.cpu_part_us('workers'):>7.0f} "
            f"{result.cpu_part_us('postgres'):>5.0f} {result.cpu_part_us('redis'):>5.0f}{note}"
        )
    print(
        f"floors: ratio of hello >= {', '.join(f'{n} {r}' for n, r in FLOOR_RATIOS.items())}; "
        f"p99 <= {TARGET_P99_MS:.0f} ms "
        "(medians over rounds; each round's ratio against the hello runs just before and after "
        "the page's run; range: the lowest and highest of those)\n"
        "cpu us/req: gunicorn workers + PostgreSQL backends + Redis per request (wrk excluded); "
        "cpu ratio = hello's cpu us/req / the endpoint's (the same hello runs): roughly the ratio "
        "an idle machine would show; workers, pg, redis: its parts (each a median over rounds, "
        "so they need not add up)"
    )


def page_weight(port: int) -> None:
    print("\nPage weight (bytes transferred; HTML as served and gzipped by a proxy, CSS as served)")
    profile_path = lookup_target(port, LOOKUP_ADDRESS).split("?")[0]
    for name, path in (("home", "/"), ("profile", profile_path)):
        page = harness.get(port, path, headers={"Accept-Encoding": "gzip"})
        html = page.body
        stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
        css_bytes = 0
        for href in stylesheets:
            css = harness.get(port, href.decode(), headers={"Accept-Encoding": "gzip"})
            css_bytes += len(css.body)
        has_script = b"<script" in html
        gzipped = harness.gzip_size(html, page.headers)
        total = gzipped + css_bytes
        verdict = "ok" if total <= TARGET_PAGE_BYTES and not has_script else "over target"
        print(
            f"{name:<8} HTML {len(html):>6} B raw, {gzipped:>5} B gzip; CSS {css_bytes:>5} B "
            f"(gzip by WhiteNoise); total {total / 1024:.1f} KB; JavaScript: "
            f"{'yes' if has_script else 'none'}  {verdict}"
        )


def memory(server: harness.Gunicorn) -> float:
    worst = 0.0
    for pid in server.worker_pids():
        rss, pss = harness.worker_memory_mb(pid)
        worst = max(worst, rss)
        print(f"worker {pid}: RSS {rss:.1f} MB, PSS {pss:.1f} MB")
    return worst


def import_bag(env: dict[str, str]) -> bool:
    """Import every BAG file beside the demo; False when the import command does not exist yet."""
    probe = harness.subprocess.run(
        [harness.PYTHON, "manage.py", "help", "import_addresses"],
        cwd=harness.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        print(
            "\nScale run not possible: this checkout has no `manage.py import_addresses` "
            "(it comes with the address-import work). Merge it, then run `make bench BENCH_ARGS=--with-bag`."
        )
        return False
    data_dir = Path(env.get("SHARED_DATA_DIR", harness.ROOT.parent / "shared" / "data")) / "bag"
    files = sorted(data_dir.glob("*.csv*"))
    if not files:
        print(f"\nScale run not possible: no BAG files in {data_dir} (set SHARED_DATA_DIR).")
        return False
    # One import of every file, in one transaction (beside the demo addresses, so an upsert).
    print(f"importing {', '.join(path.name for path in files)} ...", flush=True)
    harness.manage(env, "import_addresses", *map(str, files), quiet=False)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--with-bag", action="store_true", help="also run the 1.2M-address scale test"
    )
    parser.add_argument("--seconds", type=int, default=3, help="seconds per wrk run (default 3)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds over all endpoints (default 5)"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8130")))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--api-path", default=DEFAULT_API_PATH)
    parser.add_argument(
        "--split-cores",
        action="store_true",
        help="gunicorn on half the cores, wrk, PostgreSQL and Redis on the other half",
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    args = parser.parse_args()

    wrk = harness.ensure_wrk()
    with harness.temporary_workdir("wijkportaal-bench-") as tmp:
        workdir = Path(tmp)
        env = harness.production_env(
            database_url=args.database_url,
            redis_url=args.redis_url,
            port=args.port,
            workdir=workdir,
        )
        # Workers are not recycled during the run: a restart inside a measurement would be
        # measured instead of the page.
        env["GUNICORN_MAX_REQUESTS"] = "0"
        harness.prepare_fresh_site(env, database_url=args.database_url, redis_url=args.redis_url)
        split = SplitCores.halves() if args.split_cores else None
        server = harness.Gunicorn(
            env=env,
            port=args.port,
            log_path=workdir / "gunicorn.log",
            workers=args.workers,
            threads=args.threads,
        )
        server.start()
        try:
            print(
                f"\n{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}; gunicorn "
                f"{args.workers} workers x {args.threads} threads, wrk {args.connections} "
                f"connections, {args.rounds} rounds of {args.seconds} s per endpoint, PostgreSQL, "
                f"page cache {'in Redis' if env['REDIS_URL'] else 'off (no Redis)'}"
                + (f"; {split.describe()}" if split is not None else "")
            )
            meter = CpuMeter(
                server=server,
                database_url=args.database_url,
                redis_pid=harness.redis_server_pid(env["REDIS_URL"]) if env["REDIS_URL"] else None,
                split=split,
            )
            measure = functools.partial(
                measure_pages,
                wrk,
                port=args.port,
                workdir=workdir,
                seconds=args.seconds,
                rounds=args.rounds,
                connections=args.connections,
                api_path=args.api_path,
                meter=meter,
            )
            results = measure()
            report(results, title="Heerlen demo")
            page_weight(args.port)
            print()
            worker_mb = memory(server)
            if not args.with_bag:
                return 0
            server.stop()
            if not import_bag(env):
                return 3
            # The steady state after an import, as autovacuum leaves it (see vacuum_analyze).
            harness.vacuum_analyze(args.database_url, "neighbourhoods_address")
            if env["REDIS_URL"]:
                harness.flush_redis(args.redis_url)
            server.start()
            scaled = measure()
            report(scaled, title="Heerlen demo + 1.2 million BAG addresses")
            before, after = results["lookup (POST)"], scaled["lookup (POST)"]
            assert before is not None and after is not None
            # Against hello of the same run, so a busier machine in the second run does not count.
            print(
                f"\nlookup with BAG: {after.per_second:.0f} req/s "
                f"({after.per_second / before.per_second:.2f} of Heerlen-only in absolute terms); "
                f"{after.ratio:.2f} of hello against {before.ratio:.2f} before = "
                f"{after.ratio / before.ratio:.2f} (target >= {TARGET_SCALE_RATIO}); CPU per lookup "
                f"{before.cpu_per_request_us:.0f} -> {after.cpu_per_request_us:.0f} us = "
                f"{before.cpu_per_request_us / max(after.cpu_per_request_us, 1):.2f}"
            )
            worker_mb = memory(server)
            print(f"largest worker RSS {worker_mb:.1f} MB (target <= {TARGET_WORKER_MB:.0f} MB)")
        finally:
            server.stop()
            if split is not None:
                split.restore()
            keep = harness.ROOT / "bench" / "results"
            keep.mkdir(exist_ok=True)
            shutil.copy(workdir / "gunicorn.log", keep / "http-gunicorn.log")
            print(f"gunicorn's log of this run: {keep / 'http-gunicorn.log'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
