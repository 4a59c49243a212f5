"""URLs of the e-mail alerts (Dutch paths)."""

from django.urls import path

import neighbourhoods.converters  # noqa: F401  (registers `buurt_code`)

from . import views

app_name = "alerts"

urlpatterns = [
    path("buurt/<buurt_code:code>/volgen/", views.buurt_subscribe, name="buurt"),
    path("wijkagent/<slug:slug>/volgen/", views.officer_subscribe, name="officer"),
    path("volgen/verstuurd/", views.sent, name="sent"),
    # Links in messages carry their token in the query string, which no access log keeps.
    path("volgen/bevestigen/", views.confirm, name="confirm"),
    path("volgen/afmelden/", views.unsubscribe, name="unsubscribe"),
    path("volgen/beheren/", views.manage_request, name="manage-request"),
    path("volgen/beheren/verstuurd/", views.manage_sent, name="manage-sent"),
    path("volgen/mijn-berichten/", views.manage, name="manage"),
]
