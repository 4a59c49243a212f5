"""The HTTP benchmark compares each page with the hello runs on either side of it."""

import pytest

from bench.harness import WrkResult
from bench.http import Measured, bracketed_ratio


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
