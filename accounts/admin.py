"""Users in the admin: whether each has a second factor, and the superuser's reset of it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import twofactor

User = get_user_model()

# Devices are managed through enrolment and the reset action only: django-otp's own device pages
# would let an administrator read or plant a secret, and bypass the log the reset writes.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)

if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "has_second_factor"]
    actions = ["reset_second_factor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        authenticator = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(second_factor=Exists(authenticator))

    @admin.display(boolean=True, description=_("second factor"), ordering="second_factor")
    def has_second_factor(self, user: User) -> bool:  # type: ignore[valid-type]
        return bool(getattr(user, "second_factor", False))

    def has_reset_second_factor_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    @admin.action(
        description=_("Reset the second factor (they set it up again at their next sign-in)"),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet) -> None:
        users = list(queryset)
        for user in users:
            twofactor.reset_second_factor(user=user, by=request.user)
            self.log_change(request, user, [{"changed": {"fields": ["second factor (reset)"]}}])
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d user was reset.",
                "The second factors of %(count)d users were reset.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )
