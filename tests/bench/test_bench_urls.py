"""The benchmark's bare views (bench/urls.py) answer as the benchmark expects, and make exactly
the round trips they stand for."""

import pytest
from django.core.cache import cache
from django.urls import clear_url_caches


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.urls"
    clear_url_caches()
    yield
    clear_url_caches()


def test_hello_asks_nothing(client, db, bench_urls, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/bench/hello")
    assert response.status_code == 200
    assert response.content == b"hello"


def test_the_one_query_ceiling_makes_one_query(client, db, bench_urls, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/bench/hello-query")
    assert response.content == b"1"


def test_the_query_and_cache_ceiling_also_reads_the_cache(client, db, bench_urls):
    cache.set("bench-floor", "warm")
    response = client.get("/bench/hello-query-cache")
    assert response.content == b"1 warm"


def test_the_site_is_still_there(client, db, bench_urls):
    assert client.get("/").status_code == 200
