"""Root URLs: the resident's pages, site-wide pages, the language switch, health checks, the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import media, security_txt, views

urlpatterns = [
    # The API first: its one prefix is ruled out at once for every page, while the pages'
    # patterns before it cost every API request a walk through all of them.
    path("api/v1/", include("api.urls")),
    path("", include("officers.urls")),
    path("", include("guidance.urls")),
    path("", include("alerts.urls")),
    path("taal/", views.switch_language, name="set-language"),
    path("privacy/", views.privacy, name="privacy"),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path(".well-known/security.txt", security_txt.security_txt, name="security-txt"),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media.serve_media, name="media"),
    path(settings.ADMIN_PATH, admin.site.urls),
]

handler500 = "wijkportaal.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
