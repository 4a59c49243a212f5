"""Officer photos served by the application, for a single node that keeps uploads on its own disk.

With object storage (MEDIA_BUCKET) the bucket serves them, and a web server in front may serve
MEDIA_ROOT itself; this view is what answers otherwise. It serves only names the photo code
writes (an allow-list, so no path can climb out of MEDIA_ROOT, list a folder or reach the photos
kept for a form that is still being filled in) and sends the site's security headers with them.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe
from django.views.static import serve

# The renditions officers.photos stores: named after their content, so they never change. The
# storage adds "_" and seven characters when the name is taken (the same photo saved again):
# still that content. deploy/nginx's pattern is the same.
HASHED_PHOTO = re.compile(r"officers/[0-9a-f]{20}-[0-9]{2,4}(?:_[A-Za-z0-9]{7})?\.jpg")
# Photos stored under their upload name before renditions were named by content.
OTHER_PHOTO = re.compile(r"officers/[A-Za-z0-9][A-Za-z0-9_.-]{0,150}\.(?:jpe?g|png|webp)")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=3600"


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    if settings.MEDIA_BUCKET:
        raise Http404
    if HASHED_PHOTO.fullmatch(path):
        cache_control = IMMUTABLE
    elif OTHER_PHOTO.fullmatch(path) and ".." not in path:
        cache_control = REVALIDATE
    else:
        raise Http404
    # Django's static view answers If-Modified-Since and refuses anything outside the root.
    response = serve(request, path, document_root=settings.MEDIA_ROOT, show_indexes=False)
    response["Cache-Control"] = cache_control
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response.same_in_every_language = True  # type: ignore[union-attr]
    return response
