"""Staff roles: the editors' group and exactly the permissions it holds."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

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
        "priority",
        "priorityupdate",
    ),
}
# The help entries of their municipalities, and the wrong-answer reports about them to read and
# mark handled (reports come from residents and go by the deletion command); the admin keeps
# both to the editor's region.
_GUIDANCE = {
    ("guidance", f"{action}_helpentry") for action in ("add", "change", "delete", "view")
} | {("guidance", "view_answerreport"), ("guidance", "change_answerreport")}
EDITOR_PERMISSIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (app_label, f"{action}_{model}")
        for app_label, models in _EDITABLE.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    }
    | {("neighbourhoods", "view_buurt")}
    | _GUIDANCE
)


def ensure_editor_group() -> Group:
    """The editors' group holding exactly EDITOR_PERMISSIONS, (re)created when needed.

    The data migration officers/0003 creates it on a fresh database; this keeps it right after
    a flush or a manual edit, and is what create_editor uses.
    """
    # The content-type cache can outlive the rows it caches (a flush in between, as between
    # transactional tests); stale ids would make create_permissions point at nothing.
    ContentType.objects.clear_cache()
    for label in ("officers", "neighbourhoods", "guidance"):
        create_permissions(apps.get_app_config(label), verbosity=0)
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in sorted(EDITOR_PERMISSIONS)
        ]
    )
    return group
