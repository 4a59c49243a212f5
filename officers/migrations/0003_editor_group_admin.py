"""Create the group "Redactie wijkagenten" with exactly the editors' permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from officers.roles import EDITOR_GROUP, sync_editor_group


def create_editor_group(apps, schema_editor):
    # Permissions are normally made after all migrations ran; make them now so a fresh
    # database gets a complete group.
    for label in ("contenttypes", "auth", "neighbourhoods", "officers"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_editor_group(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
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
