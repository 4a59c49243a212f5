"""The national benchmark (`make bench-national`): the whole country on PostgreSQL, measured in one
run. A benchmark, not a test.

It builds a national-size dataset (bench/national_data.py): 9.6 million addresses (the 1.2
million real BAG addresses of SHARED_DATA_DIR/bag and synthetic copies), 14,000 synthetic buurten
of about 500 corners each in 342 synthetic municipalities, then 3,400 fictional officers with
assignments, absences and spreekuren, a station per municipality and ten regions of editors.
Boundaries and addresses go in through the import commands, as an operator loads them. Then it
measures:

- the address import (addresses/s, peak memory of the command's process);
- the activation of a second boundary set, which re-assigns all 9.6 million addresses;
- lookup (the form POST), profile and API lookup against hello under gunicorn with wrk, each
  request drawn at random from a uniform sample of the addresses (so caches are cold), and the
  same pages of the Heerlen demo (bench/http.py) measured in this run, for the ratio;
- worker memory (PSS) after 1,000 mixed requests, point lookups among them;
- the admin's officer list, officer change page and coverage page (ms, as a superuser);
- the share of cached public pages that survive one editor's save of an officer's introduction
  (counted by the `X-Cache` header; "n/a" where the server sends none).

Its last line sums the figures up against the targets of issue 23.

    .venv/bin/python -m bench.national [--scale 0.05] [--keep] [--heerlen skip]

`--scale` shrinks the country (for trying the benchmark out: the targets are national); `--keep`
leaves the national database for a look afterwards. Databases: `wp_bench_national` and
`wp_bench_national_heerlen` (`--database-url`; the Heerlen one is the same with `_heerlen`).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import io
import itertools
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench import harness
from bench import http as http_bench

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/wp_bench_national"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/4"
ADMIN_PATH = "beheer"
NATIONAL_OFFICERS = 3_400
REGIONS = 10
# Addresses the lookups draw from, chosen uniformly from the register: a run sends far fewer
# lookups than this, so an address is rarely asked twice.
LOOKUP_SAMPLE = 50_000
MIXED_REQUESTS = 1_000
CACHED_PAGES = 400
ADMIN_REPEATS = 5
STAFF_PASSWORD = "national-bench-only-" + "x" * 8
RECOVERY_CODES = 20

# The pages measured here and, for the comparison, on the Heerlen demo.
COMPARED_PAGES = ("lookup (POST)", "profile", "api lookup")

TARGET_IMPORT_RATE = 65_000
TARGET_ACTIVATION_SECONDS = 120
TARGET_LOOKUP_SHARE = 0.9
TARGET_WORKER_PSS_MB = 150
TARGET_ADMIN_MS = 300
TARGET_CACHE_KEPT = 0.99


def _recovery_codes(username: str) -> list[str]:
    return [f"{username[:6]}code{n:04d}" for n in range(RECOVERY_CODES)]


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkportaal.settings")
    sys.path.insert(0, str(harness.ROOT))
    import django

    django.setup()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Cpu:
    """CPU seconds this process and its PostgreSQL backend spend from here on: on a machine that
    others share, what a step costs, where its wall time also shows their load."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = int(cursor.fetchone()[0])
        self.started = self._own(), harness.cpu_seconds([self.backend])

    @staticmethod
    def _own() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def spent(self) -> dict[str, float]:
        return {
            "cpu_seconds": self._own() - self.started[0],
            "server_cpu_seconds": harness.cpu_seconds([self.backend]) - self.started[1],
            "load": os.getloadavg()[0],
        }


# --- steps, each run in a child process with the server's environment --------------------------


def step_generate(folder: str, scale: str) -> dict[str, Any]:
    """The address files and the buurten GeoPackage; the regions' municipalities as JSON."""
    from bench import national_data

    started = time.monotonic()
    data_dir = Path(os.environ.get("SHARED_DATA_DIR", harness.ROOT.parent / "shared" / "data"))
    bag_files = sorted((data_dir / "bag").glob("*.csv.zst"))
    addresses = national_data.write_addresses(
        bag_files=bag_files, folder=Path(folder), scale=float(scale)
    )
    address_seconds = time.monotonic() - started
    country = national_data.build_country(
        lons=addresses.lons, lats=addresses.lats, scale=float(scale), regions=REGIONS
    )
    national_data.write_geopackage(country, Path(folder) / "buurten.gpkg")
    (Path(folder) / "regions.json").write_text(json.dumps(country.regions))
    return {
        "paths": [str(path) for path in addresses.paths],
        "rows": addresses.rows,
        "real_rows": addresses.real_rows,
        "buurten": len(country.codes),
        "corners": country.corners,
        "municipalities": len(set(country.municipality_codes)),
        "address_seconds": address_seconds,
        "seconds": time.monotonic() - started,
        "peak_rss_mb": _peak_rss_mb(),
    }


def step_import_boundaries(path: str, dataset: str, activate: str) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    cpu = _Cpu()
    started = time.monotonic()
    extra = ["--activate"] if activate == "activate" else []
    call_command("import_boundaries", path, "--dataset", dataset, *extra)
    return {"seconds": time.monotonic() - started, "peak_rss_mb": _peak_rss_mb(), **cpu.spent()}


def step_import_addresses(paths: str) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    from neighbourhoods.models import Address

    cpu = _Cpu()
    started = time.monotonic()
    call_command("import_addresses", *paths.split(os.pathsep))
    seconds = time.monotonic() - started
    spent = cpu.spent()
    return {
        "seconds": seconds,
        **spent,
        "addresses": Address.objects.count(),
        "outside": Address.objects.filter(buurt__isnull=True).count(),
        "peak_rss_mb": _peak_rss_mb(),
    }


def step_people(regions_path: str, scale: str) -> dict[str, Any]:
    """Stations, officers with channels, assignments, absences and spreekuren, the editors of
    the ten regions (through `create_editor`) and a superuser, each staff account with recovery
    codes for the second factor. Fictional throughout, and marked so."""
    _django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from neighbourhoods.models import Buurt, Municipality
    from officers.models import (
        Absence,
        Assignment,
        ContactChannel,
        Event,
        Officer,
        OpeningHours,
        Station,
    )

    started = time.monotonic()
    rng = random.Random(23)
    today = timezone.localdate()
    municipalities = {m.code: m for m in Municipality.objects.all()}
    buurten: dict[str, list[tuple[int, str, float, float]]] = {}
    for pk, code, municipality, lat, lon in (
        Buurt.objects.active()
        .order_by("code")
        .values_list("pk", "code", "wijk__municipality__code", "label_lat", "label_lon")
    ):
        buurten.setdefault(municipality, []).append((pk, code, lat, lon))
    total_buurten = sum(len(rows) for rows in buurten.values())
    wanted = max(REGIONS * 2, round(NATIONAL_OFFICERS * float(scale)))

    stations = Station.objects.bulk_create(
        Station(
            name=f"Synthetisch bureau {municipalities[code].name}",
            street_address="Synthetische straat 1",
            postcode="",
            city=municipalities[code].name,
            lat=rows[0][2],
            lon=rows[0][3],
            municipality=municipalities[code],
        )
        for code, rows in sorted(buurten.items())
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(station=station, weekday=day, opens=dt.time(9), closes=dt.time(17))
        for station in stations
        for day in range(5)
    )
    station_of = {station.municipality.code: station for station in stations}

    officers: list[Officer] = []
    plan: list[tuple[Officer, list[tuple[int, str, float, float]]]] = []
    for code, rows in sorted(buurten.items()):
        count = max(1, round(len(rows) * wanted / total_buurten))
        per_officer = -(-len(rows) // count)
        for number in range(count):
            serial = len(officers) + 1
            officer = Officer(
                name=f"Synthetische Agent {serial:04d}",
                slug=f"synthetische-agent-{serial:04d}",
                rank="Wijkagent",
                intro_nl=f"Ik ben de (verzonnen) wijkagent van {municipalities[code].name}.",
                intro_en=f"I am the (made-up) wijkagent of {municipalities[code].name}.",
                station=station_of[code],
                is_published=True,
                reviewed_on=today - dt.timedelta(days=rng.randrange(300)),
                is_fictional=True,
                municipality=municipalities[code],
            )
            officers.append(officer)
            plan.append((officer, rows[number * per_officer : (number + 1) * per_officer]))
    Officer.objects.bulk_create(officers)

    assignments, channels, events, absences = [], [], [], []
    start = today - dt.timedelta(days=365)
    by_municipality: dict[int, list[Officer]] = {}
    for officer, _rows in plan:
        by_municipality.setdefault(officer.municipality_id or 0, []).append(officer)
    counter = itertools.count()
    for officer, rows in plan:
        colleagues = [o for o in by_municipality[officer.municipality_id or 0] if o is not officer]
        for pk, _code, _lat, _lon in rows:
            number = next(counter)
            # A buurt in forty without its wijkagent: the gaps the coverage page lists.
            if number % 40 != 39:
                assignments.append(Assignment(officer=officer, buurt_id=pk, valid_from=start))
            # A deputy in every fourth buurt.
            if colleagues and number % 4 == 0:
                assignments.append(
                    Assignment(
                        officer=rng.choice(colleagues),
                        buurt_id=pk,
                        role=Assignment.Role.DEPUTY,
                        valid_from=start,
                    )
                )
        channels.append(ContactChannel(officer=officer, kind="phone", value="0900-8844"))
        first = timezone.make_aware(
            dt.datetime.combine(today + dt.timedelta(days=rng.randrange(1, 8)), dt.time(19))
        )
        events.append(
            Event(
                officer=officer,
                title="Spreekuur (verzonnen)",
                place=f"Synthetisch buurthuis {officer.municipality.name}",
                starts_at=first,
                ends_at=first + dt.timedelta(hours=1),
                recurrence=Event.Recurrence.WEEKLY,
            )
        )
        if rng.random() < 0.1 and colleagues:
            absences.append(
                Absence(
                    officer=officer,
                    starts_on=today - dt.timedelta(days=3),
                    ends_on=today + dt.timedelta(days=10),
                    deputy=rng.choice(colleagues),
                )
            )
        elif rng.random() < 0.1:
            absences.append(
                Absence(
                    officer=officer,
                    starts_on=today - dt.timedelta(days=60),
                    ends_on=today - dt.timedelta(days=40),
                )
            )
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    ContactChannel.objects.bulk_create(channels, batch_size=5000)
    Event.objects.bulk_create(events, batch_size=5000)
    # A deputy who is away himself would be refused by the admin; none is chosen here.
    away = {absence.officer_id for absence in absences if absence.ends_on >= today}
    Absence.objects.bulk_create(
        (a for a in absences if a.deputy_id is None or a.deputy_id not in away), batch_size=5000
    )

    user_model = get_user_model()
    staff = ["admin"]
    user_model.objects.create_superuser("admin", "admin@example.org", STAFF_PASSWORD)
    regions = json.loads(Path(regions_path).read_text())
    os.environ["EDITOR_PASSWORD"] = STAFF_PASSWORD
    for number, codes in enumerate(regions):
        username = f"redactie{number}"
        gemeenten = [argument for code in codes for argument in ("--gemeente", code)]
        call_command("create_editor", username, "--no-input", *gemeenten, stdout=io.StringIO())
        staff.append(username)
    for username in staff:
        user = user_model.objects.get(username=username)
        # An account without an authenticator is sent to enrol one; the bench signs in with
        # the recovery codes beside it.
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code) for code in _recovery_codes(username)
        )
    return {
        "officers": len(officers),
        "assignments": len(assignments),
        "absences": len(absences),
        "events": len(events),
        "stations": len(stations),
        "editors": len(staff) - 1,
        "seconds": time.monotonic() - started,
    }


def step_stage_copy(source: str, name: str) -> dict[str, Any]:
    """A second boundary set to activate: the first one's wijken and buurten copied into a new,
    staged dataset (importing the same file again would take minutes and measure nothing new)."""
    _django()
    from neighbourhoods.models import Buurt, Dataset, Wijk

    started = time.monotonic()
    original = Dataset.objects.get(name=source)
    copy = Dataset.objects.create(name=name, source=f"{original.name}, copied")
    wijken = {
        wijk.code: wijk
        for wijk in Wijk.objects.bulk_create(
            Wijk(dataset=copy, code=code, name=wijk_name, municipality_id=municipality)
            for code, wijk_name, municipality in Wijk.objects.filter(dataset=original).values_list(
                "code", "name", "municipality_id"
            )
        )
    }
    areas = ["code", "name", "boundary", "min_lon", "min_lat", "max_lon", "max_lat"]
    areas += ["label_lon", "label_lat", "is_water"]
    rows = Buurt.objects.filter(dataset=original).values(*areas, "wijk__code")
    Buurt.objects.bulk_create(
        (
            Buurt(dataset=copy, wijk=wijken[row.pop("wijk__code")], **row)
            for row in rows.iterator(chunk_size=1000)
        ),
        batch_size=1000,
    )
    return {
        "seconds": time.monotonic() - started,
        "buurten": Buurt.objects.filter(dataset=copy).count(),
    }


def step_activate(dataset: str) -> dict[str, Any]:
    _django()
    from neighbourhoods.importing.boundaries import activate_dataset
    from neighbourhoods.models import Dataset

    cpu = _Cpu()
    started = time.monotonic()
    assigned, outside = activate_dataset(Dataset.objects.get(name=dataset))
    return {
        "assigned": assigned,
        "outside": outside,
        "seconds": time.monotonic() - started,
        "peak_rss_mb": _peak_rss_mb(),
        **cpu.spent(),
    }


def step_sample(size: str) -> dict[str, Any]:
    """A uniform sample of the addresses (ids are drawn, as the import numbered the rows), the
    profile pages the lookups lead to, buurt codes, and an officer whose introduction is saved."""
    _django()
    from django.db import connection
    from django.db.models import Max

    from neighbourhoods.models import Address
    from officers.models import Assignment

    rng = random.Random(5)
    top = Address.objects.aggregate(Max("id"))["id__max"]
    wanted = int(size)
    ids = rng.sample(range(1, top + 1), min(top, wanted * 2))
    table = connection.ops.quote_name(Address._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT postcode, huisnummer, huisletter, huisnummertoevoeging, lat, lon "  # noqa: S608
            f"FROM {table} WHERE id = ANY(%s) AND buurt_id IS NOT NULL",
            [ids],
        )
        addresses = cursor.fetchall()[:wanted]
    profiles = list(
        Assignment.objects.current()
        .filter(role=Assignment.Role.PRIMARY, buurt__dataset__is_active=True)
        .values_list("officer__slug", "buurt__code", "officer_id", "officer__municipality__code")
    )
    rng.shuffle(profiles)
    return {"addresses": addresses, "profiles": profiles}


STEPS = {
    "generate": step_generate,
    "import-boundaries": step_import_boundaries,
    "import-addresses": step_import_addresses,
    "people": step_people,
    "stage-copy": step_stage_copy,
    "activate": step_activate,
    "sample": step_sample,
}


def _child(env: dict[str, str], step: str, *arguments: str) -> dict[str, Any]:
    """Run a step in a process of its own (its peak memory is its own); its output is shown,
    its last line is the result."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.national", "--step", step, *arguments],
        cwd=harness.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        sys.exit(f"step {step} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    for line in lines[:-1]:
        print(f"  | {line}", flush=True)
    return json.loads(lines[-1])


# --- HTTP ---------------------------------------------------------------------------------------


def _house_number(number: int, letter: str) -> str:
    return f"{number}{letter}"


def lookup_targets(
    addresses: list[list[Any]],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(form posts, API lookups) for the sampled addresses, as (path, body) pairs."""
    posts, api = [], []
    for postcode, number, letter, addition, _lat, _lon in addresses:
        body = urllib.parse.urlencode(
            {
                "postcode": postcode,
                "huisnummer": _house_number(number, letter),
                "toevoeging": addition,
            }
        )
        posts.append(("/", body))
        query = urllib.parse.urlencode(
            {
                "postcode": postcode,
                "huisnummer": number,
                "huisletter": letter,
                "toevoeging": addition,
            }
        )
        api.append((f"/api/v1/lookup?{query}", ""))
    return posts, api


def profile_path(slug: str, code: str) -> str:
    """The page a lookup that finds one officer ends on."""
    return f"/wijkagent/{slug}/?{urllib.parse.urlencode({'buurt': code})}"


def measure_national_pages(
    wrk: str,
    *,
    port: int,
    workdir: Path,
    sample: dict[str, Any],
    args: argparse.Namespace,
    meter: http_bench.CpuMeter,
) -> dict[str, http_bench.Measured | None]:
    form = harness.load_lookup_form(port)
    posts, api = lookup_targets(sample["addresses"])
    profiles = [(profile_path(slug, code), "") for slug, code, _id, _gm in sample["profiles"]]
    hello = ("hello", "/bench/hello", harness.wrk_script(workdir, "hello", headers={}))
    pages = [
        (
            "lookup (POST)",
            "/",
            harness.wrk_sampled_script(
                workdir, "lookups", method="POST", targets=posts, headers=form.headers(port)
            ),
        ),
        (
            "profile",
            "/",
            harness.wrk_sampled_script(workdir, "profiles", targets=profiles, headers={}),
        ),
        ("api lookup", "/", harness.wrk_sampled_script(workdir, "api", targets=api, headers={})),
    ]
    # The server warmed up as one that has run a while, on other addresses than those measured.
    for path, body in posts[-20:]:
        harness.request(port, "POST", path, body=body, headers=form.headers(port))
    for _ in range(20):
        harness.get(port, "/bench/hello")
    return http_bench.run_rounds(
        wrk,
        hello=hello,
        pages=pages,
        port=port,
        seconds=args.seconds,
        rounds=args.rounds,
        connections=args.connections,
        meter=meter,
    )


def mixed_requests(port: int, sample: dict[str, Any], *, count: int) -> dict[str, int]:
    """`count` requests of every kind a resident's browser or an API client sends, point lookups
    among them, from four clients at once; returns the answers' statuses counted."""
    form = harness.LookupForm()
    posts, api = lookup_targets(sample["addresses"])
    rng = random.Random(8)
    requests: list[tuple[str, str, str | None, dict[str, str]]] = []
    for number in range(count):
        kind = number % 5
        if kind == 0:
            path, body = rng.choice(posts)
            requests.append(("POST", path, body, form.headers(port)))
        elif kind == 1:
            slug, code, _id, _gm = rng.choice(sample["profiles"])
            requests.append(("GET", profile_path(slug, code), None, {}))
        elif kind == 2:
            _slug, code, _id, _gm = rng.choice(sample["profiles"])
            requests.append(("GET", f"/buurt/{code}/", None, {}))
        elif kind == 3:
            requests.append(("GET", rng.choice(api)[0], None, {}))
        else:
            *_address, lat, lon = rng.choice(sample["addresses"])
            requests.append(("GET", f"/api/v1/point?lat={lat:.6f}&lon={lon:.6f}", None, {}))

    def send(request: tuple[str, str, str | None, dict[str, str]]) -> int:
        method, path, body, headers = request
        return harness.request(port, method, path, body=body, headers=headers, timeout=30).status

    statuses: dict[int, int] = {}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for status in pool.map(send, requests):
            statuses[status] = statuses.get(status, 0) + 1
    return {str(status): number for status, number in sorted(statuses.items())}


class AdminSession:
    """A staff member's browser session in the admin, signed in past the second factor with one
    of the account's recovery codes."""

    def __init__(self, port: int, username: str) -> None:
        self.port = port
        self.username = username
        self.cookies: dict[str, str] = {}
        self.codes = iter(_recovery_codes(username))

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Origin": f"https://127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def get(self, path: str) -> harness.Response:
        answer = harness.get(self.port, path, headers=self._headers(), timeout=60)
        self.cookies.update(answer.cookies)
        return answer

    def post(self, path: str, fields: list[tuple[str, str]]) -> harness.Response:
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        answer = harness.request(
            self.port,
            "POST",
            path,
            body=urllib.parse.urlencode(fields),
            headers=headers,
            timeout=60,
        )
        self.cookies.update(answer.cookies)
        return answer

    def _submit(self, path: str, fields: list[tuple[str, str]]) -> harness.Response:
        form = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
        if token:
            fields = [*fields, ("csrfmiddlewaretoken", token.group(1).decode())]
        return self.post(path, fields)

    def sign_in(self) -> None:
        answer = self._submit(
            f"/{ADMIN_PATH}/login/",
            [
                ("username", self.username),
                ("password", STAFF_PASSWORD),
                ("next", f"/{ADMIN_PATH}/"),
            ],
        )
        if answer.status == 302 and "/login/code/" in answer.headers.get("location", ""):
            answer = self._submit(
                f"/{ADMIN_PATH}/login/code/",
                [("code", next(self.codes)), ("next", f"/{ADMIN_PATH}/")],
            )
        if answer.status != 302 or "/login/" in answer.headers.get("location", "/login/"):
            sys.exit(f"{self.username} could not sign in to the admin (status {answer.status}).")

    def timed_get(self, path: str) -> float:
        """Milliseconds for the page, from the request sent to the last byte read."""
        started = time.monotonic()
        answer = self.get(path)
        elapsed = (time.monotonic() - started) * 1000
        if answer.status != 200:
            sys.exit(f"{path} answered {answer.status} to {self.username}.")
        return elapsed

    def change_introduction(self, officer_id: int, text: str) -> harness.Response:
        """Open the officer's change form and save it with a new Dutch introduction."""
        from bench.cluster import FormFields

        change = f"/{ADMIN_PATH}/officers/officer/{officer_id}/change/"
        page = self.get(change)
        if page.status != 200:
            return page
        parser = FormFields("officer_form")
        parser.feed(page.body.decode())
        fields = [(k, text if k == "intro_nl" else v) for k, v in parser.fields]
        fields.append(("_save", "Save"))
        return self.post(change, fields)


def admin_timings(
    port: int, sample: dict[str, Any], meter: http_bench.CpuMeter
) -> dict[str, tuple[float, float]]:
    """Per admin page, the median milliseconds over ADMIN_REPEATS views after one unmeasured
    view, and the CPU milliseconds the server (workers and PostgreSQL) spent per view."""
    admin = AdminSession(port, "admin")
    admin.sign_in()
    officer_id = sample["profiles"][0][2]
    pages = {
        "officer list": f"/{ADMIN_PATH}/officers/officer/",
        "officer change": f"/{ADMIN_PATH}/officers/officer/{officer_id}/change/",
        "coverage": f"/{ADMIN_PATH}/officers/officer/coverage/",
    }
    timings = {}
    for name, path in pages.items():
        admin.timed_get(path)
        pids = meter.pids()
        before = harness.cpu_seconds([*pids["workers"], *pids["postgres"]])
        elapsed = [admin.timed_get(path) for _ in range(ADMIN_REPEATS)]
        pids = meter.pids()
        spent = harness.cpu_seconds([*pids["workers"], *pids["postgres"]]) - before
        timings[name] = (statistics.median(elapsed), spent / ADMIN_REPEATS * 1000)
    return timings


def cache_survival(port: int, sample: dict[str, Any], regions: list[list[str]]) -> dict[str, Any]:
    """Warm CACHED_PAGES public pages of other officers (profiles and buurt pages) and one
    officer's profile, let an editor of that officer's region save a new introduction in the
    admin, and count the other pages still served from the cache (`X-Cache: hit`). The edited
    profile must show the new introduction at once (`fresh`)."""
    rng = random.Random(13)
    profiles = list(sample["profiles"])
    rng.shuffle(profiles)
    slug, code, officer_id, municipality = profiles[0]
    others = [entry for entry in profiles if entry[2] != officer_id][: CACHED_PAGES // 2]
    paths = [profile_path(other, buurt) for other, buurt, _id, _gm in others]
    paths += [f"/buurt/{buurt}/" for _slug, buurt, _id, _gm in others]
    edited = profile_path(slug, code)
    for path in [*paths, edited]:
        harness.get(port, path, timeout=30)
    before = [harness.get(port, path, timeout=30).headers.get("x-cache") for path in paths]
    harness.get(port, edited, timeout=30)
    region = next(n for n, codes in enumerate(regions) if municipality in codes)
    editor = AdminSession(port, f"redactie{region}")
    editor.sign_in()
    text = f"Een nieuwe (verzonnen) introductie van {slug}."
    saved = editor.change_introduction(officer_id, text)
    if saved.status != 302:
        sys.exit(f"The editor's save answered {saved.status}, not a redirect.")
    fresh = text.encode() in harness.get(port, edited, timeout=30).body
    cached = [path for path, value in zip(paths, before, strict=True) if value == "hit"]
    if all(value is None for value in before):
        return {"kept": None, "cached": 0, "fresh": fresh, "detail": "no X-Cache header"}
    after = [harness.get(port, path, timeout=30).headers.get("x-cache") for path in cached]
    kept = sum(value == "hit" for value in after)
    return {
        "kept": kept / len(cached) if cached else None,
        "cached": len(cached),
        "hits": kept,
        "fresh": fresh,
    }


# --- the run ------------------------------------------------------------------------------------


def _database_url_with_suffix(url: str, suffix: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path + suffix))


def drop_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def vacuum_database(url: str) -> None:
    """VACUUM (ANALYZE) every table: the steady state autovacuum leaves after a load."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        connection.execute("VACUUM (ANALYZE)")


def measure_heerlen(wrk: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """bench/http.py's measurement of the Heerlen demo, in this run."""
    url = _database_url_with_suffix(args.database_url, "_heerlen")
    env = harness.production_env(
        database_url=url, redis_url=args.redis_url, port=args.port, workdir=workdir / "heerlen"
    )
    env["GUNICORN_MAX_REQUESTS"] = "0"
    harness.prepare_fresh_site(env, database_url=url, redis_url=args.redis_url)
    server = harness.Gunicorn(
        env=env,
        port=args.port,
        log_path=workdir / "gunicorn-heerlen.log",
        workers=args.workers,
        threads=args.threads,
    )
    server.start()
    try:
        meter = http_bench.CpuMeter(
            server=server,
            database_url=url,
            redis_pid=harness.redis_server_pid(env["REDIS_URL"]) if env["REDIS_URL"] else None,
        )
        results = http_bench.measure_pages(
            wrk,
            port=args.port,
            workdir=workdir,
            seconds=args.seconds,
            rounds=args.rounds,
            connections=args.connections,
            api_path=http_bench.DEFAULT_API_PATH,
            meter=meter,
            only=COMPARED_PAGES,
        )
    finally:
        server.stop()
        drop_database(url)
    http_bench.report(results, title="Heerlen demo (bench/http.py)")
    return {
        name: {
            "per_second": result.per_second,
            "ratio": result.ratio,
            "cpu_us": result.cpu_per_request_us,
            "cpu_ratio": result.cpu_ratio,
        }
        for name, result in results.items()
        if result is not None
    }


def verdict(passed: bool | None) -> str:
    return "n/a" if passed is None else ("ok" if passed else "FAILS")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the national size")
    parser.add_argument("--keep", action="store_true", help="keep the national database")
    parser.add_argument("--heerlen", choices=["run", "skip"], default="run")
    parser.add_argument("--seconds", type=int, default=3, help="seconds per wrk run (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the pages (default 3)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8140")))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_NATIONAL_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_NATIONAL_REDIS_URL", DEFAULT_REDIS_URL)
    )
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("arguments", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step](*args.arguments)))
        return 0

    data_dir = Path(os.environ.get("SHARED_DATA_DIR", harness.ROOT.parent / "shared" / "data"))
    if not sorted((data_dir / "bag").glob("*.csv.zst")):
        sys.exit(f"No BAG files in {data_dir / 'bag'}: set SHARED_DATA_DIR.")
    wrk = harness.ensure_wrk()
    started = time.monotonic()

    def elapsed() -> str:
        return f"[{(time.monotonic() - started) / 60:4.1f} min, load {os.getloadavg()[0]:.1f}]"

    def costs(step: dict[str, Any]) -> str:
        return (
            f"cpu {step['cpu_seconds']:.0f} s, its PostgreSQL backend {step['server_cpu_seconds']:.0f}"
            f" s, load {step['load']:.1f}"
        )

    print(
        f"National benchmark {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {http_bench.machine()}, "
        f"scale {args.scale:g}; gunicorn {args.workers} workers x {args.threads} threads, wrk "
        f"{args.connections} connections, {args.rounds} rounds of {args.seconds} s",
        flush=True,
    )
    with harness.temporary_workdir("wijkportaal-national-") as tmp:
        workdir = Path(tmp)
        heerlen = None
        if args.heerlen == "run":
            print(f"{elapsed()} the Heerlen demo, as `make bench` measures it", flush=True)
            heerlen = measure_heerlen(wrk, args, workdir)

        env = harness.production_env(
            database_url=args.database_url,
            redis_url=args.redis_url,
            port=args.port,
            workdir=workdir,
        )
        env["GUNICORN_MAX_REQUESTS"] = "0"
        env["SHARED_DATA_DIR"] = str(data_dir)
        print(f"{elapsed()} generating the country", flush=True)
        data = _child(env, "generate", str(workdir), str(args.scale))
        print(
            f"  {data['rows']:,} addresses ({data['real_rows']:,} real) and {data['buurten']:,} "
            f"buurten ({data['corners'] / data['buurten']:.0f} corners each on average) in "
            f"{data['municipalities']} municipalities, written in {data['seconds']:.0f} s",
            flush=True,
        )
        harness.recreate_postgres_database(args.database_url)
        harness.flush_redis(args.redis_url)
        harness.manage(env, "migrate", "--no-input")
        harness.manage(env, "collectstatic", "--no-input")
        try:
            gpkg = str(workdir / "buurten.gpkg")
            print(f"{elapsed()} import_boundaries (active set)", flush=True)
            boundaries = _child(env, "import-boundaries", gpkg, "national-a", "activate")
            print(f"{elapsed()} import_addresses", flush=True)
            imported = _child(env, "import-addresses", os.pathsep.join(data["paths"]))
            rate = data["rows"] / imported["seconds"]
            print(
                f"  {data['rows']:,} rows in {imported['seconds']:.1f} s = {rate:,.0f} addresses/s, "
                f"peak {imported['peak_rss_mb']:.0f} MB ({costs(imported)}); "
                f"{imported['addresses']:,} stored, {imported['outside']:,} outside every buurt",
                flush=True,
            )
            print(f"{elapsed()} officers, stations, editors", flush=True)
            people = _child(env, "people", str(workdir / "regions.json"), str(args.scale))
            print(
                f"  {people['officers']:,} officers, {people['assignments']:,} assignments, "
                f"{people['absences']:,} absences, {people['events']:,} spreekuren, "
                f"{people['stations']} stations, {people['editors']} editors",
                flush=True,
            )
            print(f"{elapsed()} a second boundary set, staged, and its activation", flush=True)
            staged = _child(env, "stage-copy", "national-a", "national-b")
            activation = _child(env, "activate", "national-b")
            print(
                f"  boundary import {boundaries['seconds']:.0f} s (activated, no addresses yet; "
                f"{costs(boundaries)}); the set copied in {staged['seconds']:.0f} s\n"
                f"  activation: {activation['assigned'] + activation['outside']:,} addresses in "
                f"{activation['seconds']:.1f} s, peak {activation['peak_rss_mb']:.0f} MB "
                f"({costs(activation)})",
                flush=True,
            )
            vacuum_database(args.database_url)
            sample = _child(env, "sample", str(LOOKUP_SAMPLE))
            regions = json.loads((workdir / "regions.json").read_text())
            harness.flush_redis(args.redis_url)

            print(f"{elapsed()} the pages under gunicorn", flush=True)
            server = harness.Gunicorn(
                env=env,
                port=args.port,
                log_path=workdir / "gunicorn.log",
                workers=args.workers,
                threads=args.threads,
            )
            server.start()
            try:
                meter = http_bench.CpuMeter(
                    server=server,
                    database_url=args.database_url,
                    redis_pid=harness.redis_server_pid(args.redis_url),
                )
                pages = measure_national_pages(
                    wrk, port=args.port, workdir=workdir, sample=sample, args=args, meter=meter
                )
                http_bench.report(pages, title="The country (lookups drawn from every address)")
                print(
                    f"{elapsed()} {MIXED_REQUESTS:,} mixed requests, then worker memory", flush=True
                )
                statuses = mixed_requests(args.port, sample, count=MIXED_REQUESTS)
                print(f"  statuses: {statuses}")
                pss = 0.0
                for pid in server.worker_pids():
                    rss, worker_pss = harness.worker_memory_mb(pid)
                    print(f"  worker {pid}: RSS {rss:.1f} MB, PSS {worker_pss:.1f} MB")
                    pss = max(pss, worker_pss)
                print(f"{elapsed()} the admin", flush=True)
                admin = admin_timings(args.port, sample, meter)
                for name, (ms, cpu_ms) in admin.items():
                    print(f"  {name}: {ms:.0f} ms (server CPU {cpu_ms:.0f} ms a view)")
                print(f"{elapsed()} cached pages and one staff save", flush=True)
                survival = cache_survival(args.port, sample, regions)
                print(f"  {survival}")
            finally:
                server.stop()
                keep = harness.ROOT / "bench" / "results"
                keep.mkdir(exist_ok=True)
                (keep / "national-gunicorn.log").write_bytes(
                    (workdir / "gunicorn.log").read_bytes()
                )
                print(f"  gunicorn's log of this run: {keep / 'national-gunicorn.log'}")
        finally:
            if args.keep:
                print(f"The national database is kept: {args.database_url}")
            else:
                drop_database(args.database_url)

    lookup = pages["lookup (POST)"]
    assert lookup is not None
    share = None
    if heerlen is not None:
        alone = heerlen["lookup (POST)"]
        share = lookup.ratio / alone["ratio"]
        print(
            f"\nlookup: {lookup.per_second:.0f} req/s = {lookup.ratio:.2f} of hello, against "
            f"{alone['per_second']:.0f} req/s = {alone['ratio']:.2f} of hello for Heerlen alone: "
            f"{share:.2f}; by CPU per lookup {alone['cpu_us']:.0f} -> "
            f"{lookup.cpu_per_request_us:.0f} us, cpu ratio {lookup.cpu_ratio:.2f} against "
            f"{alone['cpu_ratio']:.2f} = {lookup.cpu_ratio / alone['cpu_ratio']:.2f}"
        )
    worst_admin = max(ms for ms, _cpu in admin.values())
    kept = survival["kept"]
    checks = {
        "import": rate >= TARGET_IMPORT_RATE,
        "activation": activation["seconds"] < TARGET_ACTIVATION_SECONDS,
        "lookup": None if share is None else share >= TARGET_LOOKUP_SHARE,
        "memory": pss <= TARGET_WORKER_PSS_MB,
        "admin": worst_admin < TARGET_ADMIN_MS,
        "cache": None if kept is None else kept > TARGET_CACHE_KEPT and survival["fresh"],
    }
    failing = [name for name, passed in checks.items() if passed is False]
    profile, api = pages["profile"], pages["api lookup"]
    print(
        f"national (scale {args.scale:g}, {(time.monotonic() - started) / 60:.1f} min, load "
        f"{os.getloadavg()[0]:.1f}): "
        f"import {rate:,.0f} addresses/s (>= {TARGET_IMPORT_RATE:,}: {verdict(checks['import'])}), "
        f"peak {imported['peak_rss_mb']:.0f} MB; "
        f"activation {activation['seconds']:.0f} s (< {TARGET_ACTIVATION_SECONDS}: "
        f"{verdict(checks['activation'])}); "
        f"lookup {lookup.ratio:.2f} of hello = "
        f"{'n/a' if share is None else f'{share:.2f}'} of Heerlen's (>= {TARGET_LOOKUP_SHARE}: "
        f"{verdict(checks['lookup'])}), profile {profile.ratio if profile else 0:.2f}, "
        f"API lookup {api.ratio if api else 0:.2f} of hello; "
        f"worker PSS {pss:.0f} MB (<= {TARGET_WORKER_PSS_MB}: {verdict(checks['memory'])}); "
        f"admin list {admin['officer list'][0]:.0f} / change {admin['officer change'][0]:.0f} / "
        f"coverage {admin['coverage'][0]:.0f} ms (< {TARGET_ADMIN_MS}: {verdict(checks['admin'])}); "
        f"cache kept {'n/a' if kept is None else f'{kept:.1%}'} (> {TARGET_CACHE_KEPT:.0%}: "
        f"{verdict(checks['cache'])}), the edited profile "
        f"{'fresh' if survival['fresh'] else 'STALE'}; "
        + (f"FAILING: {', '.join(failing)}" if failing else "every measured target met")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
