"""The HTTP benchmark compares each page with the hello runs on either side of it."""

import pytest

from bench.harness import WrkResult
from bench.http import Measured, SplitCores, bracketed_ratio


def test_a_page_is_compared_with_the_mean_of_the_hello_runs_around_it():
    assert bracketed_ratio(600.0, before=1000.0, after=1000.0) == pytest.approx(0.6)
    # The machine slowed down during the page's run: the hello after it was slower too.
    assert bracketed_ratio(450.0, before=1000.0, after=500.0) == pytest.approx(0.6)


def test_no_hello_answered_gives_no_ratio():
    assert bracketed_ratio(600.0, before=0.0, after=0.0) == 0.0


def test_measured_reports_medians_over_rounds():
    measured = Measured([], [0.5, 0.7, 0.6], cpu_ratios=[0.4, 0.9, 0.5])
    for requests in (900, 1000, 3000):
        measured.add(
            WrkResult(
                requests=requests,
                seconds=1.0,
                p50_ms=5.0,
                p99_ms=float(requests) / 100,
                status_errors=0,
                socket_errors=1,
            ),
            {"workers": 800.0, "postgres": 100.0, "redis": 0.0},
        )
    assert measured.ratio == pytest.approx(0.6)
    assert measured.cpu_ratio == pytest.approx(0.5)
    assert measured.per_second == pytest.approx(1000.0)
    assert measured.p99_ms == pytest.approx(10.0)
    assert measured.cpu_per_request_us == pytest.approx(900.0)
    assert measured.socket_errors == 3


def test_split_cores_gives_each_side_its_own_cores(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2, 3})
    split = SplitCores.halves()
    assert split.web == {0, 1}
    assert split.rest == {2, 3}


def test_split_cores_needs_two_cores(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0})
    with pytest.raises(SystemExit, match="at least 2 cores"):
        SplitCores.halves()


def test_split_cores_puts_a_shared_server_back_as_it_was(monkeypatch):
    affinities = {4242: {0, 1}}
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(affinities[pid]))
    monkeypatch.setattr("os.sched_setaffinity", lambda pid, cores: affinities.update({pid: cores}))
    split = SplitCores(web={0}, rest={1})
    split.pin([4242], split.rest, restore=True)
    split.pin([4242], split.rest, restore=True)
    assert affinities[4242] == {1}
    split.restore()
    assert affinities[4242] == {0, 1}


def test_split_cores_skips_a_process_that_has_ended(monkeypatch):
    def gone(pid, cores):
        raise ProcessLookupError(pid)

    monkeypatch.setattr("os.sched_setaffinity", gone)
    SplitCores(web={0}, rest={1}).pin([999999], {1})
