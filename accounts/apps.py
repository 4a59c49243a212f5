"""The staff-accounts app, and the admin configured to use the site that asks for a second factor."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Staff accounts")


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with `admin.site` being the site that requires a verified device."""

    default = False
    default_site = "accounts.sites.StaffAdminSite"
