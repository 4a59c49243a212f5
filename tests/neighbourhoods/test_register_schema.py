"""The address register's key codes compare byte by byte on PostgreSQL (AsciiCodeField)."""

from importlib import import_module

import pytest
from django.db import connection

from neighbourhoods.models import Address

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="collations are a PostgreSQL column setting here"
)

migration = import_module("neighbourhoods.migrations.0003_address_keys_byte_order")


def collations() -> dict[str, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname, c.collname FROM pg_attribute a "
            "LEFT JOIN pg_collation c ON c.oid = a.attcollation AND a.attcollation <> 100 "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
            [Address._meta.db_table],
        )
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_the_key_codes_are_in_byte_order_and_the_names_in_the_databases_order():
    found = collations()
    assert {name: found[name] for name in migration.COLUMNS} == {
        "postcode": "C",
        "huisletter": "C",
        "huisnummertoevoeging": "C",
    }
    # Street and place names are shown in lists: they keep the database's own order.
    assert found["straat"] is None
    assert found["woonplaats"] is None


@pytest.mark.django_db
def test_the_migration_goes_back_and_forth():
    with connection.schema_editor() as editor:
        migration.database_order(None, editor)
    assert {collations()[name] for name in migration.COLUMNS} == {None}
    with connection.schema_editor() as editor:
        migration.byte_order(None, editor)
    assert {collations()[name] for name in migration.COLUMNS} == {"C"}
