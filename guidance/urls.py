"""URLs of the help page and the wrong-answer report (Dutch paths)."""

from django.urls import path

from . import views

app_name = "guidance"

urlpatterns = [
    path("hulp/", views.help_page, name="help"),
    path("hulp/<slug:gemeente>/", views.municipality_help_page, name="municipality-help"),
    path("klopt-dit-niet/", views.report, name="report"),
    path("klopt-dit-niet/verstuurd/", views.report_sent, name="report-sent"),
]
