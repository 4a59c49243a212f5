"""Officers and stations name the municipality whose editors keep them (regional editors).

Existing rows get one: an officer that of the buurt of their latest assignment, a station that of
the buurt its postcode lies in (the address register, else the postcode register's municipality),
else that of its officers' latest buurt.
Rows with neither stay empty: only national editors and superusers see those until one is chosen.
"""

import django.db.models.deletion
from django.db import migrations, models


def fill_municipalities(apps, schema_editor):
    Officer = apps.get_model("officers", "Officer")
    Station = apps.get_model("officers", "Station")
    Assignment = apps.get_model("officers", "Assignment")
    Address = apps.get_model("neighbourhoods", "Address")
    Postcode = apps.get_model("neighbourhoods", "Postcode")
    Municipality = apps.get_model("neighbourhoods", "Municipality")
    for officer in Officer.objects.filter(municipality__isnull=True):
        latest = (
            Assignment.objects.filter(officer=officer)
            .order_by("-valid_from", "-pk")
            .values_list("buurt__wijk__municipality_id", flat=True)
            .first()
        )
        if latest is not None:
            Officer.objects.filter(pk=officer.pk).update(municipality_id=latest)
    for station in Station.objects.filter(municipality__isnull=True):
        found = (
            Address.objects.filter(postcode=station.postcode.replace(" ", "").upper())
            .exclude(buurt__isnull=True)
            .values_list("buurt__wijk__municipality_id", flat=True)
            .first()
        )
        if found is None:
            code = (
                Postcode.objects.filter(postcode=station.postcode.replace(" ", "").upper())
                .values_list("gemeente_code", flat=True)
                .first()
            )
            if code:
                found = (
                    Municipality.objects.filter(code=code).values_list("pk", flat=True).first()
                )
        if found is None:
            found = (
                Officer.objects.filter(station=station, municipality__isnull=False)
                .values_list("municipality_id", flat=True)
                .first()
            )
        if found is not None:
            Station.objects.filter(pk=station.pk).update(municipality_id=found)


class Migration(migrations.Migration):
    dependencies = [
        ("neighbourhoods", "0005_editor_scope"),
        ("officers", "0004_unpublished_by_default_event_wording"),
    ]

    operations = [
        migrations.AddField(
            model_name="officer",
            name="municipality",
            field=models.ForeignKey(
                blank=True,
                help_text="The municipality whose editors keep this profile, also while it has no buurt. Editors of the municipalities of its buurten may edit it too.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="officers",
                to="neighbourhoods.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.AddField(
            model_name="station",
            name="municipality",
            field=models.ForeignKey(
                blank=True,
                help_text="The municipality whose editors keep this station.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="stations",
                to="neighbourhoods.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.RunPython(fill_municipalities, migrations.RunPython.noop),
    ]
