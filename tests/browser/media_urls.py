"""The site's URLs plus uploaded media, for browser tests: the live server runs with DEBUG off,
where the site itself leaves serving media to the web server."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.static import serve

from wijkportaal.urls import urlpatterns as site_urlpatterns


def media(request: HttpRequest, path: str) -> HttpResponse:
    # MEDIA_ROOT is read per request: each test points it at its own temporary folder.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [*site_urlpatterns, re_path(r"^media/(?P<path>.*)$", media)]
