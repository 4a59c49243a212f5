"""The site's URLs plus bare views for the benchmark: the framework's ceiling ("hello") and the
ceilings of pages that must ask PostgreSQL, and Redis, once.

Only used when the benchmark sets ROOT_URLCONF=bench.urls; production never serves them.
"""

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from wijkportaal.urls import handler500
from wijkportaal.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def _text(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@require_safe
def hello(request: HttpRequest) -> HttpResponse:
    """The least a page can do: through the same middleware, no template, no database."""
    return _text("hello")


def _one_query() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return str(cursor.fetchone()[0])


@require_safe
def hello_query(request: HttpRequest) -> HttpResponse:
    """hello plus one PostgreSQL round trip: the most any page that must ask the database once
    (as the lookup must) can reach."""
    return _text(_one_query())


@require_safe
def hello_query_cache(request: HttpRequest) -> HttpResponse:
    """hello plus one round trip each to PostgreSQL and to the cache (Redis), as the API lookup
    must make (the search and its rate limit)."""
    return _text(f"{_one_query()} {cache.get('bench-floor')}")


urlpatterns = [
    path("bench/hello", hello, name="bench-hello"),
    path("bench/hello-query", hello_query, name="bench-hello-query"),
    path("bench/hello-query-cache", hello_query_cache, name="bench-hello-query-cache"),
    *site_urlpatterns,
]
