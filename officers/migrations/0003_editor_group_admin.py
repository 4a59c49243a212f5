"""Create the group "Redactie wijkagenten" with exactly the editors' permissions.

The list is frozen here, as it was when this migration was written: a later change to
officers/roles.py needs a migration of its own, so that old migrations keep running on a fresh
database whatever models exist by then.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_GROUP = "Redactie wijkagenten"
EDITABLE_MODELS = (
    "officer",
    "contactchannel",
    "assignment",
    "absence",
    "station",
    "openinghours",
    "closingday",
    "event",
)
EDITOR_PERMISSIONS = [
    ("officers", f"{action}_{model}")
    for model in EDITABLE_MODELS
    for action in ("add", "change", "delete", "view")
] + [("neighbourhoods", "view_buurt")]


def create_editor_group(apps, schema_editor):
    # Permissions are normally made after all migrations ran; make them now so a fresh
    # database gets a complete group.
    # create_permissions skips an app whose models_module is unset, as it is in the historical
    # registry a migration gets; set it for the call and put back what was there, so a real
    # registry passed in (as a test does) is left as it was.
    for label in ("neighbourhoods", "officers"):
        app_config = apps.get_app_config(label)
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in EDITOR_PERMISSIONS
        ]
    )


def remove_editor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITOR_GROUP).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("neighbourhoods", "0001_initial"),
        ("officers", "0002_photo_renditions_admin"),
    ]

    operations = [migrations.RunPython(create_editor_group, remove_editor_group)]
