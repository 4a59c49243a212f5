"""The site's URLs plus a bare "hello" view: the framework's ceiling for the benchmark.

Only used when the benchmark sets ROOT_URLCONF=bench.urls; production never serves it.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from wijkportaal.urls import handler500
from wijkportaal.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


@require_GET
def hello(request: HttpRequest) -> HttpResponse:
    """The least a page can do: through the same middleware, no template, no database."""
    return HttpResponse("hello", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/hello", hello, name="bench-hello"), *site_urlpatterns]
