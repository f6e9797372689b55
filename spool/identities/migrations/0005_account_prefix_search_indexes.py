"""Profile search by prefix on PostgreSQL: ``handle__istartswith`` / ``display_name__istartswith`` compile to
``UPPER(column::text) LIKE UPPER('term%')``, which only an index on that expression with ``text_pattern_ops``
serves (the default operator class cannot, unless the collation is C): without them every search read every
account. SQLite scans its (embedded-sized) table and gets no index."""

from django.db import migrations

from spool.core.vendor_sql import VendorSQL

POSTGRES = [
    "CREATE INDEX IF NOT EXISTS identities_account_handle_prefix "
    "ON identities_account (UPPER(handle::text) text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS identities_account_display_name_prefix "
    "ON identities_account (UPPER(display_name::text) text_pattern_ops)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS identities_account_handle_prefix",
    "DROP INDEX IF EXISTS identities_account_display_name_prefix",
]


class Migration(migrations.Migration):
    dependencies = [("identities", "0004_limited_servers")]

    operations = [VendorSQL("postgresql", POSTGRES, POSTGRES_REVERSE)]
