"""Editors get the help entries (of their municipalities, as the admin scopes them) and the
wrong-answer reports about them, to read and mark handled.

The list is frozen here like in 0003 and 0006.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_GROUP = "Redactie wijkagenten"
EDITOR_PERMISSIONS = [
    ("guidance", f"{action}_helpentry") for action in ("add", "change", "delete", "view")
] + [("guidance", "view_answerreport"), ("guidance", "change_answerreport")]


def grant_editors(apps, schema_editor):
    app_config = apps.get_app_config("guidance")
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = previous or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITOR_GROUP).first()
    if group is not None:
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=label, codename=codename)
                for label, codename in EDITOR_PERMISSIONS
            ]
        )


def revoke_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITOR_GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="guidance",
                codename__in=[codename for _label, codename in EDITOR_PERMISSIONS],
            )
        )


class Migration(migrations.Migration):

    dependencies = [
        ("guidance", "0002_national_help_entries"),
        ("officers", "0008_contact_changes"),
    ]

    operations = [migrations.RunPython(grant_editors, revoke_editors)]
