"""Staff roles: the editors' group and exactly the permissions it holds."""

from __future__ import annotations

from typing import Any

EDITOR_GROUP = "Redactie wijkagenten"

# Editors keep officers and stations true: everything about them, and a read-only look at buurten.
# Users, groups, boundary datasets, wijken and addresses stay with superusers.
_EDITABLE = {
    "officers": (
        "officer",
        "contactchannel",
        "assignment",
        "absence",
        "station",
        "openinghours",
        "closingday",
        "event",
    ),
}
EDITOR_PERMISSIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (app_label, f"{action}_{model}")
        for app_label, models in _EDITABLE.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    }
    | {("neighbourhoods", "view_buurt")}
)


def sync_editor_group(*, group_model: Any, permission_model: Any) -> Any:
    """Create the editors' group, or reset it, to hold exactly EDITOR_PERMISSIONS.

    Takes the models as arguments so a data migration can pass its historical ones.
    """
    group, _ = group_model.objects.get_or_create(name=EDITOR_GROUP)
    wanted = [
        permission_model.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in sorted(EDITOR_PERMISSIONS)
    ]
    group.permissions.set(wanted)
    return group


def ensure_editor_group() -> Any:
    """The editors' group with its permissions, recreated if someone deleted it."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for label in ("officers", "neighbourhoods"):
        create_permissions(apps.get_app_config(label), verbosity=0)
    return sync_editor_group(group_model=Group, permission_model=Permission)
