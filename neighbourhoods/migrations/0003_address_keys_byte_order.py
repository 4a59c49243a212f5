"""The address register's key codes compare byte by byte on PostgreSQL (see AsciiCodeField).

Only PostgreSQL changes (its unique index is rebuilt once); SQLite compares bytes already, so its
table is left alone rather than copied three times by AlterField.
"""

from django.db import migrations

import neighbourhoods.models

COLUMNS = {"postcode": 6, "huisletter": 1, "huisnummertoevoeging": 4}


def _set_collation(schema_editor, collation: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    changes = ", ".join(
        f"ALTER COLUMN {quote(column)} TYPE varchar({length}) COLLATE {quote(collation)}"
        for column, length in COLUMNS.items()
    )
    schema_editor.execute(f"ALTER TABLE {quote('neighbourhoods_address')} {changes}")


def byte_order(apps, schema_editor) -> None:
    _set_collation(schema_editor, "C")


def database_order(apps, schema_editor) -> None:
    _set_collation(schema_editor, "default")


class Migration(migrations.Migration):
    dependencies = [
        ("neighbourhoods", "0002_address_buurt_no_db_constraint_perf_imports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="address",
                    name="huisletter",
                    field=neighbourhoods.models.AsciiCodeField(
                        blank=True, default="", max_length=1, verbose_name="house letter"
                    ),
                ),
                migrations.AlterField(
                    model_name="address",
                    name="huisnummertoevoeging",
                    field=neighbourhoods.models.AsciiCodeField(
                        blank=True, default="", max_length=4, verbose_name="house number addition"
                    ),
                ),
                migrations.AlterField(
                    model_name="address",
                    name="postcode",
                    field=neighbourhoods.models.AsciiCodeField(
                        max_length=6, verbose_name="postcode"
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(byte_order, database_order)],
        )
    ]
