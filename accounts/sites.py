"""The admin site: a staff session needs a verified second factor, not only a password."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, path

from . import twofactor, views


class StaffAdminSite(admin.AdminSite):
    """Django's admin site, where a session signed in with only a password is not yet staff.

    After the password the login view sends the user to the code step (or to enrolment when
    the account has no authenticator yet); every other admin page sends an unverified session
    back there through the login view.
    """

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not twofactor.needs_second_factor(request.user)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.method == "GET" and twofactor.needs_second_factor(request.user):
            return views.redirect_to_second_step(request)
        response = super().login(request, extra_context)
        # A correct password signs the user in; the second step comes before any admin page.
        if request.method == "POST" and twofactor.needs_second_factor(request.user):
            return views.redirect_to_second_step(request)
        return response

    def get_urls(self) -> list[URLResolver | URLPattern]:
        steps = [
            path("login/code/", views.second_factor, name="second_factor"),
            path("login/set-up/", views.enrol, name="second_factor_enrol"),
            path("login/recovery-codes/", views.recovery_codes, name="recovery_codes"),
            path("login/cancel/", views.cancel, name="second_factor_cancel"),
        ]
        return [*steps, *super().get_urls()]
