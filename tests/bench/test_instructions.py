"""The instruction count: its arithmetic, callgrind's total, and the requests it measures."""

import contextlib
import gc

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from bench import instructions
from tests import factories


def test_one_request_is_the_difference_of_the_two_runs():
    assert instructions.per_request(1_000_000, 3_000_000, 1000) == 2000.0
    with pytest.raises(ValueError):
        instructions.per_request(1_000_000, 3_000_000, 0)


def test_the_child_sends_the_measured_requests_through_starmap(monkeypatch):
    """After the warm-up, with the loaded project frozen for the collector as in a gunicorn
    worker, the measured requests (and only they) are sent from starmap: callgrind counts
    inside it."""
    sent = []
    in_starmap = []

    def starmap(function, arguments):
        for args in arguments:
            in_starmap.append(len(sent))
            yield function(*args)

    monkeypatch.setattr("django.setup", lambda: None)
    monkeypatch.setattr(instructions.itertools, "starmap", starmap)
    monkeypatch.setattr(
        instructions,
        "requester",
        lambda name, application: lambda: sent.append((name, gc.get_freeze_count())),
    )
    gc.unfreeze()
    try:
        instructions.child("hello", 7)
    finally:
        gc.unfreeze()
    assert len(sent) == instructions.WARM_UP + 7
    assert in_starmap == list(range(instructions.WARM_UP, instructions.WARM_UP + 7))
    assert all(name == "hello" and frozen > 0 for name, frozen in sent)


def test_callgrind_total_is_read_from_its_last_summary_line():
    stderr = (
        "==41== Callgrind, a call-graph generating cache profiler\n"
        "==41== Events    : Ir\n"
        "==41== Collected : 2851037714\n"
        "==41==\n"
        "==41== I   refs:      2,851,037,714\n"
    )
    assert instructions.collected(stderr) == 2_851_037_714
    with pytest.raises(ValueError, match="no callgrind total"):
        instructions.collected("valgrind: command not found\n")


def test_the_lookup_is_posted_as_a_browser_posts_it():
    environ = instructions.wsgi_environ(instructions.ENDPOINTS["lookup"], "/")
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert int(environ["CONTENT_LENGTH"]) == len(environ["wsgi.input"].read())
    hello = instructions.wsgi_environ(instructions.ENDPOINTS["hello"], "/bench/hello")
    assert "CONTENT_TYPE" not in hello
    assert hello["HTTP_X_FORWARDED_PROTO"] == "https"


def test_the_lookup_leads_to_the_pages_make_bench_measures():
    location = "/wijkagent/anna-voorbeeld/?buurt=BU09173300"
    profile, profile_path = instructions.led_to("profile", location)
    assert (profile_path, profile.query) == ("/wijkagent/anna-voorbeeld/", "buurt=BU09173300")
    buurt, buurt_path = instructions.led_to("buurt", location)
    assert (buurt_path, buurt.query) == ("/buurt/BU09173300/", "")


@contextlib.contextmanager
def connections_kept_open():
    """As Django's test client does: the test's transaction must outlive each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("name", list(instructions.ENDPOINTS))
def test_every_endpoint_answers_as_the_count_expects(buurten, settings, name):
    """Each request runs in process with the status it must have (the count stops otherwise):
    the lookup's 303 leads to the profile and to the buurt page."""
    settings.ROOT_URLCONF = "bench.urls"
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(officer, buurten["west"])
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13, huisletter="E")
    with connections_kept_open():
        send = instructions.requester(name)
        send()
        send()
