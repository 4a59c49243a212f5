"""HTTP benchmark: production settings under gunicorn on PostgreSQL, measured with wrk on loopback.

Measures in one run a bare "hello" view (the ceiling of this Django project), the lookup flow, the
profile page, the buurt page and the API lookup; prints requests/s, p50/p99 and each page's ratio to
hello, the page weight of home and profile, and the memory of a worker. `--with-bag` then imports the
1.2 million BAG addresses beside the demo and measures the lookup again.

The lookup flow is the form POST a browser sends (with a CSRF cookie and token fetched first), which
runs the whole lookup and answers 303 to the officer's page; the page behind that redirect is the
profile page, measured on its own line.

Usage: python bench/http.py [--with-bag] [--seconds 15] [--connections 16]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder would come first on the path and this module would shadow
# the standard library's http package; the repository root goes there instead.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import datetime as dt
import os
import platform
import re

from bench import harness

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/wp_bench_http"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
# The police station of Heerlen: one wijkagent, so the lookup ends on a profile page.
LOOKUP_ADDRESS = {"postcode": "6411NH", "huisnummer": "13", "toevoeging": "E"}
# Hoppersgraaf: a wijkagent and a deputy, so the lookup ends on the buurt page.
BUURT_ADDRESS = {"postcode": "6412AA", "huisnummer": "60", "toevoeging": ""}
DEFAULT_API_PATH = "/api/v1/lookup?postcode=6411NH&huisnummer=13&toevoeging=E"

TARGET_RATIO = 0.6
TARGET_P99_MS = 25.0
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


def lookup_target(port: int, address: dict[str, str]) -> str:
    form = harness.load_lookup_form(port)
    answer = harness.post_lookup(port, form, **address)
    if answer.status != 303:
        sys.exit(f"The lookup of {address} answered {answer.status}, not a redirect.")
    return answer.headers["location"]


def print_row(name: str, result: harness.WrkResult | None, hello: float, note: str = "") -> None:
    if result is None:
        print(f"{name:<14} {'skipped':>10}  {note}")
        return
    ratio = result.per_second / hello if hello else 0.0
    print(
        f"{name:<14} {result.per_second:>10.0f} {result.p50_ms:>8.2f} {result.p99_ms:>8.2f} "
        f"{ratio:>7.2f} {result.errors:>7d}  {note}"
    )


def measure_pages(
    wrk: str, *, port: int, workdir: Path, seconds: int, connections: int, api_path: str
) -> dict[str, harness.WrkResult | None]:
    """One wrk run per endpoint against the running server; the API is skipped when absent."""
    profile_path = lookup_target(port, LOOKUP_ADDRESS)
    buurt_path = lookup_target(port, BUURT_ADDRESS)
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
    plan: list[tuple[str, str, object]] = [
        ("hello", "/bench/hello", get_script),
        ("lookup (POST)", "/", post_script),
        ("profile", profile_path, get_script),
        ("buurt", buurt_path, get_script),
    ]
    results: dict[str, harness.WrkResult | None] = {}
    if api.status == 200:
        plan.append(("api lookup", api_path, get_script))
    else:
        print(f"API lookup skipped: {api_path} answered {api.status} (the API is not merged yet?)")
    for name, path, script in plan:
        # Warm the caches and the STRtree first, as a server that has run a while has them.
        for _ in range(20):
            if name == "lookup (POST)":
                harness.post_lookup(port, form, **LOOKUP_ADDRESS)
            else:
                harness.get(port, path)
        results[name] = harness.run_wrk(
            wrk,
            port=port,
            path=path,
            script=script,  # type: ignore[arg-type]
            connections=connections,
            seconds=seconds,
        )
    results.setdefault("api lookup", None)
    return results


def report(results: dict[str, harness.WrkResult | None], *, title: str) -> float:
    print(f"\n{title}")
    print(f"{'endpoint':<14} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} {'errors':>7}")
    hello = results["hello"]
    hello_rate = hello.per_second if hello else 0.0
    for name, result in results.items():
        note = ""
        if result is not None and name != "hello":
            ok_ratio = result.per_second / hello_rate >= TARGET_RATIO if hello_rate else False
            ok_p99 = result.p99_ms <= TARGET_P99_MS
            note = "" if ok_ratio and ok_p99 else "below target"
        print_row(name, result, hello_rate, note if result else "API not available")
    return hello_rate


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
    for path in files:
        print(f"importing {path.name} ...", flush=True)
        harness.manage(env, "import_addresses", str(path), quiet=False)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--with-bag", action="store_true", help="also run the 1.2M-address scale test"
    )
    parser.add_argument("--seconds", type=int, default=15, help="seconds per endpoint (default 15)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8130")))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--api-path", default=DEFAULT_API_PATH)
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
        print(
            f"Preparing {args.database_url.rsplit('/', 1)[-1]}: migrate, load_demo, collectstatic"
        )
        harness.recreate_postgres_database(args.database_url)
        harness.flush_redis(args.redis_url)
        harness.prepare_site(env)
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
                f"connections, {args.seconds} s per endpoint, PostgreSQL, Redis page cache"
            )
            results = measure_pages(
                wrk,
                port=args.port,
                workdir=workdir,
                seconds=args.seconds,
                connections=args.connections,
                api_path=args.api_path,
            )
            report(results, title="Heerlen demo")
            page_weight(args.port)
            print()
            worker_mb = memory(server)
            if not args.with_bag:
                return 0
            server.stop()
            if not import_bag(env):
                return 3
            harness.flush_redis(args.redis_url)
            server.start()
            scaled = measure_pages(
                wrk,
                port=args.port,
                workdir=workdir,
                seconds=args.seconds,
                connections=args.connections,
                api_path=args.api_path,
            )
            report(scaled, title="Heerlen demo + 1.2 million BAG addresses")
            before, after = results["lookup (POST)"], scaled["lookup (POST)"]
            assert before is not None and after is not None
            ratio = after.per_second / before.per_second
            print(
                f"\nlookup with BAG: {after.per_second:.0f} req/s = {ratio:.2f} of Heerlen-only "
                f"(target >= {TARGET_SCALE_RATIO})"
            )
            worker_mb = memory(server)
            print(f"largest worker RSS {worker_mb:.1f} MB (target <= {TARGET_WORKER_MB:.0f} MB)")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
